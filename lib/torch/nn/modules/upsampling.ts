/** Upsample (as `nn.Upsample`, `nn.UpsamplingNearest2d`, `nn.UpsamplingBilinear2d`) over F.interpolate. */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkOptions, typeError } from '../../errors.js';
import { pyFloat } from '../repr.js';
import { checkChoice, intOrTuple, pySize, type IntOrTuple } from './args.js';

/** Options of Upsample (Python's keyword arguments). */
export interface UpsampleOptions {
  /** Output spatial size; give this or scaleFactor. */
  size?: IntOrTuple | null;
  /** Multiplier of the spatial size; give this or size. */
  scaleFactor?: number | readonly number[] | null;
  /** Default 'nearest'. */
  mode?: F.InterpolateMode;
  /** For the linear modes; default null (false). */
  alignCorners?: boolean | null;
  /** Default null. */
  recomputeScaleFactor?: boolean | null;
}

const MODES: readonly F.InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'];

/**
 * Resizes (N, C, *spatial) input, as `nn.Upsample`.
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' })
 * @throws TypeError for unknown options or values of the wrong kind; RangeError for an unknown mode.
 *   (Inconsistent size/scaleFactor is reported at forward by F.interpolate, as PyTorch.)
 */
export class Upsample extends Module {
  readonly size: IntOrTuple | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: F.InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(opts: UpsampleOptions = {}, name = 'Upsample') {
    super();
    checkOptions(opts, ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'], name);
    this.size = opts.size === undefined || opts.size === null ? null : intOrTuple(opts.size, 'size', 0);
    const sf = opts.scaleFactor;
    if (sf !== undefined && sf !== null && typeof sf !== 'number' && !Array.isArray(sf)) typeError('a number or an array of numbers', 'scaleFactor', sf);
    this.scaleFactor = sf === undefined || sf === null ? null : typeof sf === 'number' ? sf : [...sf];
    this.mode = checkChoice(opts.mode, 'mode', MODES, 'nearest');
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }
  /** @throws as F.interpolate. */
  forward(input: Tensor): Tensor {
    return F.interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info =
      sf !== null
        ? `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : sf.length === 1 ? `(${pyFloat(sf[0])},)` : `(${sf.map(pyFloat).join(', ')})`}`
        : `size=${pySize(this.size)}`;
    return `${info}, mode='${this.mode}'`;
  }
}

/** Nearest-neighbour 2-D upsampling, as `nn.UpsamplingNearest2d`. @throws as Upsample. */
export class UpsamplingNearest2d extends Upsample {
  constructor(opts: { size?: IntOrTuple | null; scaleFactor?: number | readonly number[] | null } = {}) {
    checkOptions(opts, ['size', 'scaleFactor'], 'UpsamplingNearest2d');
    super({ ...opts, mode: 'nearest' }, 'UpsamplingNearest2d');
  }
}

/** Bilinear 2-D upsampling with alignCorners true, as `nn.UpsamplingBilinear2d`. @throws as Upsample. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(opts: { size?: IntOrTuple | null; scaleFactor?: number | readonly number[] | null } = {}) {
    checkOptions(opts, ['size', 'scaleFactor'], 'UpsamplingBilinear2d');
    super({ ...opts, mode: 'bilinear', alignCorners: true }, 'UpsamplingBilinear2d');
  }
}
