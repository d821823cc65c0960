/** Parameter initialization (as `torch.nn.init`), all in place and without grad. */
import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd.js';
import { rangeError, typeError } from '../errors.js';

/** Nonlinearities calculateGain knows. */
export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** The recommended gain for a nonlinearity (leaky_relu slope default 0.01). @throws TypeError for unknown names. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      return typeError('a known nonlinearity', 'nonlinearity', nonlinearity);
  }
}

/** fan_in and fan_out as PyTorch computes them. @throws RangeError for fewer than 2 dims. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const s = t.shape;
  if (s.length < 2) throw new RangeError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = s.slice(2).reduce((a, b) => a * b, 1);
  return [s[1] * receptive, s[0] * receptive];
}

export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return noGrad(() => t.uniform_(a, b));
}
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return noGrad(() => t.normal_(mean, std));
}
export function constant_(t: Tensor, val: number): Tensor {
  return noGrad(() => t.fill_(val));
}
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}
export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

/** Xavier/Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fi + fo));
  return uniform_(t, -a, a);
}
/** Xavier/Glorot normal: N(0, gain * sqrt(2 / (fan_in + fan_out))). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const [fi, fo] = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)));
}

/** Options of the Kaiming initializers (a 0, mode 'fan_in', nonlinearity 'leaky_relu'). */
export interface KaimingOptions {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fi, fo] = calculateFanInAndFanOut(t);
  const mode = o.mode ?? 'fan_in';
  if (mode !== 'fan_in' && mode !== 'fan_out') typeError("'fan_in' or 'fan_out'", 'mode', mode);
  const fan = mode === 'fan_in' ? fi : fo;
  const gain = calculateGain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0);
  return gain / Math.sqrt(fan);
}
/** He uniform: U(-b, b), b = gain * sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t; // as PyTorch: initializing a zero-element tensor is a no-op
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound);
}
/** He normal: N(0, gain / sqrt(fan)). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  if (t.numel() === 0) return t; // as PyTorch: initializing a zero-element tensor is a no-op
  return normal_(t, 0, kaimingStd(t, opts));
}
/** Normal(mean, std) truncated to [a, b] (defaults 0, 1, -2, 2), by inverse-CDF as PyTorch does. */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  if (!(a < b)) rangeError('a < b', 'truncNormal_ bounds', [a, b]);
  const cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  return noGrad(() => {
    t.uniform_(2 * l - 1, 2 * u - 1);
    t.erfinv_()
      .mul_(std * Math.SQRT2)
      .add_(mean)
      .clamp_(a, b);
    return t;
  });
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for bounds; use a series/continued fraction.
  const sign = Math.sign(x);
  const ax = Math.abs(x);
  if (ax < 3) {
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return (sign * 2 * sum) / Math.sqrt(Math.PI);
  }
  return sign * (1 - Math.exp(-ax * ax) / (ax * Math.sqrt(Math.PI)));
}
