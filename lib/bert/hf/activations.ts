/**
 * transformers' `ACT2FN` for the names a BERT config uses, each computed the
 * way transformers computes it (same formula, same order of operations).
 */
import type { Tensor } from '../../torch/index.js';
import { nn } from '../../torch/index.js';
import { HIDDEN_ACTS, type HiddenAct } from './config.js';

const F = nn.functional;
const SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

const ACTS: Record<HiddenAct, (x: Tensor) => Tensor> = {
  gelu: (x) => F.gelu(x),
  gelu_pytorch_tanh: (x) => F.gelu(x, { approximate: 'tanh' }),
  // 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
  gelu_new: (x) => x.mul(0.5).mul(x.add(x.pow(3.0).mul(0.044715)).mul(SQRT_2_OVER_PI).tanh().add(1.0)),
  // 0.5 * x * (1 + tanh(x * 0.7978845608 * (1 + 0.044715 * x * x)))
  gelu_fast: (x) => x.mul(0.5).mul(x.mul(0.7978845608).mul(x.mul(0.044715).mul(x).add(1.0)).tanh().add(1.0)),
  quick_gelu: (x) => x.mul(x.mul(1.702).sigmoid()),
  relu: (x) => F.relu(x),
  silu: (x) => F.silu(x),
  swish: (x) => F.silu(x),
  tanh: (x) => x.tanh(),
};

/**
 * The activation function named `name` (a config's `hidden_act`).
 * @throws RangeError for a name not in {@link HIDDEN_ACTS}.
 */
export function activation(name: string): (x: Tensor) => Tensor {
  if (!(HIDDEN_ACTS as readonly string[]).includes(name)) {
    throw new RangeError(`Expected one of ${HIDDEN_ACTS.join(', ')} for hiddenAct but received '${name}' of type string`);
  }
  return ACTS[name as HiddenAct];
}
