/**
 * Convolution layers and Fold/Unfold against PyTorch 2.13: outputs, input
 * gradients and every parameter gradient (TS weights loaded into Python),
 * state-dict keys, the printed form, default initialization statistics, and
 * the argument errors with their messages.
 */
import * as torch from '../lib/torch/index.js';
import { mcase, moduleCases, randIn } from './20-nn-helpers.js';
import { errorCases, initCases, scase, stateCases } from './21-nn-helpers.js';

const nn = torch.nn;
const tol = { rtol: 1e-4, atol: 1e-4 };

describe('nn convolution layers vs PyTorch', function () {
  this.timeout(120_000);

  describe('Conv1d/2d/3d: outputs and all gradients', () => {
    moduleCases([
      mcase({
        name: 'Conv1d(4, 6, 3) on [N, C, L]',
        make: () => new nn.Conv1d(4, 6, 3),
        build: 'nn.Conv1d(4, 6, 3)',
        inputs: { x: randIn([2, 4, 9], 1) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv1d unbatched [C, L], stride 2, padding 1, dilation 2, no bias',
        make: () => new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, dilation: 2, bias: false }),
        build: 'nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, bias=False)',
        inputs: { x: randIn([4, 11], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv1d padding 'same' with even kernel and dilation",
        make: () => new nn.Conv1d(3, 4, 4, { padding: 'same', dilation: 3 }),
        build: "nn.Conv1d(3, 4, 4, padding='same', dilation=3)",
        inputs: { x: randIn([2, 3, 12], 3) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv1d paddingMode 'circular'",
        make: () => new nn.Conv1d(3, 4, 3, { padding: 2, paddingMode: 'circular' }),
        build: "nn.Conv1d(3, 4, 3, padding=2, padding_mode='circular')",
        inputs: { x: randIn([2, 3, 7], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv2d(3, 8, 3) on [N, C, H, W]',
        make: () => new nn.Conv2d(3, 8, 3),
        build: 'nn.Conv2d(3, 8, 3)',
        inputs: { x: randIn([2, 3, 7, 6], 5) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv2d stride (2, 1), padding (1, 2), groups 2',
        make: () => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], groups: 2 }),
        build: 'nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), groups=2)',
        inputs: { x: randIn([2, 4, 7, 5], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv2d depthwise (groups = channels), dilation 2',
        make: () => new nn.Conv2d(4, 8, 3, { groups: 4, dilation: 2, padding: 2 }),
        build: 'nn.Conv2d(4, 8, 3, groups=4, dilation=2, padding=2)',
        inputs: { x: randIn([1, 4, 6, 6], 7) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d padding 'valid'",
        make: () => new nn.Conv2d(2, 3, 3, { padding: 'valid' }),
        build: "nn.Conv2d(2, 3, 3, padding='valid')",
        inputs: { x: randIn([2, 2, 5, 5], 8) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d padding 'same'",
        make: () => new nn.Conv2d(2, 3, [3, 4], { padding: 'same' }),
        build: "nn.Conv2d(2, 3, (3, 4), padding='same')",
        inputs: { x: randIn([2, 2, 5, 6], 9) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d paddingMode 'reflect'",
        make: () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: 'reflect' }),
        build: "nn.Conv2d(2, 3, 3, padding=1, padding_mode='reflect')",
        inputs: { x: randIn([2, 2, 5, 5], 10) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d paddingMode 'replicate' with 'same'",
        make: () => new nn.Conv2d(2, 3, 4, { padding: 'same', paddingMode: 'replicate' }),
        build: "nn.Conv2d(2, 3, 4, padding='same', padding_mode='replicate')",
        inputs: { x: randIn([2, 2, 6, 5], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv2d paddingMode 'circular' (unequal padding per dim)",
        make: () => new nn.Conv2d(2, 3, 3, { padding: [1, 2], paddingMode: 'circular' }),
        build: "nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode='circular')",
        inputs: { x: randIn([1, 2, 5, 6], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv2d unbatched [C, H, W]',
        make: () => new nn.Conv2d(2, 3, 2),
        build: 'nn.Conv2d(2, 3, 2)',
        inputs: { x: randIn([2, 4, 4], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv3d(2, 4, (2, 3, 2)), stride 2, padding 1',
        make: () => new nn.Conv3d(2, 4, [2, 3, 2], { stride: 2, padding: 1 }),
        build: 'nn.Conv3d(2, 4, (2, 3, 2), stride=2, padding=1)',
        inputs: { x: randIn([2, 2, 4, 5, 4], 14) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: "Conv3d paddingMode 'reflect', groups 2, no bias",
        make: () => new nn.Conv3d(2, 4, 3, { padding: 1, paddingMode: 'reflect', groups: 2, bias: false }),
        build: "nn.Conv3d(2, 4, 3, padding=1, padding_mode='reflect', groups=2, bias=False)",
        inputs: { x: randIn([1, 2, 4, 4, 4], 15) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'Conv2d float64',
        make: () => new nn.Conv2d(2, 3, 3, { dtype: 'float64' }),
        build: 'nn.Conv2d(2, 3, 3, dtype=torch.float64)',
        inputs: { x: randIn([2, 2, 5, 5], 16, { dtype: 'float64' }) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
    ]);
  });

  describe('ConvTranspose1d/2d/3d: outputs and all gradients', () => {
    moduleCases([
      mcase({
        name: 'ConvTranspose1d(4, 3, 3), stride 2',
        make: () => new nn.ConvTranspose1d(4, 3, 3, { stride: 2 }),
        build: 'nn.ConvTranspose1d(4, 3, 3, stride=2)',
        inputs: { x: randIn([2, 4, 5], 21) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'ConvTranspose2d stride 2, padding 1, outputPadding 1, groups 2, dilation 2',
        make: () => new nn.ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2 }),
        build: 'nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=2)',
        inputs: { x: randIn([2, 4, 4, 3], 22) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'ConvTranspose2d with outputSize picks the output padding',
        make: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 }),
        build: 'nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)',
        inputs: { x: randIn([2, 3, 4, 4], 23) },
        call: (m, x) => m.forward(x.x, [2, 2, 8, 8]),
        pyCall: 'm(x, output_size=[2, 2, 8, 8])',
        tol,
      }),
      mcase({
        name: 'ConvTranspose2d unbatched, no bias',
        make: () => new nn.ConvTranspose2d(3, 2, [2, 3], { bias: false }),
        build: 'nn.ConvTranspose2d(3, 2, (2, 3), bias=False)',
        inputs: { x: randIn([3, 4, 4], 24) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'ConvTranspose3d(2, 3, 2), stride (1, 2, 2)',
        make: () => new nn.ConvTranspose3d(2, 3, 2, { stride: [1, 2, 2] }),
        build: 'nn.ConvTranspose3d(2, 3, 2, stride=(1, 2, 2))',
        inputs: { x: randIn([1, 2, 3, 3, 3], 25) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
    ]);
  });

  describe('Fold/Unfold: outputs and input gradients', () => {
    moduleCases([
      mcase({
        name: 'Unfold(2) on [N, C, H, W]',
        make: () => new nn.Unfold(2),
        build: 'nn.Unfold(2)',
        inputs: { x: randIn([2, 3, 4, 5], 31) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Unfold((2, 3), dilation 2, padding 1, stride (2, 1))',
        make: () => new nn.Unfold([2, 3], { dilation: 2, padding: 1, stride: [2, 1] }),
        build: 'nn.Unfold((2, 3), dilation=2, padding=1, stride=(2, 1))',
        inputs: { x: randIn([1, 2, 6, 6], 32) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Fold((4, 5), 2) sums overlapping blocks',
        make: () => new nn.Fold([4, 5], 2),
        build: 'nn.Fold((4, 5), 2)',
        inputs: { x: randIn([2, 12, 12], 33) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'Fold(6, (2, 2), stride 2, padding 1) unbatched',
        make: () => new nn.Fold(6, [2, 2], { stride: 2, padding: 1 }),
        build: 'nn.Fold(6, (2, 2), stride=2, padding=1)',
        inputs: { x: randIn([8, 16], 34) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
    ]);
  });

  describe('printed form equals Python repr', () => {
    stateCases([
      scase({ name: 'Conv1d defaults', make: () => new nn.Conv1d(16, 33, 3), build: 'nn.Conv1d(16, 33, 3)' }),
      scase({
        name: 'Conv2d with every non-default',
        make: () => new nn.Conv2d(4, 8, [3, 5], { stride: [2, 1], padding: [4, 2], dilation: [3, 1], groups: 2, bias: false, paddingMode: 'circular' }),
        build: "nn.Conv2d(4, 8, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1), groups=2, bias=False, padding_mode='circular')",
      }),
      scase({ name: "Conv2d padding 'same'", make: () => new nn.Conv2d(3, 3, 3, { padding: 'same' }), build: "nn.Conv2d(3, 3, 3, padding='same')" }),
      scase({ name: "Conv3d padding 'valid'", make: () => new nn.Conv3d(3, 3, 3, { padding: 'valid' }), build: "nn.Conv3d(3, 3, 3, padding='valid')" }),
      scase({
        name: 'ConvTranspose2d with outputPadding',
        make: () => new nn.ConvTranspose2d(4, 2, 3, { stride: 2, outputPadding: 1 }),
        build: 'nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1)',
      }),
      scase({ name: 'ConvTranspose1d defaults', make: () => new nn.ConvTranspose1d(4, 2, 3), build: 'nn.ConvTranspose1d(4, 2, 3)' }),
      scase({ name: 'Fold', make: () => new nn.Fold([4, 5], [2, 2], { stride: 2 }), build: 'nn.Fold((4, 5), (2, 2), stride=2)' }),
      scase({ name: 'Unfold', make: () => new nn.Unfold(3, { padding: 1 }), build: 'nn.Unfold(3, padding=1)' }),
      scase({
        name: 'in a Sequential',
        make: () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU()),
        build: 'nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())',
      }),
    ]);
  });

  describe('default initialization matches PyTorch (kaiming-uniform weight, uniform bias)', () => {
    initCases([
      { name: 'Conv2d(64, 128, 3)', make: () => new nn.Conv2d(64, 128, 3), build: 'nn.Conv2d(64, 128, 3)' },
      { name: 'Conv1d(32, 256, 5, groups 4)', make: () => new nn.Conv1d(32, 256, 5, { groups: 4 }), build: 'nn.Conv1d(32, 256, 5, groups=4)' },
      { name: 'Conv3d(8, 64, 3)', make: () => new nn.Conv3d(8, 64, 3), build: 'nn.Conv3d(8, 64, 3)' },
      { name: 'ConvTranspose2d(64, 96, 4) (fan_in from dim 1)', make: () => new nn.ConvTranspose2d(64, 96, 4), build: 'nn.ConvTranspose2d(64, 96, 4)' },
    ]);
  });

  describe('argument errors', () => {
    errorCases([
      [
        'Conv2d: unknown option',
        () => new nn.Conv2d(1, 1, 1, { padding_mode: 'zeros' } as never),
        TypeError,
        "Unknown option 'padding_mode' for Conv2d; expected one of: stride, padding, dilation, groups, bias, paddingMode, device, dtype",
      ],
      ['Conv2d: zero inChannels', () => new nn.Conv2d(0, 1, 1), RangeError, 'Expected a positive integer for inChannels but received 0 of type number'],
      ['Conv2d: fractional outChannels', () => new nn.Conv2d(1, 1.5, 1), TypeError, 'Expected an integer for outChannels but received 1.5 of type number'],
      ['Conv2d: groups 0', () => new nn.Conv2d(2, 2, 1, { groups: 0 }), RangeError, 'Expected a positive integer for groups but received 0 of type number'],
      [
        'Conv2d: inChannels not divisible by groups',
        () => new nn.Conv2d(3, 4, 1, { groups: 2 }),
        RangeError,
        'Expected a multiple of groups (2) for inChannels but received 3 of type number',
      ],
      [
        'Conv2d: outChannels not divisible by groups',
        () => new nn.Conv2d(4, 3, 1, { groups: 2 }),
        RangeError,
        'Expected a multiple of groups (2) for outChannels but received 3 of type number',
      ],
      [
        'Conv2d: kernel of 3 sizes',
        () => new nn.Conv2d(1, 1, [1, 2, 3]),
        RangeError,
        'Expected an integer or 2 integers for kernelSize but received an array of length 3',
      ],
      ['Conv2d: kernel size 0', () => new nn.Conv2d(1, 1, [3, 0]), RangeError, 'Expected a positive integer for kernelSize[1] but received 0 of type number'],
      [
        'Conv2d: kernel as a string',
        () => new nn.Conv2d(1, 1, '3' as never),
        TypeError,
        "Expected an integer or 2 integers for kernelSize but received '3' of type string",
      ],
      [
        'Conv1d: negative padding',
        () => new nn.Conv1d(1, 1, 3, { padding: -1 }),
        RangeError,
        'Expected a non-negative integer for padding but received -1 of type number',
      ],
      ['Conv1d: stride 0', () => new nn.Conv1d(1, 1, 3, { stride: 0 }), RangeError, 'Expected a positive integer for stride but received 0 of type number'],
      [
        'Conv2d: unknown padding string',
        () => new nn.Conv2d(1, 1, 3, { padding: 'full' as never }),
        RangeError,
        "Expected one of 'same', 'valid' for padding but received 'full' of type string",
      ],
      [
        "Conv2d: 'same' with a stride",
        () => new nn.Conv2d(1, 1, 3, { padding: 'same', stride: 2 }),
        RangeError,
        "Expected stride 1 with padding 'same' for stride but received 2 of type number",
      ],
      [
        'Conv2d: unknown padding mode',
        () => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as never }),
        RangeError,
        "Expected one of 'zeros', 'reflect', 'replicate', 'circular' for paddingMode but received 'mirror' of type string",
      ],
      [
        'Conv2d: bias not a boolean',
        () => new nn.Conv2d(1, 1, 3, { bias: 1 as never }),
        TypeError,
        'Expected a boolean for bias but received 1 of type number',
      ],
      [
        'ConvTranspose2d: padding mode other than zeros',
        () => new nn.ConvTranspose2d(1, 1, 3, { paddingMode: 'reflect' as never }),
        RangeError,
        "Expected 'zeros' (the only padding mode of transposed convolutions) for paddingMode but received 'reflect' of type string",
      ],
      [
        'ConvTranspose2d: padding string',
        () => new nn.ConvTranspose2d(1, 1, 3, { padding: 'same' as never }),
        RangeError,
        "Expected an integer or integers (transposed convolutions take no padding string) for padding but received 'same' of type string",
      ],
      [
        'ConvTranspose2d: unknown option',
        () => new nn.ConvTranspose2d(1, 1, 3, { output_padding: 1 } as never),
        TypeError,
        "Unknown option 'output_padding' for ConvTranspose2d; expected one of: stride, padding, outputPadding, groups, bias, dilation, paddingMode, device, dtype",
      ],
      [
        'ConvTranspose2d.forward: unreachable outputSize',
        () => new nn.ConvTranspose2d(1, 1, 3, { stride: 2 }).forward(torch.zeros([1, 1, 4, 4]), [5, 12]),
        RangeError,
        'Expected sizes from (9, 9) to (10, 10) for outputSize but received (5, 12)',
      ],
      [
        'ConvTranspose2d.forward: outputSize of 3 sizes',
        () => new nn.ConvTranspose2d(1, 1, 3).forward(torch.zeros([1, 1, 4, 4]), [1, 6, 6]),
        RangeError,
        'Expected 2 or 4 sizes for outputSize but received an array of length 3',
      ],
      [
        'Fold: unknown option',
        () => new nn.Fold(4, 2, { step: 1 } as never),
        TypeError,
        "Unknown option 'step' for Fold; expected one of: dilation, padding, stride",
      ],
      [
        'Fold: outputSize a string',
        () => new nn.Fold('4' as never, 2),
        TypeError,
        "Expected an integer or 2 integers for outputSize but received '4' of type string",
      ],
      [
        'Fold: kernel of 3 sizes',
        () => new nn.Fold([4, 4], [2, 2, 2]),
        RangeError,
        'Expected an integer or 2 integers for kernelSize but received an array of length 3',
      ],
      ['Unfold: kernel 0', () => new nn.Unfold(0), RangeError, 'Expected a positive integer for kernelSize but received 0 of type number'],
    ]);
  });
});
