/**
 * Pooling layers against PyTorch 2.13: outputs, input gradients, returned
 * indices, MaxUnpool round trips, printed form, and argument errors.
 */
import * as torch from '../lib/torch/index.js';
import { mcase, moduleCases, randIn } from './20-nn-helpers.js';
import { errorCases, scase, stateCases } from './21-nn-helpers.js';

const nn = torch.nn;
const F = nn.functional;
const tol = { rtol: 1e-4, atol: 1e-5 };
const pos = (shape: number[], seed: number) => randIn(shape, seed, { lo: 0.1, hi: 2 });

describe('nn pooling layers vs PyTorch', function () {
  this.timeout(120_000);

  describe('outputs and input gradients', () => {
    moduleCases([
      mcase({
        name: 'MaxPool1d(3, stride 2, padding 1)',
        make: () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }),
        build: 'nn.MaxPool1d(3, stride=2, padding=1)',
        inputs: { x: randIn([2, 3, 9], 1) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'MaxPool2d(2)',
        make: () => new nn.MaxPool2d(2),
        build: 'nn.MaxPool2d(2)',
        inputs: { x: randIn([2, 3, 6, 5], 2) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'MaxPool2d(3, stride 2, padding 1, dilation 2, ceilMode)',
        make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }),
        build: 'nn.MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True)',
        inputs: { x: randIn([1, 2, 9, 8], 3) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'MaxPool2d((2, 3)) unbatched',
        make: () => new nn.MaxPool2d([2, 3]),
        build: 'nn.MaxPool2d((2, 3))',
        inputs: { x: randIn([2, 6, 6], 4) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'MaxPool2d with returnIndices: gradient through the output',
        make: () => new nn.MaxPool2d(2, { returnIndices: true }),
        build: 'nn.MaxPool2d(2, return_indices=True)',
        inputs: { x: randIn([2, 2, 4, 4], 5) },
        call: (m, x) => [m.forward(x.x)[0]],
        pyCall: 'm(x)[0]',
      }),
      mcase({
        name: 'MaxPool3d(2, stride 1)',
        make: () => new nn.MaxPool3d(2, { stride: 1 }),
        build: 'nn.MaxPool3d(2, stride=1)',
        inputs: { x: randIn([1, 2, 3, 4, 3], 6) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AvgPool1d(3, stride 2, padding 1, countIncludePad false)',
        make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }),
        build: 'nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False)',
        inputs: { x: randIn([2, 3, 8], 7) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AvgPool2d(3, stride 2, padding 1, ceilMode)',
        make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
        build: 'nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)',
        inputs: { x: randIn([2, 2, 6, 7], 8) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AvgPool2d((2, 3), divisorOverride 4)',
        make: () => new nn.AvgPool2d([2, 3], { divisorOverride: 4 }),
        build: 'nn.AvgPool2d((2, 3), divisor_override=4)',
        inputs: { x: randIn([1, 2, 4, 6], 9) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AvgPool3d(2, stride (1, 2, 2))',
        make: () => new nn.AvgPool3d(2, { stride: [1, 2, 2] }),
        build: 'nn.AvgPool3d(2, stride=(1, 2, 2))',
        inputs: { x: randIn([1, 2, 3, 4, 4], 10) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveAvgPool1d(3)',
        make: () => new nn.AdaptiveAvgPool1d(3),
        build: 'nn.AdaptiveAvgPool1d(3)',
        inputs: { x: randIn([2, 3, 7], 11) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveAvgPool2d((null, 3)) keeps H',
        make: () => new nn.AdaptiveAvgPool2d([null, 3]),
        build: 'nn.AdaptiveAvgPool2d((None, 3))',
        inputs: { x: randIn([2, 2, 5, 7], 12) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveAvgPool2d(1) (global average)',
        make: () => new nn.AdaptiveAvgPool2d(1),
        build: 'nn.AdaptiveAvgPool2d(1)',
        inputs: { x: randIn([2, 3, 4, 5], 13) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveAvgPool3d((2, 1, 3))',
        make: () => new nn.AdaptiveAvgPool3d([2, 1, 3]),
        build: 'nn.AdaptiveAvgPool3d((2, 1, 3))',
        inputs: { x: randIn([1, 2, 4, 3, 5], 14) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveMaxPool1d(4)',
        make: () => new nn.AdaptiveMaxPool1d(4),
        build: 'nn.AdaptiveMaxPool1d(4)',
        inputs: { x: randIn([2, 3, 9], 15) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveMaxPool2d((3, null))',
        make: () => new nn.AdaptiveMaxPool2d([3, null]),
        build: 'nn.AdaptiveMaxPool2d((3, None))',
        inputs: { x: randIn([2, 2, 7, 4], 16) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'AdaptiveMaxPool3d(2)',
        make: () => new nn.AdaptiveMaxPool3d(2),
        build: 'nn.AdaptiveMaxPool3d(2)',
        inputs: { x: randIn([1, 2, 4, 5, 3], 17) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
      }),
      mcase({
        name: 'MaxUnpool2d after MaxPool2d with indices',
        make: () => new nn.MaxUnpool2d(2),
        build: 'nn.MaxUnpool2d(2)',
        inputs: { x: randIn([2, 2, 4, 6], 18) },
        call: (m, x) => {
          const [o, i] = F.maxPool2dWithIndices(x.x, 2);
          return m.forward(o, i);
        },
        pyCall: 'm(*F.max_pool2d(x, 2, return_indices=True))',
      }),
      mcase({
        name: 'MaxUnpool1d with outputSize',
        make: () => new nn.MaxUnpool1d(2, { stride: 2 }),
        build: 'nn.MaxUnpool1d(2, stride=2)',
        inputs: { x: randIn([1, 2, 7], 19) },
        call: (m, x) => {
          const [o, i] = F.maxPool1dWithIndices(x.x, 2, 2);
          return m.forward(o, i, [7]);
        },
        pyCall: 'm(*F.max_pool1d(x, 2, 2, return_indices=True), output_size=[7])',
      }),
      mcase({
        name: 'MaxUnpool3d',
        make: () => new nn.MaxUnpool3d(2),
        build: 'nn.MaxUnpool3d(2)',
        inputs: { x: randIn([1, 1, 4, 4, 2], 20) },
        call: (m, x) => {
          const [o, i] = F.maxPool3dWithIndices(x.x, 2);
          return m.forward(o, i);
        },
        pyCall: 'm(*F.max_pool3d(x, 2, return_indices=True))',
      }),
      mcase({
        name: 'LPPool1d(2, 3)',
        make: () => new nn.LPPool1d(2, 3),
        build: 'nn.LPPool1d(2, 3)',
        inputs: { x: randIn([2, 3, 9], 21) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LPPool2d(1.5, (2, 3), stride 1) on positive input',
        make: () => new nn.LPPool2d(1.5, [2, 3], { stride: 1 }),
        build: 'nn.LPPool2d(1.5, (2, 3), stride=1)',
        inputs: { x: pos([1, 2, 4, 5], 22) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LPPool2d(3, 2, ceilMode)',
        make: () => new nn.LPPool2d(3, 2, { ceilMode: true }),
        build: 'nn.LPPool2d(3, 2, ceil_mode=True)',
        inputs: { x: pos([1, 2, 5, 5], 23) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
      mcase({
        name: 'LPPool3d(2, 2)',
        make: () => new nn.LPPool3d(2, 2),
        build: 'nn.LPPool3d(2, 2)',
        inputs: { x: randIn([1, 2, 4, 4, 4], 24) },
        call: (m, x) => m.forward(x.x),
        pyCall: 'm(x)',
        tol,
      }),
    ]);
  });

  describe('indices and printed form', () => {
    stateCases([
      scase({
        name: 'MaxPool2d returnIndices: [output, int64 indices]',
        make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true }),
        build: 'nn.MaxPool2d(3, stride=2, padding=1, return_indices=True)',
        inputs: { x: randIn([2, 2, 5, 6], 31) },
        steps: ['train'],
        call: (m, x) => m.forward(x.x),
      }),
      scase({
        name: 'MaxPool1d returnIndices',
        make: () => new nn.MaxPool1d(2, { returnIndices: true }),
        build: 'nn.MaxPool1d(2, return_indices=True)',
        inputs: { x: randIn([2, 3, 6], 32) },
        steps: ['eval'],
        call: (m, x) => m.forward(x.x),
      }),
      scase({
        name: 'MaxPool3d returnIndices',
        make: () => new nn.MaxPool3d(2, { returnIndices: true }),
        build: 'nn.MaxPool3d(2, return_indices=True)',
        inputs: { x: randIn([1, 2, 4, 4, 4], 33) },
        steps: ['eval'],
        call: (m, x) => m.forward(x.x),
      }),
      scase({
        name: 'AdaptiveMaxPool2d returnIndices',
        make: () => new nn.AdaptiveMaxPool2d([2, 3], { returnIndices: true }),
        build: 'nn.AdaptiveMaxPool2d((2, 3), return_indices=True)',
        inputs: { x: randIn([2, 2, 5, 7], 34) },
        steps: ['eval'],
        call: (m, x) => m.forward(x.x),
      }),
      scase({
        name: 'AdaptiveMaxPool1d returnIndices',
        make: () => new nn.AdaptiveMaxPool1d(3, { returnIndices: true }),
        build: 'nn.AdaptiveMaxPool1d(3, return_indices=True)',
        inputs: { x: randIn([2, 2, 7], 35) },
        steps: ['eval'],
        call: (m, x) => m.forward(x.x),
      }),
      scase({
        name: 'MaxPool2d repr (tuple sizes)',
        make: () => new nn.MaxPool2d([3, 2], { stride: [2, 1], padding: [1, 0], dilation: 2, ceilMode: true }),
        build: 'nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0), dilation=2, ceil_mode=True)',
      }),
      scase({ name: 'MaxPool1d repr', make: () => new nn.MaxPool1d(3), build: 'nn.MaxPool1d(3)' }),
      scase({ name: 'AvgPool1d repr (1-tuples)', make: () => new nn.AvgPool1d(3, { stride: 2 }), build: 'nn.AvgPool1d(3, stride=2)' }),
      scase({
        name: 'AvgPool2d repr',
        make: () => new nn.AvgPool2d(3, { padding: 1, divisorOverride: 2 }),
        build: 'nn.AvgPool2d(3, padding=1, divisor_override=2)',
      }),
      scase({ name: 'AvgPool3d repr', make: () => new nn.AvgPool3d([1, 2, 2]), build: 'nn.AvgPool3d((1, 2, 2))' }),
      scase({ name: 'AdaptiveAvgPool2d repr with None', make: () => new nn.AdaptiveAvgPool2d([null, 7]), build: 'nn.AdaptiveAvgPool2d((None, 7))' }),
      scase({ name: 'AdaptiveAvgPool1d repr', make: () => new nn.AdaptiveAvgPool1d(5), build: 'nn.AdaptiveAvgPool1d(5)' }),
      scase({ name: 'AdaptiveMaxPool3d repr', make: () => new nn.AdaptiveMaxPool3d([1, 2, 3]), build: 'nn.AdaptiveMaxPool3d((1, 2, 3))' }),
      scase({ name: 'MaxUnpool2d repr', make: () => new nn.MaxUnpool2d(2, { stride: 2, padding: 1 }), build: 'nn.MaxUnpool2d(2, stride=2, padding=1)' }),
      scase({ name: 'LPPool2d repr', make: () => new nn.LPPool2d(2, 3, { stride: 2 }), build: 'nn.LPPool2d(2, 3, stride=2)' }),
      scase({ name: 'LPPool1d repr', make: () => new nn.LPPool1d(1.5, 2), build: 'nn.LPPool1d(1.5, 2)' }),
    ]);
  });

  describe('argument errors', () => {
    errorCases([
      [
        'MaxPool2d: unknown option',
        () => new nn.MaxPool2d(2, { return_indices: true } as never),
        TypeError,
        "Unknown option 'return_indices' for MaxPool2d; expected one of: stride, padding, dilation, returnIndices, ceilMode",
      ],
      ['MaxPool2d: kernel 0', () => new nn.MaxPool2d(0), RangeError, 'Expected a positive integer for kernelSize but received 0 of type number'],
      [
        'MaxPool2d: kernel of 3 sizes',
        () => new nn.MaxPool2d([2, 2, 2]),
        RangeError,
        'Expected an integer or 2 integers for kernelSize but received an array of length 3',
      ],
      [
        'MaxPool1d: negative padding',
        () => new nn.MaxPool1d(2, { padding: -1 }),
        RangeError,
        'Expected a non-negative integer for padding but received -1 of type number',
      ],
      [
        'MaxPool2d: returnIndices not a boolean',
        () => new nn.MaxPool2d(2, { returnIndices: 1 as never }),
        TypeError,
        'Expected a boolean for returnIndices but received 1 of type number',
      ],
      [
        'AvgPool1d: divisorOverride is not an option',
        () => new nn.AvgPool1d(2, { divisorOverride: 2 } as never),
        TypeError,
        "Unknown option 'divisorOverride' for AvgPool1d; expected one of: stride, padding, ceilMode, countIncludePad",
      ],
      [
        'AvgPool2d: divisorOverride 0',
        () => new nn.AvgPool2d(2, { divisorOverride: 0 }),
        RangeError,
        'Expected a positive integer for divisorOverride but received 0 of type number',
      ],
      [
        'AvgPool2d: stride 0',
        () => new nn.AvgPool2d(2, { stride: [1, 0] }),
        RangeError,
        'Expected a positive integer for stride[1] but received 0 of type number',
      ],
      [
        'AdaptiveAvgPool2d: 3 sizes',
        () => new nn.AdaptiveAvgPool2d([1, 2, 3]),
        RangeError,
        "Expected an integer or 2 integers (null keeps the input's size) for outputSize but received an array of length 3",
      ],
      [
        'AdaptiveAvgPool2d: a string',
        () => new nn.AdaptiveAvgPool2d('7' as never),
        TypeError,
        "Expected an integer or 2 integers (null keeps the input's size) for outputSize but received '7' of type string",
      ],
      [
        'AdaptiveAvgPool2d.forward: input of too few dims for the null sizes',
        () => new nn.AdaptiveAvgPool2d([null, 2]).forward(torch.zeros([4])),
        RangeError,
        'Expected at least 3 dims for input but received a 1-D tensor',
      ],
      [
        'AdaptiveMaxPool1d: negative size',
        () => new nn.AdaptiveMaxPool1d(-1),
        RangeError,
        'Expected a non-negative integer for outputSize but received -1 of type number',
      ],
      [
        'MaxUnpool2d: unknown option',
        () => new nn.MaxUnpool2d(2, { output_size: [4, 4] } as never),
        TypeError,
        "Unknown option 'output_size' for MaxUnpool2d; expected one of: stride, padding",
      ],
      ['LPPool2d: normType 0', () => new nn.LPPool2d(0, 2), RangeError, 'Expected a non-zero number for normType but received 0 of type number'],
      ['LPPool2d: normType a string', () => new nn.LPPool2d('2' as never, 2), TypeError, "Expected a number for normType but received '2' of type string"],
      [
        'MaxPool2d: stride of 3 sizes',
        () => new nn.MaxPool2d(2, { stride: [1, 1, 1] }),
        RangeError,
        'Expected an integer or 2 integers for stride but received an array of length 3',
      ],
      [
        'MaxPool2d: padding a string',
        () => new nn.MaxPool2d(2, { padding: '1' as never }),
        TypeError,
        "Expected an integer or an array of integers for padding but received '1' of type string",
      ],
      [
        'MaxUnpool2d: kernel of 1 size',
        () => new nn.MaxUnpool2d([2]),
        RangeError,
        'Expected an integer or 2 integers for kernelSize but received an array of length 1',
      ],
      [
        'LPPool1d: unknown option',
        () => new nn.LPPool1d(2, 2, { ceil_mode: true } as never),
        TypeError,
        "Unknown option 'ceil_mode' for LPPool1d; expected one of: stride, ceilMode",
      ],
    ]);
  });
});
