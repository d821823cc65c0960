/**
 * Shape, padding, dropout, upsampling, shuffle, Bilinear and EmbeddingBag
 * layers against PyTorch 2.13: outputs, all gradients, state-dict keys,
 * printed form, init statistics, dropout masks drawn after the same seed, and
 * argument errors.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { dec, expectEnc, fixedIn, intIn, mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, type Enc, type PyError } from './20-nn-helpers.js';
import { errorCases, initCases, scase, stateCases } from './21-nn-helpers.js';

const nn = torch.nn;
const tol = { rtol: 1e-4, atol: 1e-5 };

describe('nn shape, padding, dropout and other layers vs PyTorch', function () {
  this.timeout(120_000);

  describe('outputs and all gradients', () => {
    const x4 = randIn([2, 3, 4, 5], 1);
    moduleCases([
      mcase({
        name: 'Flatten() keeps the batch dim',
        make: () => new nn.Flatten(),
        build: 'nn.Flatten()',
        inputs: { x: x4 },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Flatten(startDim 0, endDim -2)',
        make: () => new nn.Flatten({ startDim: 0, endDim: -2 }),
        build: 'nn.Flatten(0, -2)',
        inputs: { x: x4 },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Unflatten(1, [2, -1])',
        make: () => new nn.Unflatten(1, [2, -1]),
        build: 'nn.Unflatten(1, (2, -1))',
        inputs: { x: randIn([3, 8], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Dropout2d in eval is the identity',
        make: () => new nn.Dropout2d(0.3),
        build: 'nn.Dropout2d(0.3)',
        train: false,
        inputs: { x: x4 },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AlphaDropout in eval is the identity',
        make: () => new nn.AlphaDropout(0.2),
        build: 'nn.AlphaDropout(0.2)',
        train: false,
        inputs: { x: x4 },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Upsample scaleFactor 2 nearest',
        make: () => new nn.Upsample({ scaleFactor: 2 }),
        build: 'nn.Upsample(scale_factor=2)',
        inputs: { x: randIn([1, 2, 3, 3], 3) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Upsample size (5, 7) bilinear alignCorners',
        make: () => new nn.Upsample({ size: [5, 7], mode: 'bilinear', alignCorners: true }),
        build: "nn.Upsample(size=(5, 7), mode='bilinear', align_corners=True)",
        inputs: { x: randIn([1, 2, 3, 4], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Upsample linear on 3-D',
        make: () => new nn.Upsample({ scaleFactor: 1.5, mode: 'linear' }),
        build: "nn.Upsample(scale_factor=1.5, mode='linear')",
        inputs: { x: randIn([2, 2, 4], 5) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'UpsamplingBilinear2d(scaleFactor 2)',
        make: () => new nn.UpsamplingBilinear2d({ scaleFactor: 2 }),
        build: 'nn.UpsamplingBilinear2d(scale_factor=2)',
        inputs: { x: randIn([1, 1, 3, 3], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'UpsamplingNearest2d(size 4)',
        make: () => new nn.UpsamplingNearest2d({ size: 4 }),
        build: 'nn.UpsamplingNearest2d(size=4)',
        inputs: { x: randIn([1, 2, 2, 3], 7) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'PixelShuffle(2)',
        make: () => new nn.PixelShuffle(2),
        build: 'nn.PixelShuffle(2)',
        inputs: { x: randIn([2, 8, 2, 3], 8) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'PixelUnshuffle(2)',
        make: () => new nn.PixelUnshuffle(2),
        build: 'nn.PixelUnshuffle(2)',
        inputs: { x: randIn([1, 2, 4, 6], 9) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ChannelShuffle(3)',
        make: () => new nn.ChannelShuffle(3),
        build: 'nn.ChannelShuffle(3)',
        inputs: { x: randIn([2, 6, 2, 2], 10) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ZeroPad1d((1, 2))',
        make: () => new nn.ZeroPad1d([1, 2]),
        build: 'nn.ZeroPad1d((1, 2))',
        inputs: { x: randIn([2, 3, 4], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ZeroPad2d(1)',
        make: () => new nn.ZeroPad2d(1),
        build: 'nn.ZeroPad2d(1)',
        inputs: { x: randIn([1, 2, 3, 3], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ZeroPad3d((1, 0, 0, 2, 1, 1)) with negative-free crop',
        make: () => new nn.ZeroPad3d([1, 0, 0, 2, 1, 1]),
        build: 'nn.ZeroPad3d((1, 0, 0, 2, 1, 1))',
        inputs: { x: randIn([1, 1, 2, 2, 2], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ConstantPad1d(2, 3.5)',
        make: () => new nn.ConstantPad1d(2, 3.5),
        build: 'nn.ConstantPad1d(2, 3.5)',
        inputs: { x: randIn([2, 3], 14) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ConstantPad2d((1, 0, 2, -1), -1.5) crops with a negative pad',
        make: () => new nn.ConstantPad2d([1, 0, 2, -1], -1.5),
        build: 'nn.ConstantPad2d((1, 0, 2, -1), -1.5)',
        inputs: { x: randIn([1, 2, 3, 3], 15) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ConstantPad3d(1, 0.5)',
        make: () => new nn.ConstantPad3d(1, 0.5),
        build: 'nn.ConstantPad3d(1, 0.5)',
        inputs: { x: randIn([1, 2, 2, 2], 16) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReflectionPad1d((2, 1))',
        make: () => new nn.ReflectionPad1d([2, 1]),
        build: 'nn.ReflectionPad1d((2, 1))',
        inputs: { x: randIn([2, 2, 5], 17) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReflectionPad2d(2)',
        make: () => new nn.ReflectionPad2d(2),
        build: 'nn.ReflectionPad2d(2)',
        inputs: { x: randIn([1, 2, 4, 4], 18) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReflectionPad3d(1) unbatched',
        make: () => new nn.ReflectionPad3d(1),
        build: 'nn.ReflectionPad3d(1)',
        inputs: { x: randIn([2, 3, 3, 3], 19) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReplicationPad1d(3)',
        make: () => new nn.ReplicationPad1d(3),
        build: 'nn.ReplicationPad1d(3)',
        inputs: { x: randIn([2, 2, 4], 20) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReplicationPad2d((1, 2, 0, 3))',
        make: () => new nn.ReplicationPad2d([1, 2, 0, 3]),
        build: 'nn.ReplicationPad2d((1, 2, 0, 3))',
        inputs: { x: randIn([1, 2, 3, 3], 21) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'ReplicationPad3d(1)',
        make: () => new nn.ReplicationPad3d(1),
        build: 'nn.ReplicationPad3d(1)',
        inputs: { x: randIn([1, 1, 2, 3, 2], 22) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'CircularPad1d((1, 2))',
        make: () => new nn.CircularPad1d([1, 2]),
        build: 'nn.CircularPad1d((1, 2))',
        inputs: { x: randIn([2, 2, 4], 23) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'CircularPad2d(1)',
        make: () => new nn.CircularPad2d(1),
        build: 'nn.CircularPad2d(1)',
        inputs: { x: randIn([1, 2, 3, 3], 24) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'CircularPad3d(1)',
        make: () => new nn.CircularPad3d(1),
        build: 'nn.CircularPad3d(1)',
        inputs: { x: randIn([1, 1, 2, 3, 2], 25) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: "F.pad mode 'reflect' on 2 dims",
        make: () => new nn.Identity(),
        build: 'nn.Identity()',
        inputs: { x: randIn([1, 2, 4, 5], 35) },
        call: (_m, x) => nn.functional.pad(x.x, [2, 1, 1, 3], { mode: 'reflect' }),
        pyCall: "F.pad(x, [2, 1, 1, 3], mode='reflect')",
      }),
      mcase({
        name: "F.pad mode 'replicate' on 3 dims",
        make: () => new nn.Identity(),
        build: 'nn.Identity()',
        inputs: { x: randIn([1, 1, 2, 3, 2], 36) },
        call: (_m, x) => nn.functional.pad(x.x, [1, 0, 0, 2, 1, 1], { mode: 'replicate' }),
        pyCall: "F.pad(x, [1, 0, 0, 2, 1, 1], mode='replicate')",
      }),
      mcase({
        name: "F.pad mode 'circular' on 1 dim",
        make: () => new nn.Identity(),
        build: 'nn.Identity()',
        inputs: { x: randIn([2, 3, 4], 37) },
        call: (_m, x) => nn.functional.pad(x.x, [3, 1], { mode: 'circular' }),
        pyCall: "F.pad(x, [3, 1], mode='circular')",
      }),
      mcase({
        name: 'Bilinear(3, 4, 2)',
        make: () => new nn.Bilinear(3, 4, 2),
        build: 'nn.Bilinear(3, 4, 2)',
        inputs: { a: randIn([5, 3], 26), b: randIn([5, 4], 27) },
        call: (m, x) => m.forward(x.a, x.b),
        pyCall: 'm(a, b)',
        tol,
      }),
      mcase({
        name: 'Bilinear without bias on [N, T, in]',
        make: () => new nn.Bilinear(2, 3, 4, { bias: false }),
        build: 'nn.Bilinear(2, 3, 4, bias=False)',
        inputs: { a: randIn([2, 3, 2], 28), b: randIn([2, 3, 3], 29) },
        call: (m, x) => m.forward(x.a, x.b),
        pyCall: 'm(a, b)',
        tol,
      }),
      mcase({
        name: "EmbeddingBag(10, 3) mode 'mean' on 2-D bags",
        make: () => new nn.EmbeddingBag(10, 3),
        build: 'nn.EmbeddingBag(10, 3)',
        inputs: { i: intIn([4, 3], 30, 0, 10) },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
        tol,
      }),
      mcase({
        name: "EmbeddingBag mode 'sum' with offsets and perSampleWeights",
        make: () => new nn.EmbeddingBag(10, 3, { mode: 'sum' }),
        build: "nn.EmbeddingBag(10, 3, mode='sum')",
        inputs: { i: fixedIn([1, 2, 4, 5, 4, 3, 2, 9], 'int64'), o: fixedIn([0, 4, 6], 'int64'), w: randIn([8], 31) },
        call: (m, x) => m.forward(x.i, x.o, x.w),
        pyCall: 'm(i, o, w)',
        tol,
      }),
      mcase({
        name: "EmbeddingBag mode 'max' with includeLastOffset",
        make: () => new nn.EmbeddingBag(8, 2, { mode: 'max', includeLastOffset: true }),
        build: "nn.EmbeddingBag(8, 2, mode='max', include_last_offset=True)",
        inputs: { i: fixedIn([1, 7, 3, 3, 0, 6], 'int64'), o: fixedIn([0, 2, 5, 6], 'int64') },
        call: (m, x) => m.forward(x.i, x.o),
        pyCall: 'm(i, o)',
        tol,
      }),
      mcase({
        name: 'EmbeddingBag with paddingIdx -1 (left out of the mean)',
        make: () => new nn.EmbeddingBag(6, 3, { paddingIdx: -1 }),
        build: 'nn.EmbeddingBag(6, 3, padding_idx=-1)',
        inputs: {
          i: fixedIn(
            [
              [5, 1, 2],
              [5, 5, 3],
              [0, 4, 5],
            ],
            'int64',
          ),
        },
        call: (m, x) => m.forward(x.i),
        pyCall: 'm(i)',
        tol,
      }),
    ]);
  });

  describe('printed form', () => {
    stateCases([
      scase({ name: 'Flatten', make: () => new nn.Flatten(), build: 'nn.Flatten()' }),
      scase({ name: 'Unflatten', make: () => new nn.Unflatten(-1, [2, 5]), build: 'nn.Unflatten(-1, (2, 5))' }),
      scase({ name: 'Dropout1d', make: () => new nn.Dropout1d(0.2), build: 'nn.Dropout1d(0.2)' }),
      scase({ name: 'Dropout3d inplace', make: () => new nn.Dropout3d(0.5, { inplace: true }), build: 'nn.Dropout3d(0.5, inplace=True)' }),
      scase({ name: 'AlphaDropout', make: () => new nn.AlphaDropout(0.1), build: 'nn.AlphaDropout(0.1)' }),
      scase({
        name: 'Upsample scale',
        make: () => new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }),
        build: "nn.Upsample(scale_factor=2, mode='bilinear')",
      }),
      scase({ name: 'Upsample size', make: () => new nn.Upsample({ size: [4, 5] }), build: 'nn.Upsample(size=(4, 5))' }),
      scase({ name: 'UpsamplingBilinear2d', make: () => new nn.UpsamplingBilinear2d({ scaleFactor: 3 }), build: 'nn.UpsamplingBilinear2d(scale_factor=3)' }),
      scase({ name: 'PixelShuffle', make: () => new nn.PixelShuffle(3), build: 'nn.PixelShuffle(3)' }),
      scase({ name: 'PixelUnshuffle', make: () => new nn.PixelUnshuffle(2), build: 'nn.PixelUnshuffle(2)' }),
      scase({ name: 'ChannelShuffle', make: () => new nn.ChannelShuffle(2), build: 'nn.ChannelShuffle(2)' }),
      scase({ name: 'ZeroPad2d', make: () => new nn.ZeroPad2d([1, 2, 3, 4]), build: 'nn.ZeroPad2d((1, 2, 3, 4))' }),
      scase({ name: 'ConstantPad1d', make: () => new nn.ConstantPad1d(2, 3.5), build: 'nn.ConstantPad1d(2, 3.5)' }),
      scase({ name: 'ReflectionPad3d', make: () => new nn.ReflectionPad3d(1), build: 'nn.ReflectionPad3d(1)' }),
      scase({ name: 'ReplicationPad1d', make: () => new nn.ReplicationPad1d([0, 2]), build: 'nn.ReplicationPad1d((0, 2))' }),
      scase({ name: 'CircularPad2d', make: () => new nn.CircularPad2d(1), build: 'nn.CircularPad2d(1)' }),
      scase({ name: 'Bilinear', make: () => new nn.Bilinear(2, 3, 4, { bias: false }), build: 'nn.Bilinear(2, 3, 4, bias=False)' }),
      scase({
        name: 'EmbeddingBag with options',
        make: () => new nn.EmbeddingBag(10, 3, { maxNorm: 1.5, normType: 1, scaleGradByFreq: true, mode: 'sum', paddingIdx: 2 }),
        build: "nn.EmbeddingBag(10, 3, max_norm=1.5, norm_type=1.0, scale_grad_by_freq=True, mode='sum', padding_idx=2)",
      }),
      scase({ name: 'EmbeddingBag defaults', make: () => new nn.EmbeddingBag(10, 3), build: 'nn.EmbeddingBag(10, 3)' }),
    ]);
  });

  describe('default initialization matches PyTorch', () => {
    initCases([
      { name: 'Bilinear(20, 30, 40): U(+-1/sqrt(in1))', make: () => new nn.Bilinear(20, 30, 40), build: 'nn.Bilinear(20, 30, 40)' },
      { name: 'EmbeddingBag(2000, 16): N(0, 1)', make: () => new nn.EmbeddingBag(2000, 16), build: 'nn.EmbeddingBag(2000, 16)' },
    ]);
    it('EmbeddingBag zeroes its padding row', () => {
      const e = new nn.EmbeddingBag(5, 3, { paddingIdx: 1 });
      expect(torch.tidy(() => e.weight.select(0, 1).abs().sum().item())).to.equal(0);
      expect(e.paddingIdx).to.equal(1);
    });
  });

  describe('dropout masks after the same seed equal PyTorch (train mode)', () => {
    const x = randIn([4, 6, 3, 2], 40, { requiresGrad: false });
    const x3 = randIn([4, 6, 5], 41, { requiresGrad: false });
    const cases: { name: string; make: () => torch.nn.Module; build: string; x: Enc }[] = [
      { name: 'Dropout1d(0.5)', make: () => new nn.Dropout1d(0.5), build: 'nn.Dropout1d(0.5)', x: x3 },
      { name: 'Dropout2d(0.3)', make: () => new nn.Dropout2d(0.3), build: 'nn.Dropout2d(0.3)', x },
      { name: 'Dropout3d(0.4) unbatched', make: () => new nn.Dropout3d(0.4), build: 'nn.Dropout3d(0.4)', x },
      { name: 'AlphaDropout(0.2)', make: () => new nn.AlphaDropout(0.2), build: 'nn.AlphaDropout(0.2)', x },
    ];
    let py: (Enc | PyError)[] = [];
    before(function () {
      if (!pythonHasTorch()) this.skip();
      const code = String.raw`
out = []
for c in D:
    m = eval(c['build'], {'nn': nn})
    torch.manual_seed(c['seed'])
    out.append(E(m(T(c['x']))))
`;
      py = pyNN<(Enc | PyError)[]>([{ kind: 'exec', code, data: cases.map((c, i) => ({ build: c.build, x: c.x, seed: 500 + i })) }])[0] as unknown as (
        | Enc
        | PyError
      )[];
    });
    cases.forEach((c, i) => {
      it(c.name, () => {
        const m = c.make();
        torch.tidy(() => {
          const input = dec(c.x);
          torch.manualSeed(500 + i);
          const y = (m as unknown as { forward(t: torch.Tensor): torch.Tensor }).forward(input);
          expectEnc(y, ok(py[i], c.name) as Enc, 'output', tol);
          // the mask really dropped something (the check can fail)
          expect(y.eq(input).all().item(), 'some values changed').to.equal(false);
        });
      });
    });
  });

  describe('argument errors', () => {
    errorCases([
      [
        'Flatten: unknown option',
        () => new nn.Flatten({ start_dim: 0 } as never),
        TypeError,
        "Unknown option 'start_dim' for Flatten; expected one of: startDim, endDim",
      ],
      ['Flatten: fractional dim', () => new nn.Flatten({ startDim: 0.5 }), TypeError, 'Expected an integer for startDim but received 0.5 of type number'],
      [
        'Unflatten: sizes not an array',
        () => new nn.Unflatten(1, 4 as never),
        TypeError,
        'Expected an array of integers for unflattenedSize but received 4 of type number',
      ],
      ['Dropout2d: p > 1', () => new nn.Dropout2d(2), RangeError, 'Expected a probability in [0, 1] for p but received 2 of type number'],
      [
        'AlphaDropout: unknown option',
        () => new nn.AlphaDropout(0.5, { inPlace: true } as never),
        TypeError,
        "Unknown option 'inPlace' for AlphaDropout; expected one of: inplace",
      ],
      [
        'Dropout1d.forward: 4-D input',
        () => new nn.Dropout1d(0.5).forward(torch.zeros([1, 2, 3, 4])),
        RangeError,
        'dropout1d: Expected 2D or 3D input, but received a 4D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).',
      ],
      [
        'Upsample: unknown mode',
        () => new nn.Upsample({ scaleFactor: 2, mode: 'cubic' as never }),
        RangeError,
        "Expected one of 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area' for mode but received 'cubic' of type string",
      ],
      [
        'Upsample: unknown option',
        () => new nn.Upsample({ scale_factor: 2 } as never),
        TypeError,
        "Unknown option 'scale_factor' for Upsample; expected one of: size, scaleFactor, mode, alignCorners, recomputeScaleFactor",
      ],
      [
        'UpsamplingBilinear2d: mode is not an option',
        () => new nn.UpsamplingBilinear2d({ mode: 'nearest' } as never),
        TypeError,
        "Unknown option 'mode' for UpsamplingBilinear2d; expected one of: size, scaleFactor",
      ],
      ['PixelShuffle: factor 0', () => new nn.PixelShuffle(0), RangeError, 'Expected a positive integer for upscaleFactor but received 0 of type number'],
      [
        'PixelUnshuffle: fractional factor',
        () => new nn.PixelUnshuffle(1.5),
        TypeError,
        'Expected an integer for downscaleFactor but received 1.5 of type number',
      ],
      ['ChannelShuffle: groups 0', () => new nn.ChannelShuffle(0), RangeError, 'Expected a positive integer for groups but received 0 of type number'],
      ['ZeroPad2d: 3 sizes', () => new nn.ZeroPad2d([1, 2, 3]), RangeError, 'Expected an integer or 4 integers for padding but received an array of length 3'],
      ['ConstantPad1d: value a string', () => new nn.ConstantPad1d(1, '0' as never), TypeError, "Expected a number for value but received '0' of type string"],
      [
        'CircularPad2d.forward: 2-D input',
        () => new nn.CircularPad2d(1).forward(torch.zeros([3, 3])),
        RangeError,
        'Expected a 3-D or 4-D tensor for CircularPad2d input but received a 2-D tensor',
      ],
      ['Bilinear: zero size', () => new nn.Bilinear(0, 2, 3), RangeError, 'Expected a positive integer for in1Features but received 0 of type number'],
      [
        'Bilinear: unknown option',
        () => new nn.Bilinear(1, 2, 3, { bais: true } as never),
        TypeError,
        "Unknown option 'bais' for Bilinear; expected one of: bias, device, dtype",
      ],
      [
        'EmbeddingBag: unknown mode',
        () => new nn.EmbeddingBag(5, 2, { mode: 'min' as never }),
        RangeError,
        "Expected one of 'sum', 'mean', 'max' for mode but received 'min' of type string",
      ],
      [
        'EmbeddingBag: paddingIdx outside the table',
        () => new nn.EmbeddingBag(5, 2, { paddingIdx: 5 }),
        RangeError,
        'Expected an index in [-5, 4] for paddingIdx but received 5 of type number',
      ],
      [
        'EmbeddingBag: maxNorm a string',
        () => new nn.EmbeddingBag(5, 2, { maxNorm: '1' as never }),
        TypeError,
        "Expected a number or null for maxNorm but received '1' of type string",
      ],
      ['Dropout2d: p a string', () => new nn.Dropout2d('0.5' as never), TypeError, "Expected a number for p but received '0.5' of type string"],
      [
        'Upsample: scaleFactor a string',
        () => new nn.Upsample({ scaleFactor: '2' as never }),
        TypeError,
        "Expected a number or an array of numbers for scaleFactor but received '2' of type string",
      ],
      [
        'Upsample: size a string',
        () => new nn.Upsample({ size: '4' as never }),
        TypeError,
        "Expected an integer or an array of integers for size but received '4' of type string",
      ],
      [
        'Unflatten: fractional size',
        () => new nn.Unflatten(1, [2, 1.5]),
        TypeError,
        'Expected an integer for unflattenedSize[1] but received 1.5 of type number',
      ],
      [
        'Unflatten: size below -1',
        () => new nn.Unflatten(1, [-2, 4]),
        RangeError,
        'Expected an integer >= -1 for unflattenedSize[0] but received -2 of type number',
      ],
      [
        'EmbeddingBag: unknown option',
        () => new nn.EmbeddingBag(5, 2, { padding_idx: 0 } as never),
        TypeError,
        "Unknown option 'padding_idx' for EmbeddingBag; expected one of: maxNorm, normType, scaleGradByFreq, mode, sparse, includeLastOffset, paddingIdx, device, dtype",
      ],
    ]);
  });
});

describe('nn layers free their intermediates (live-tensor count)', () => {
  const nn2 = torch.nn;
  const cases: [string, () => torch.Tensor | readonly torch.Tensor[]][] = [];
  const x4 = () => torch.randn([2, 4, 6, 6]);
  const layer = <M extends { forward(x: torch.Tensor): torch.Tensor | readonly torch.Tensor[] }>(name: string, m: M, input: () => torch.Tensor) => {
    cases.push([
      name,
      () => {
        const x = input();
        const y = m.forward(x);
        x.dispose();
        return y;
      },
    ]);
  };
  layer("Conv2d paddingMode 'reflect'", new nn2.Conv2d(4, 2, 3, { padding: 1, paddingMode: 'reflect' }), x4);
  layer('BatchNorm2d (training)', new nn2.BatchNorm2d(4), x4);
  layer('InstanceNorm2d unbatched', new nn2.InstanceNorm2d(4), () => torch.randn([4, 5, 5]));
  layer('LocalResponseNorm on 4-D', new nn2.LocalResponseNorm(3), x4);
  layer('LocalResponseNorm on 3-D', new nn2.LocalResponseNorm(3), () => torch.randn([2, 4, 5]));
  layer('LPPool2d', new nn2.LPPool2d(2, 2), x4);
  layer('AdaptiveMaxPool2d', new nn2.AdaptiveMaxPool2d(3), x4);
  layer('MaxPool2d returnIndices', new nn2.MaxPool2d(2, { returnIndices: true }), x4);
  layer('EmbeddingBag on 2-D bags', new nn2.EmbeddingBag(10, 3), () => torch.randint(0, 10, [4, 3]));
  layer('Upsample bilinear', new nn2.Upsample({ scaleFactor: 2, mode: 'bilinear' }), x4);
  layer('CircularPad2d', new nn2.CircularPad2d(1), x4);
  for (const [name, run] of cases) {
    it(`${name}: only the outputs stay alive`, () => {
      torch.tidy(() => torch.noGrad(run)); // warm-up (lazily created state), outputs freed
      const before = torch.memory().numTensors;
      const out = torch.noGrad(run);
      const outs = out instanceof torch.Tensor ? [out] : [...out];
      expect(torch.memory().numTensors - before, 'new live tensors').to.equal(outs.length);
      for (const o of outs) o.dispose();
      expect(torch.memory().numTensors).to.equal(before);
    });
  }
});
