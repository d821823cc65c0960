/**
 * Normalization layers against PyTorch 2.13: BatchNorm1d/2d/3d (running
 * statistics over several training steps, momentum null = cumulative
 * average, trackRunningStats false, eval with running statistics),
 * InstanceNorm1d/2d/3d, GroupNorm, RMSNorm, LocalResponseNorm: outputs, all
 * gradients, buffers after every step, state-dict keys, printed form, init,
 * and argument errors.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import { jitter, mcase, moduleCases, randIn } from './20-nn-helpers.js';
import { errorCases, initCases, scase, stateCases } from './21-nn-helpers.js';

const nn = torch.nn;
const F = nn.functional;
const tol = { rtol: 1e-4, atol: 1e-5 };
const TRAIN3: ('train' | 'eval')[] = ['train', 'train', 'train', 'eval'];

describe('nn normalization layers vs PyTorch', function () {
  this.timeout(120_000);

  describe('outputs and all gradients (training mode)', () => {
    moduleCases([
      mcase({
        name: 'BatchNorm1d on [N, C]',
        make: () => jitter(new nn.BatchNorm1d(5)),
        build: 'nn.BatchNorm1d(5)',
        inputs: { x: randIn([6, 5], 1) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm1d on [N, C, L]',
        make: () => jitter(new nn.BatchNorm1d(3)),
        build: 'nn.BatchNorm1d(3)',
        inputs: { x: randIn([4, 3, 5], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm2d',
        make: () => jitter(new nn.BatchNorm2d(3)),
        build: 'nn.BatchNorm2d(3)',
        inputs: { x: randIn([2, 3, 4, 5], 3) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm3d, eps 1e-3, no affine',
        make: () => new nn.BatchNorm3d(2, { eps: 1e-3, affine: false }),
        build: 'nn.BatchNorm3d(2, eps=1e-3, affine=False)',
        inputs: { x: randIn([2, 2, 3, 3, 4], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm2d without running stats',
        make: () => jitter(new nn.BatchNorm2d(3, { trackRunningStats: false })),
        build: 'nn.BatchNorm2d(3, track_running_stats=False)',
        inputs: { x: randIn([2, 3, 3, 3], 5) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm2d in eval mode (running statistics)',
        make: () => jitter(new nn.BatchNorm2d(3)),
        build: 'nn.BatchNorm2d(3)',
        train: false,
        inputs: { x: randIn([2, 3, 3, 3], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'InstanceNorm1d (no affine, no running stats)',
        make: () => new nn.InstanceNorm1d(3),
        build: 'nn.InstanceNorm1d(3)',
        inputs: { x: randIn([2, 3, 6], 7) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'InstanceNorm2d affine',
        make: () => jitter(new nn.InstanceNorm2d(3, { affine: true })),
        build: 'nn.InstanceNorm2d(3, affine=True)',
        inputs: { x: randIn([2, 3, 4, 4], 8) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'InstanceNorm2d unbatched [C, H, W]',
        make: () => jitter(new nn.InstanceNorm2d(3, { affine: true })),
        build: 'nn.InstanceNorm2d(3, affine=True)',
        inputs: { x: randIn([3, 4, 5], 9) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'InstanceNorm3d with running stats',
        make: () => new nn.InstanceNorm3d(2, { trackRunningStats: true }),
        build: 'nn.InstanceNorm3d(2, track_running_stats=True)',
        inputs: { x: randIn([2, 2, 3, 3, 3], 10) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'BatchNorm2d without bias (bias: false)',
        make: () => jitter(new nn.BatchNorm2d(3, { bias: false })),
        build: 'nn.BatchNorm2d(3, bias=False)',
        inputs: { x: randIn([2, 3, 2, 3], 19) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'GroupNorm without bias',
        make: () => jitter(new nn.GroupNorm(2, 4, { bias: false })),
        build: 'nn.GroupNorm(2, 4, bias=False)',
        inputs: { x: randIn([2, 4, 3], 20) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'GroupNorm(2, 6)',
        make: () => jitter(new nn.GroupNorm(2, 6)),
        build: 'nn.GroupNorm(2, 6)',
        inputs: { x: randIn([3, 6, 4], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'GroupNorm(3, 6, eps 1e-3, no affine) on 4-D',
        make: () => new nn.GroupNorm(3, 6, { eps: 1e-3, affine: false }),
        build: 'nn.GroupNorm(3, 6, eps=1e-3, affine=False)',
        inputs: { x: randIn([2, 6, 3, 3], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'RMSNorm(5) default eps',
        make: () => jitter(new nn.RMSNorm(5)),
        build: 'nn.RMSNorm(5)',
        inputs: { x: randIn([3, 4, 5], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'RMSNorm([4, 5], eps 1e-2)',
        make: () => jitter(new nn.RMSNorm([4, 5], { eps: 1e-2 })),
        build: 'nn.RMSNorm([4, 5], eps=1e-2)',
        inputs: { x: randIn([2, 4, 5], 14) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'RMSNorm without weight',
        make: () => new nn.RMSNorm(5, { elementwiseAffine: false }),
        build: 'nn.RMSNorm(5, elementwise_affine=False)',
        inputs: { x: randIn([3, 5], 15) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LocalResponseNorm(2) on 3-D',
        make: () => new nn.LocalResponseNorm(2),
        build: 'nn.LocalResponseNorm(2)',
        inputs: { x: randIn([2, 5, 4], 16) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LocalResponseNorm(3, alpha 0.1, beta 0.5, k 2) on 4-D',
        make: () => new nn.LocalResponseNorm(3, { alpha: 0.1, beta: 0.5, k: 2 }),
        build: 'nn.LocalResponseNorm(3, alpha=0.1, beta=0.5, k=2.0)',
        inputs: { x: randIn([2, 6, 3, 3], 17) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LocalResponseNorm(4) on 5-D',
        make: () => new nn.LocalResponseNorm(4),
        build: 'nn.LocalResponseNorm(4)',
        inputs: { x: randIn([1, 5, 2, 3, 2], 18) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
    ]);
  });

  describe('running statistics over train steps, then eval; printed form', () => {
    const x2 = randIn([4, 3, 3, 2], 21);
    stateCases([
      scase({
        name: 'BatchNorm2d momentum 0.1: running_mean/var and num_batches_tracked after 3 steps, eval after',
        make: () => new nn.BatchNorm2d(3),
        build: 'nn.BatchNorm2d(3)',
        inputs: { x: x2 },
        steps: TRAIN3,
        tol,
      }),
      scase({
        name: 'BatchNorm2d momentum null (cumulative moving average)',
        make: () => new nn.BatchNorm2d(3, { momentum: null }),
        build: 'nn.BatchNorm2d(3, momentum=None)',
        inputs: { x: x2 },
        steps: TRAIN3,
        tol,
      }),
      scase({
        name: 'BatchNorm1d momentum 0.5 on [N, C, L]',
        make: () => new nn.BatchNorm1d(3, { momentum: 0.5 }),
        build: 'nn.BatchNorm1d(3, momentum=0.5)',
        inputs: { x: randIn([4, 3, 5], 22) },
        steps: TRAIN3,
        tol,
      }),
      scase({
        name: 'BatchNorm3d without running stats: batch statistics in eval too',
        make: () => new nn.BatchNorm3d(2, { trackRunningStats: false }),
        build: 'nn.BatchNorm3d(2, track_running_stats=False)',
        inputs: { x: randIn([2, 2, 2, 3, 2], 23) },
        steps: ['train', 'eval'],
        tol,
      }),
      scase({
        name: 'InstanceNorm1d with running stats (updated, num_batches_tracked kept at 0)',
        make: () => new nn.InstanceNorm1d(3, { trackRunningStats: true, momentum: 0.3 }),
        build: 'nn.InstanceNorm1d(3, track_running_stats=True, momentum=0.3)',
        inputs: { x: randIn([2, 3, 6], 24) },
        steps: TRAIN3,
        tol,
      }),
      scase({ name: 'GroupNorm repr', make: () => new nn.GroupNorm(2, 4, { affine: false }), build: 'nn.GroupNorm(2, 4, affine=False)' }),
      scase({ name: 'RMSNorm repr', make: () => new nn.RMSNorm([3, 4], { eps: 1e-6 }), build: 'nn.RMSNorm([3, 4], eps=1e-6)' }),
      scase({ name: 'LocalResponseNorm repr', make: () => new nn.LocalResponseNorm(5, { k: 2 }), build: 'nn.LocalResponseNorm(5, k=2.0)' }),
      scase({ name: 'InstanceNorm3d repr', make: () => new nn.InstanceNorm3d(4, { affine: true }), build: 'nn.InstanceNorm3d(4, affine=True)' }),
      scase({
        name: 'BatchNorm1d repr with eps 1e-3, affine false',
        make: () => new nn.BatchNorm1d(7, { eps: 1e-3, affine: false }),
        build: 'nn.BatchNorm1d(7, eps=1e-3, affine=False)',
      }),
    ]);
  });

  describe('buffers and state dict', () => {
    it('BatchNorm2d: buffers named as PyTorch, int64 num_batches_tracked, camelCase getters read them', () => {
      const bn = new nn.BatchNorm2d(4);
      expect(Object.keys(bn.stateDict())).to.deep.equal(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
      expect(bn.namedBuffers().map(([k]) => k)).to.deep.equal(['running_mean', 'running_var', 'num_batches_tracked']);
      expect(bn.numBatchesTracked?.dtype).to.equal('int64');
      expect(bn.runningMean).to.equal(bn.running_mean);
      expect(bn.runningVar).to.equal(bn.running_var);
      torch.tidy(() => bn.forward(torch.randn([2, 4, 3, 3])));
      expect(bn.numBatchesTracked?.item()).to.equal(1);
      bn.resetRunningStats();
      expect(bn.numBatchesTracked?.item()).to.equal(0);
      expect(bn.runningVar?.dataSync()).to.deep.equal([1, 1, 1, 1]);
    });
    it('BatchNorm2d without running stats has no buffers; eval uses batch statistics', () => {
      const bn = new nn.BatchNorm2d(2, { trackRunningStats: false });
      expect(Object.keys(bn.stateDict())).to.deep.equal(['weight', 'bias']);
      expect(bn.runningMean).to.equal(null);
    });
    it('a state dict round-trips through loadStateDict (buffers included)', () => {
      const a = new nn.BatchNorm1d(3);
      torch.tidy(() => a.forward(torch.randn([5, 3])));
      const b = new nn.BatchNorm1d(3);
      b.loadStateDict(a.stateDict());
      expect(b.runningMean?.dataSync()).to.deep.equal(a.runningMean?.dataSync());
      expect(b.numBatchesTracked?.item()).to.equal(1);
    });
    it('F.localResponseNorm returns a new tensor for empty input', () => {
      const e = torch.zeros([0, 3, 2]);
      const r = F.localResponseNorm(e, 2);
      expect(r.shape).to.deep.equal([0, 3, 2]);
      expect(r).to.not.equal(e);
    });
  });

  describe('default initialization matches PyTorch', () => {
    initCases([
      { name: 'BatchNorm2d(256): ones, zeros, zeros, ones', make: () => new nn.BatchNorm2d(256), build: 'nn.BatchNorm2d(256)' },
      { name: 'GroupNorm(8, 256)', make: () => new nn.GroupNorm(8, 256), build: 'nn.GroupNorm(8, 256)' },
      { name: 'RMSNorm(300)', make: () => new nn.RMSNorm(300), build: 'nn.RMSNorm(300)' },
    ]);
  });

  describe('argument errors', () => {
    errorCases([
      [
        'BatchNorm2d: unknown option',
        () => new nn.BatchNorm2d(3, { track_running_stats: false } as never),
        TypeError,
        "Unknown option 'track_running_stats' for BatchNorm2d; expected one of: eps, momentum, affine, trackRunningStats, bias, device, dtype",
      ],
      ['BatchNorm1d: zero features', () => new nn.BatchNorm1d(0), RangeError, 'Expected a positive integer for numFeatures but received 0 of type number'],
      [
        'BatchNorm1d: momentum a string',
        () => new nn.BatchNorm1d(2, { momentum: '0.1' as never }),
        TypeError,
        "Expected a number or null for momentum but received '0.1' of type string",
      ],
      [
        'BatchNorm1d: affine not a boolean',
        () => new nn.BatchNorm1d(2, { affine: 1 as never }),
        TypeError,
        'Expected a boolean for affine but received 1 of type number',
      ],
      [
        'BatchNorm2d.forward: 3-D input',
        () => new nn.BatchNorm2d(3).forward(torch.zeros([2, 3, 4])),
        RangeError,
        'Expected a 4-D tensor for BatchNorm2d input but received a 3-D tensor',
      ],
      [
        'BatchNorm1d.forward: 4-D input',
        () => new nn.BatchNorm1d(3).forward(torch.zeros([2, 3, 4, 4])),
        RangeError,
        'Expected a 2-D or 3-D tensor for BatchNorm1d input but received a 4-D tensor',
      ],
      [
        'BatchNorm1d.forward: not a tensor',
        () => new nn.BatchNorm1d(3).forward([1, 2] as never),
        TypeError,
        'Expected a Tensor for BatchNorm1d input but received an array of length 2',
      ],
      [
        'InstanceNorm2d.forward: 2-D input',
        () => new nn.InstanceNorm2d(3).forward(torch.zeros([3, 4])),
        RangeError,
        'Expected a 3-D or 4-D tensor for InstanceNorm2d input but received a 2-D tensor',
      ],
      [
        'InstanceNorm1d.forward (affine): wrong channel count',
        () => new nn.InstanceNorm1d(3, { affine: true }).forward(torch.zeros([2, 4, 5])),
        RangeError,
        'Expected size 3 (numFeatures) at dim 1 for InstanceNorm1d input but received size 4',
      ],
      [
        'GroupNorm: channels not divisible by groups',
        () => new nn.GroupNorm(4, 6),
        RangeError,
        'Expected a multiple of numGroups (4) for numChannels but received 6 of type number',
      ],
      [
        'GroupNorm: unknown option',
        () => new nn.GroupNorm(2, 4, { elementwiseAffine: true } as never),
        TypeError,
        "Unknown option 'elementwiseAffine' for GroupNorm; expected one of: eps, affine, bias, device, dtype",
      ],
      [
        'RMSNorm: eps a string',
        () => new nn.RMSNorm(3, { eps: '1e-5' as never }),
        TypeError,
        "Expected a number or null for eps but received '1e-5' of type string",
      ],
      [
        'RMSNorm: normalizedShape a string',
        () => new nn.RMSNorm('3' as never),
        TypeError,
        "Expected an integer or an array of integers for normalizedShape but received '3' of type string",
      ],
      [
        'BatchNorm2d: eps a string',
        () => new nn.BatchNorm2d(2, { eps: '1e-5' as never }),
        TypeError,
        "Expected a number for eps but received '1e-5' of type string",
      ],
      ['RMSNorm: zero size', () => new nn.RMSNorm([3, 0]), RangeError, 'Expected a positive integer for normalizedShape[1] but received 0 of type number'],
      ['LocalResponseNorm: size 0', () => new nn.LocalResponseNorm(0), RangeError, 'Expected a positive integer for size but received 0 of type number'],
      [
        'LocalResponseNorm: unknown option',
        () => new nn.LocalResponseNorm(2, { bias: 1 } as never),
        TypeError,
        "Unknown option 'bias' for LocalResponseNorm; expected one of: alpha, beta, k",
      ],
      [
        'LocalResponseNorm.forward: 2-D input',
        () => new nn.LocalResponseNorm(2).forward(torch.zeros([2, 3])),
        RangeError,
        'Expected 3D or higher dimensionality input for localResponseNorm input but received 2 dimensions',
      ],
    ]);
  });
});
