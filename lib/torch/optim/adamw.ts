/** AdamW, as `torch.optim.AdamW` in PyTorch 2.x: Adam with `decoupledWeightDecay` fixed to true and its own weight decay default. */
import { flag, fixed, type OptionsOf } from './options.js';
import { ADAM_OPTIONS, Adam } from './adam.js';
import type { ParamsInput } from './optimizer.js';

/** AdamW's options: Adam's, with its own weightDecay default; decoupledWeightDecay is not an option (always true). */
export const ADAMW_OPTIONS = {
  ...ADAM_OPTIONS,
  /** Decoupled weight decay: each step multiplies the parameters by `1 - lr * weightDecay`. */
  weightDecay: { ...ADAM_OPTIONS.weightDecay, default: 1e-2 },
  /** Always true (loaded groups included, as PyTorch's `AdamW.__setstate__`). */
  decoupledWeightDecay: fixed(true, flag),
};

/** Options of {@link AdamW}: each of {@link ADAMW_OPTIONS} but decoupledWeightDecay, optional. */
export type AdamWOptions = OptionsOf<typeof ADAMW_OPTIONS>;

/** A parameter group of {@link AdamW} (Adam's). */
export type { AdamParamGroup as AdamWParamGroup } from './adam.js';

/**
 * AdamW (Loshchilov & Hutter): Adam with weight decay applied to the
 * parameters (`p *= 1 - lr * weightDecay`) instead of the gradient. As in
 * PyTorch 2.x it is an {@link Adam} (`instanceof Adam`), and its state dict
 * has Adam's keys with `decoupled_weight_decay: True`.
 */
export class AdamW extends Adam {
  /** The option table (names, PyTorch's defaults, checks). */
  static override readonly options: typeof ADAMW_OPTIONS = ADAMW_OPTIONS;

  /**
   * @param params tensors, `[name, tensor]` pairs, or parameter groups (`{params, lr?, weightDecay?, ...}`).
   * @param opts options overriding the defaults: each option, its default (PyTorch's) and its check are
   *   declared in {@link ADAMW_OPTIONS} (also `AdamW.options`): Adam's, with a weightDecay of its own.
   * @throws TypeError for an unknown option (decoupledWeightDecay included) or a value of the wrong kind;
   *   RangeError "Invalid learning rate: -1" (and likewise for eps, betas, weight_decay),
   *   for capturable/differentiable/fused set to true, and for an empty or overlapping parameter list.
   */
  constructor(params: ParamsInput<AdamWOptions>, opts: AdamWOptions = {}) {
    super(params, opts);
  }
}
