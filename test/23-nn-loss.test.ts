/**
 * Every loss module of torch.nn against PyTorch 2.13: values under each
 * reduction, gradients of the inputs (and of targets/variances where Python
 * gives them), state-dict keys (the `weight` / `pos_weight` buffers), printed
 * forms, and the constructor errors with their messages.
 */
import { expect } from 'chai';
import * as torch from '../lib/torch/index.js';
import type { Tensor } from '../lib/torch/index.js';
import { fixedIn, intIn, mcase, moduleCases, ok, pyNN, pythonHasTorch, randIn, type Enc, type PyError } from './20-nn-helpers.js';

const nn = torch.nn;
const N = 4,
  C = 5;

const W = [0.5, 1, 2, 1.5, 0.25];
const tW = () => torch.tensor(W);
const pyW = `torch.tensor(${JSON.stringify(W)})`;

const logits = (seed: number, shape = [N, C]) => randIn(shape, seed);
const target = (seed: number, shape = [N, C], lo = -2, hi = 2) => randIn(shape, seed, { lo, hi, requiresGrad: false });
const classes = (seed: number, shape = [N]) => intIn(shape, seed, 0, C);
const signs = (shape: number[], seed: number): Enc => {
  const e = intIn(shape, seed, 0, 2);
  return { ...e, data: e.data.map((v) => (v === 0 ? -1 : 1)), dtype: 'float32' };
};
const probs = (seed: number): Enc => {
  const raw = randIn([N, C], seed, { lo: 0.1, hi: 1, requiresGrad: false });
  const rows = Array.from({ length: N }, (_, i) => raw.data.slice(i * C, (i + 1) * C) as number[]);
  return { ...raw, data: rows.flatMap((r) => r.map((v) => v / r.reduce((a, b) => a + b, 0))) };
};

type Call2 = { forward(a: Tensor, b: Tensor): Tensor };
type Call3 = { forward(a: Tensor, b: Tensor, c: Tensor): Tensor };
const two = (m: torch.nn.Module, x: Record<string, Tensor>) => (m as unknown as Call2).forward(x.x, x.t);
const three = (m: torch.nn.Module, x: Record<string, Tensor>) => (m as unknown as Call3).forward(x.a, x.b, x.c);

const CASES = [
  // regression
  mcase({ name: 'L1Loss', make: () => new nn.L1Loss(), build: 'nn.L1Loss()', inputs: { x: logits(1), t: target(2) }, call: two, pyCall: 'm(x, t)' }),
  mcase({
    name: "L1Loss({ reduction: 'none' })",
    make: () => new nn.L1Loss({ reduction: 'none' }),
    build: "nn.L1Loss(reduction='none')",
    inputs: { x: logits(3), t: target(4) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'MSELoss (target with grad)',
    make: () => new nn.MSELoss(),
    build: 'nn.MSELoss()',
    inputs: { x: logits(5), t: randIn([N, C], 6) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: "MSELoss({ reduction: 'sum' })",
    make: () => new nn.MSELoss({ reduction: 'sum' }),
    build: "nn.MSELoss(reduction='sum')",
    inputs: { x: logits(7), t: target(8) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'HuberLoss(delta 0.5)',
    make: () => new nn.HuberLoss({ delta: 0.5 }),
    build: 'nn.HuberLoss(delta=0.5)',
    inputs: { x: logits(9), t: target(10) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: "SmoothL1Loss(beta 0.5, 'sum')",
    make: () => new nn.SmoothL1Loss({ beta: 0.5, reduction: 'sum' }),
    build: "nn.SmoothL1Loss(beta=0.5, reduction='sum')",
    inputs: { x: logits(11), t: target(12) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'SmoothL1Loss(beta 0) is L1',
    make: () => new nn.SmoothL1Loss({ beta: 0 }),
    build: 'nn.SmoothL1Loss(beta=0.0)',
    inputs: { x: logits(13), t: target(14) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'PoissonNLLLoss (log input)',
    make: () => new nn.PoissonNLLLoss(),
    build: 'nn.PoissonNLLLoss()',
    inputs: { x: logits(15), t: target(16, [N, C], 0, 4) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'PoissonNLLLoss(logInput false, full true)',
    make: () => new nn.PoissonNLLLoss({ logInput: false, full: true }),
    build: 'nn.PoissonNLLLoss(log_input=False, full=True)',
    inputs: { x: randIn([N, C], 17, { lo: 0.1, hi: 3 }), t: target(18, [N, C], 0, 4) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'GaussianNLLLoss (heteroscedastic var with grad, full)',
    make: () => new nn.GaussianNLLLoss({ full: true }),
    build: 'nn.GaussianNLLLoss(full=True)',
    inputs: { a: logits(19), b: target(20), c: randIn([N, C], 21, { lo: 0.05, hi: 2 }) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: "GaussianNLLLoss (var one dim short, eps clamps, 'none')",
    make: () => new nn.GaussianNLLLoss({ eps: 0.3, reduction: 'none' }),
    build: "nn.GaussianNLLLoss(eps=0.3, reduction='none')",
    inputs: { a: logits(22), b: target(23), c: randIn([N], 24, { lo: 0.01, hi: 1 }) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: 'GaussianNLLLoss (var [N, 1])',
    make: () => new nn.GaussianNLLLoss(),
    build: 'nn.GaussianNLLLoss()',
    inputs: { a: logits(25), b: target(26), c: randIn([N, 1], 27, { lo: 0.5, hi: 2 }) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: "KLDivLoss('batchmean')",
    make: () => new nn.KLDivLoss({ reduction: 'batchmean' }),
    build: "nn.KLDivLoss(reduction='batchmean')",
    inputs: { x: logits(28), t: probs(29) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.logSoftmax(1), x.t),
    pyCall: 'm(x.log_softmax(1), t)',
  }),
  mcase({
    name: 'KLDivLoss(logTarget, sum)',
    make: () => new nn.KLDivLoss({ logTarget: true, reduction: 'sum' }),
    build: "nn.KLDivLoss(log_target=True, reduction='sum')",
    inputs: { x: logits(30), t: target(31) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.logSoftmax(1), x.t.logSoftmax(1)),
    pyCall: 'm(x.log_softmax(1), t.log_softmax(1))',
  }),
  // classification
  mcase({
    name: 'CrossEntropyLoss (weight buffer, ignoreIndex, labelSmoothing)',
    make: () => new nn.CrossEntropyLoss({ weight: tW(), ignoreIndex: 2, labelSmoothing: 0.1 }),
    build: `nn.CrossEntropyLoss(weight=${pyW}, ignore_index=2, label_smoothing=0.1)`,
    inputs: { x: logits(32, [6, C]), t: fixedIn([0, 2, 4, 1, 2, 3], 'int64') },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'CrossEntropyLoss with class probabilities as target',
    make: () => new nn.CrossEntropyLoss({ labelSmoothing: 0.2 }),
    build: 'nn.CrossEntropyLoss(label_smoothing=0.2)',
    inputs: { x: logits(33), t: probs(34) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: "CrossEntropyLoss on [N, C, d] ('none')",
    make: () => new nn.CrossEntropyLoss({ reduction: 'none' }),
    build: "nn.CrossEntropyLoss(reduction='none')",
    inputs: { x: logits(35, [2, C, 3]), t: classes(36, [2, 3]) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'NLLLoss (weight)',
    make: () => new nn.NLLLoss({ weight: tW() }),
    build: `nn.NLLLoss(weight=${pyW})`,
    inputs: { x: logits(37), t: classes(38) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.logSoftmax(1), x.t),
    pyCall: 'm(x.log_softmax(1), t)',
  }),
  mcase({
    name: 'BCELoss (weight)',
    make: () => new nn.BCELoss({ weight: tW() }),
    build: `nn.BCELoss(weight=${pyW})`,
    inputs: { x: logits(39), t: target(40, [N, C], 0, 1) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.sigmoid(), x.t),
    pyCall: 'm(x.sigmoid(), t)',
  }),
  mcase({
    name: 'BCELoss (sum)',
    make: () => new nn.BCELoss({ reduction: 'sum' }),
    build: "nn.BCELoss(reduction='sum')",
    inputs: { x: logits(41), t: target(42, [N, C], 0, 1) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.sigmoid(), x.t),
    pyCall: 'm(x.sigmoid(), t)',
  }),
  mcase({
    name: 'BCEWithLogitsLoss (weight and pos_weight buffers)',
    make: () => new nn.BCEWithLogitsLoss({ weight: tW(), posWeight: torch.tensor([2, 1, 0.5, 3, 1]) }),
    build: `nn.BCEWithLogitsLoss(weight=${pyW}, pos_weight=torch.ones(${C}))`,
    inputs: { x: logits(43), t: target(44, [N, C], 0, 1) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'MultiLabelSoftMarginLoss (weight)',
    make: () => new nn.MultiLabelSoftMarginLoss({ weight: tW() }),
    build: `nn.MultiLabelSoftMarginLoss(weight=${pyW})`,
    inputs: { x: logits(45), t: { ...intIn([N, C], 46, 0, 2), dtype: 'float32' } },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: "MultiLabelSoftMarginLoss ('none')",
    make: () => new nn.MultiLabelSoftMarginLoss({ reduction: 'none' }),
    build: "nn.MultiLabelSoftMarginLoss(reduction='none')",
    inputs: { x: logits(47), t: { ...intIn([N, C], 48, 0, 2), dtype: 'float32' } },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'MultiMarginLoss (p 2, margin 0.5, weight)',
    make: () => new nn.MultiMarginLoss({ p: 2, margin: 0.5, weight: tW() }),
    build: `nn.MultiMarginLoss(p=2, margin=0.5, weight=${pyW})`,
    inputs: { x: logits(49), t: classes(50) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'MultiMarginLoss (defaults)',
    make: () => new nn.MultiMarginLoss(),
    build: 'nn.MultiMarginLoss()',
    inputs: { x: logits(51), t: classes(52) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'MultiLabelMarginLoss (targets padded with -1)',
    make: () => new nn.MultiLabelMarginLoss(),
    build: 'nn.MultiLabelMarginLoss()',
    inputs: {
      x: logits(53),
      t: fixedIn(
        [
          [3, 0, -1, 1, 2],
          [1, 2, 4, -1, 0],
          [0, -1, 0, 0, 0],
          [4, 3, 2, 1, 0],
        ],
        'int64',
      ),
    },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'SoftMarginLoss',
    make: () => new nn.SoftMarginLoss(),
    build: 'nn.SoftMarginLoss()',
    inputs: { x: logits(54), t: signs([N, C], 55) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'CTCLoss (tensor lengths, blank 0)',
    make: () => new nn.CTCLoss(),
    build: 'nn.CTCLoss()',
    inputs: { x: logits(56, [7, 2, C]), tg: intIn([2, 3], 57, 1, C), il: fixedIn([7, 6], 'int64'), tl: fixedIn([3, 2], 'int64') },
    call: (m, x) => (m as torch.nn.CTCLoss).forward(x.x.logSoftmax(2), x.tg, x.il, x.tl),
    pyCall: 'm(x.log_softmax(2), tg, il, tl)',
  }),
  mcase({
    name: "CTCLoss (array lengths, blank 4, 'sum', zeroInfinity)",
    make: () => new nn.CTCLoss({ blank: 4, reduction: 'sum', zeroInfinity: true }),
    build: "nn.CTCLoss(blank=4, reduction='sum', zero_infinity=True)",
    inputs: { x: logits(58, [5, 2, C]), tg: intIn([2, 4], 59, 0, 4) },
    call: (m, x) => (m as torch.nn.CTCLoss).forward(x.x.logSoftmax(2), x.tg, [5, 2], [4, 3]),
    pyCall: 'm(x.log_softmax(2), tg, [5, 2], [4, 3])',
  }),
  // pairs and triplets
  mcase({
    name: 'MarginRankingLoss(margin 0.3)',
    make: () => new nn.MarginRankingLoss({ margin: 0.3 }),
    build: 'nn.MarginRankingLoss(margin=0.3)',
    inputs: { a: logits(60, [6]), b: logits(61, [6]), c: signs([6], 62) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: "HingeEmbeddingLoss(margin 1.5, 'sum')",
    make: () => new nn.HingeEmbeddingLoss({ margin: 1.5, reduction: 'sum' }),
    build: "nn.HingeEmbeddingLoss(margin=1.5, reduction='sum')",
    inputs: { x: logits(63), t: signs([N, C], 64) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'CosineEmbeddingLoss(margin 0.2)',
    make: () => new nn.CosineEmbeddingLoss({ margin: 0.2 }),
    build: 'nn.CosineEmbeddingLoss(margin=0.2)',
    inputs: { a: logits(65), b: logits(66), c: signs([N], 67) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: 'TripletMarginLoss (p 1, swap)',
    make: () => new nn.TripletMarginLoss({ p: 1, swap: true, margin: 2 }),
    build: 'nn.TripletMarginLoss(p=1, swap=True, margin=2.0)',
    inputs: { a: logits(68), b: logits(69), c: logits(70) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: 'TripletMarginWithDistanceLoss (default distance)',
    make: () => new nn.TripletMarginWithDistanceLoss(),
    build: 'nn.TripletMarginWithDistanceLoss()',
    inputs: { a: logits(71), b: logits(72), c: logits(73) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  mcase({
    name: 'TripletMarginWithDistanceLoss (cosine distance, swap, none)',
    make: () =>
      new nn.TripletMarginWithDistanceLoss({
        distanceFunction: (x, y) => torch.nn.functional.cosineSimilarity(x, y).neg().add(1),
        swap: true,
        margin: 0.5,
        reduction: 'none',
      }),
    build: "nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), swap=True, margin=0.5, reduction='none')",
    inputs: { a: logits(74), b: logits(75), c: logits(76) },
    call: three,
    pyCall: 'm(a, b, c)',
  }),
  // PyTorch 2.13's LinearCrossEntropyLoss (reference path) and the deprecated NLLLoss2d
  mcase({
    name: 'LinearCrossEntropyLoss (bias)',
    make: () => new nn.LinearCrossEntropyLoss(3, C, { bias: true }),
    build: `nn.LinearCrossEntropyLoss(3, ${C}, bias=True)`,
    inputs: { x: logits(77, [N, 3]), t: classes(78) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'LinearCrossEntropyLoss (outFeatures [2], weight, ignoreIndex, labelSmoothing, sum)',
    make: () => new nn.LinearCrossEntropyLoss(3, C, { outFeatures: [2], weight: tW(), ignoreIndex: 1, labelSmoothing: 0.1, reduction: 'sum' }),
    build: `nn.LinearCrossEntropyLoss(3, ${C}, out_features=(2,), weight=${pyW}, ignore_index=1, label_smoothing=0.1, reduction='sum')`,
    inputs: { x: logits(79, [N, 3]), t: classes(80, [N, 2]) },
    call: two,
    pyCall: 'm(x, t)',
  }),
  mcase({
    name: 'NLLLoss2d on [N, C, H, W]',
    make: () => new nn.NLLLoss2d(),
    build: 'nn.NLLLoss2d()',
    inputs: { x: logits(81, [2, C, 2, 2]), t: classes(82, [2, 2, 2]) },
    call: (m, x) => (m as unknown as Call2).forward(x.x.logSoftmax(1), x.t),
    pyCall: 'm(x.log_softmax(1), t)',
  }),
  // AdaptiveLogSoftmaxWithLoss: (output, loss), log_prob, predict, 0-dim target
  mcase({
    name: 'AdaptiveLogSoftmaxWithLoss: output and loss (two tail clusters, divValue 2)',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], { divValue: 2 }),
    build: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)',
    inputs: { x: logits(83, [6, 8]), t: fixedIn([0, 4, 9, 2, 7, 5], 'int64') },
    call: (m, x) => {
      const r = (m as torch.nn.AdaptiveLogSoftmaxWithLoss).forward(x.x, x.t);
      return [r.output, r.loss];
    },
    pyCall: 'tuple(m(x, t))',
  }),
  mcase({
    name: 'AdaptiveLogSoftmaxWithLoss: headBias, 0-dim target',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5], { headBias: true }),
    build: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5], head_bias=True)',
    inputs: { x: logits(84, [8]), t: fixedIn(7 as never, 'int64') },
    call: (m, x) => {
      const r = (m as torch.nn.AdaptiveLogSoftmaxWithLoss).forward(x.x, x.t);
      return [r.output, r.loss];
    },
    pyCall: 'tuple(m(x, t))',
  }),
  mcase({
    name: 'AdaptiveLogSoftmaxWithLoss.logProb',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], { divValue: 2 }),
    build: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)',
    inputs: { x: logits(85, [4, 8]) },
    call: (m, x) => (m as torch.nn.AdaptiveLogSoftmaxWithLoss).logProb(x.x),
    pyCall: 'm.log_prob(x)',
  }),
  mcase({
    name: 'AdaptiveLogSoftmaxWithLoss.predict',
    make: () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6]),
    build: 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])',
    inputs: { x: logits(86, [5, 8]) },
    grad: false,
    call: (m, x) => (m as torch.nn.AdaptiveLogSoftmaxWithLoss).predict(x.x),
    pyCall: 'm.predict(x)',
  }),
];

const REPRS: [() => torch.nn.Module, string][] = [
  [() => new nn.CrossEntropyLoss({ weight: tW() }), `nn.CrossEntropyLoss(weight=${pyW})`],
  [() => new nn.KLDivLoss({ reduction: 'batchmean' }), "nn.KLDivLoss(reduction='batchmean')"],
  [() => new nn.TripletMarginLoss(), 'nn.TripletMarginLoss()'],
  [() => new nn.CTCLoss(), 'nn.CTCLoss()'],
  [() => new nn.LinearCrossEntropyLoss(4, 5), 'nn.LinearCrossEntropyLoss(4, 5)'],
  [
    () => new nn.LinearCrossEntropyLoss(4, 5, { outFeatures: [2, 3], bias: true, ignoreIndex: 0, labelSmoothing: 0.25, reduction: 'none' }),
    "nn.LinearCrossEntropyLoss(4, 5, out_features=(2, 3), bias=True, ignore_index=0, label_smoothing=0.25, reduction='none')",
  ],
  [() => new nn.LinearCrossEntropyLoss(4, 5, { outFeatures: [2] }), 'nn.LinearCrossEntropyLoss(4, 5, out_features=(2,))'],
  [() => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], { divValue: 2 }), 'nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0)'],
];

const PY_MISC = String.raw`
out = {'reprs': [repr(eval(e)) for e in D['reprs']],
       'stateKeys': [list(eval(e).state_dict().keys()) for e in D['keys']]}
`;

const KEYS: [() => torch.nn.Module, string][] = [
  [() => new nn.NLLLoss(), 'nn.NLLLoss()'],
  [() => new nn.BCEWithLogitsLoss({ posWeight: tW() }), `nn.BCEWithLogitsLoss(pos_weight=${pyW})`],
  [() => new nn.MultiMarginLoss({ weight: tW() }), `nn.MultiMarginLoss(weight=${pyW})`],
];

describe('nn losses vs PyTorch', function () {
  this.timeout(120_000);

  describe('values and gradients', () => {
    moduleCases(CASES);
  });

  describe('printed forms and buffers', () => {
    let py: { reprs: string[]; stateKeys: string[][] };
    before(function () {
      if (!pythonHasTorch()) this.skip();
      py = ok(pyNN<typeof py | PyError>([{ kind: 'exec', code: PY_MISC, data: { reprs: REPRS.map(([, p]) => p), keys: KEYS.map(([, p]) => p) } }])[0], 'misc');
    });
    it('prints as Python', () => {
      REPRS.forEach(([make], i) => expect(String(make())).to.equal(py.reprs[i]));
    });
    it('state-dict keys (weight buffers, none when absent) as Python', () => {
      KEYS.forEach(([make], i) => expect(Object.keys(make().stateDict())).to.deep.equal(py.stateKeys[i]));
    });
    it('weight buffers move with the module and posWeight reads the pos_weight buffer', () => {
      const m = new nn.BCEWithLogitsLoss({ weight: tW(), posWeight: tW() });
      expect(m.posWeight).to.be.instanceOf(torch.Tensor);
      m.to('float64');
      expect(m.weight?.dtype).to.equal('float64');
      expect(m.posWeight?.dtype).to.equal('float64');
      expect(m.namedBuffers().map(([k]) => k)).to.deep.equal(['weight', 'pos_weight']);
    });
  });

  describe('constructor errors', () => {
    const cases: [string, () => unknown, ErrorConstructor, string][] = [
      [
        'MSELoss unknown option',
        () => new nn.MSELoss({ reduce: false } as never),
        TypeError,
        "Unknown option 'reduce' for MSELoss; expected one of: reduction",
      ],
      [
        'MSELoss reduction as a string',
        () => new nn.MSELoss('sum' as never),
        TypeError,
        "Expected an options object for MSELoss options but received 'sum' of type string",
      ],
      [
        'L1Loss bad reduction',
        () => new nn.L1Loss({ reduction: 'avg' as never }),
        TypeError,
        "Expected 'none', 'mean' or 'sum' for reduction but received 'avg' of type string",
      ],
      [
        'KLDivLoss bad reduction',
        () => new nn.KLDivLoss({ reduction: 'avg' as never }),
        TypeError,
        "Expected 'none', 'mean', 'sum' or 'batchmean' for reduction but received 'avg' of type string",
      ],
      [
        'CrossEntropyLoss misspelled option',
        () => new nn.CrossEntropyLoss({ ignore_index: 0 } as never),
        TypeError,
        "Unknown option 'ignore_index' for CrossEntropyLoss; expected one of: ignoreIndex, labelSmoothing, weight, reduction",
      ],
      [
        'CrossEntropyLoss labelSmoothing > 1',
        () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }),
        RangeError,
        'Expected a value in [0, 1] for labelSmoothing but received 1.5 of type number',
      ],
      [
        'CrossEntropyLoss weight not a tensor',
        () => new nn.CrossEntropyLoss({ weight: [1, 2] as never }),
        TypeError,
        'Expected a Tensor or null for weight but received an array of length 2',
      ],
      [
        'NLLLoss fractional ignoreIndex',
        () => new nn.NLLLoss({ ignoreIndex: 0.5 }),
        TypeError,
        'Expected an integer for ignoreIndex but received 0.5 of type number',
      ],
      [
        'BCEWithLogitsLoss posWeight not a tensor',
        () => new nn.BCEWithLogitsLoss({ posWeight: 2 as never }),
        TypeError,
        'Expected a Tensor or null for posWeight but received 2 of type number',
      ],
      ['HuberLoss delta 0', () => new nn.HuberLoss({ delta: 0 }), RangeError, 'Expected a positive number for delta but received 0 of type number'],
      [
        'SmoothL1Loss negative beta',
        () => new nn.SmoothL1Loss({ beta: -1 }),
        RangeError,
        'Expected a non-negative number for beta but received -1 of type number',
      ],
      [
        'PoissonNLLLoss logInput not boolean',
        () => new nn.PoissonNLLLoss({ logInput: 1 as never }),
        TypeError,
        'Expected a boolean for logInput but received 1 of type number',
      ],
      ['MultiMarginLoss p 3', () => new nn.MultiMarginLoss({ p: 3 }), RangeError, 'Expected 1 or 2 for p but received 3 of type number'],
      ['CTCLoss negative blank', () => new nn.CTCLoss({ blank: -1 }), RangeError, 'Expected a non-negative integer for blank but received -1 of type number'],
      [
        'TripletMarginWithDistanceLoss margin 0',
        () => new nn.TripletMarginWithDistanceLoss({ margin: 0 }),
        RangeError,
        'Expected a positive number for margin but received 0 of type number',
      ],
      [
        'TripletMarginWithDistanceLoss distance not a function',
        () => new nn.TripletMarginWithDistanceLoss({ distanceFunction: 'cos' as never }),
        TypeError,
        "Expected a function or null for distanceFunction but received 'cos' of type string",
      ],
      [
        'LinearCrossEntropyLoss weight of the wrong shape',
        () => new nn.LinearCrossEntropyLoss(3, 4, { weight: torch.ones([3]) }),
        RangeError,
        'Expected a Tensor of shape [4] for weight but received a Tensor of shape [3]',
      ],
      [
        'LinearCrossEntropyLoss zero classes',
        () => new nn.LinearCrossEntropyLoss(3, 0),
        RangeError,
        'Expected a positive integer for numClasses but received 0 of type number',
      ],
      [
        'LinearCrossEntropyLoss unknown option',
        () => new nn.LinearCrossEntropyLoss(3, 2, { options: null } as never),
        TypeError,
        "Unknown option 'options' for LinearCrossEntropyLoss; expected one of: outFeatures, bias, device, dtype, ignoreIndex, labelSmoothing, weight, reduction",
      ],
      [
        'AdaptiveLogSoftmaxWithLoss unsorted cutoffs',
        () => new nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3]),
        RangeError,
        'cutoffs should be a sequence of unique, positive integers sorted in an increasing order, where each value is between 1 and n_classes-1',
      ],
      [
        'AdaptiveLogSoftmaxWithLoss target out of range',
        () => new nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3]).forward(torch.zeros([2, 4]), torch.tensor([1, 12])),
        RangeError,
        'Target values should be in [0, 9], but values in range [1, 12] were found. ',
      ],
      [
        'F.tripletMarginWithDistanceLoss inputs of different ranks',
        () => torch.nn.functional.tripletMarginWithDistanceLoss(torch.zeros([2, 3]), torch.zeros([2, 3]), torch.zeros([3])),
        RangeError,
        'The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs',
      ],
      [
        'F.tripletMarginWithDistanceLoss unknown option',
        () => torch.nn.functional.tripletMarginWithDistanceLoss(torch.zeros([2]), torch.zeros([2]), torch.zeros([2]), { distance: null } as never),
        TypeError,
        "Unknown option 'distance' for tripletMarginWithDistanceLoss; expected one of: distanceFunction, margin, swap, reduction",
      ],
      [
        'CTCLoss lengths of mixed kinds',
        () => new nn.CTCLoss().forward(torch.zeros([3, 1, 2]), torch.tensor([[1]]), torch.tensor([3]), [1]),
        TypeError,
        'Expected inputLengths and targetLengths both Tensors or both integer arrays',
      ],
      [
        'GaussianNLLLoss negative var',
        () => new nn.GaussianNLLLoss().forward(torch.zeros([2, 2]), torch.zeros([2, 2]), torch.full([2, 2], -1, { dtype: 'float32' })),
        RangeError,
        'var has negative entry/entries',
      ],
      [
        'GaussianNLLLoss var of the wrong shape',
        () => new nn.GaussianNLLLoss().forward(torch.zeros([2, 3]), torch.zeros([2, 3]), torch.ones([3])),
        RangeError,
        'var is of incorrect size',
      ],
    ];
    for (const [name, fn, cls, msg] of cases) {
      it(name, () => {
        expect(fn).to.throw(cls);
        try {
          fn();
        } catch (e) {
          expect((e as Error).message).to.equal(msg);
        }
      });
    }
  });
});
