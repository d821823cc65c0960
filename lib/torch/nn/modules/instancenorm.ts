/**
 * Instance normalization (as `nn.InstanceNorm1d/2d/3d`): per-sample, per-channel
 * statistics; optional affine parameters and running statistics (off by default).
 */
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { NormBase, type NormOptions } from './batchnorm.js';
import { checkInputDims } from './args.js';

/** InstanceNorm's forward (PyTorch's `_InstanceNorm`). */
abstract class InstanceNorm extends NormBase {
  /** Dims of an unbatched input (C, *spatial). */
  protected abstract readonly noBatchDim: number;

  /**
   * Normalizes each sample and channel over its spatial dims; unbatched input is accepted.
   * @throws RangeError for an input of the wrong number of dims, or (with affine) a channel count other than numFeatures.
   */
  forward(input: Tensor): Tensor {
    checkInputDims(input, [this.noBatchDim, this.noBatchDim + 1], this.constructor.name);
    const featureDim = input.dim() - this.noBatchDim;
    if (this.affine && input.size(featureDim) !== this.numFeatures) {
      throw new RangeError(
        `Expected size ${this.numFeatures} (numFeatures) at dim ${featureDim} for ${this.constructor.name} input but received size ${input.size(featureDim)}`,
      );
    }
    if (input.dim() === this.noBatchDim) {
      const batched = input.unsqueeze(0);
      const out = this.apply1(batched);
      batched.dispose();
      const r = out.squeeze(0);
      out.dispose();
      return r;
    }
    return this.apply1(input);
  }

  private apply1(input: Tensor): Tensor {
    return F.instanceNorm(
      input,
      this.running_mean,
      this.running_var,
      this.weight,
      this.bias,
      this.training || !this.trackRunningStats,
      this.momentum ?? 0,
      this.eps,
    );
  }
}

/**
 * Instance normalization over (N, C, L) or (C, L) input, as `nn.InstanceNorm1d`
 * (affine and trackRunningStats default false).
 * @throws TypeError for unknown options or arguments of the wrong kind; RangeError for a non-positive numFeatures.
 */
export class InstanceNorm1d extends InstanceNorm {
  protected readonly noBatchDim = 2;
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('InstanceNorm1d', numFeatures, opts, { affine: false, trackRunningStats: false });
  }
}

/** Instance normalization over (N, C, H, W) or (C, H, W) input, as `nn.InstanceNorm2d`. @throws as InstanceNorm1d. */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly noBatchDim = 3;
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('InstanceNorm2d', numFeatures, opts, { affine: false, trackRunningStats: false });
  }
}

/** Instance normalization over (N, C, D, H, W) or (C, D, H, W) input, as `nn.InstanceNorm3d`. @throws as InstanceNorm1d. */
export class InstanceNorm3d extends InstanceNorm {
  protected readonly noBatchDim = 4;
  constructor(numFeatures: number, opts: NormOptions = {}) {
    super('InstanceNorm3d', numFeatures, opts, { affine: false, trackRunningStats: false });
  }
}
