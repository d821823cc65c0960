/** PixelShuffle and PixelUnshuffle (as `nn.PixelShuffle` / `nn.PixelUnshuffle`). */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkInt } from './args.js';

/**
 * (*, C * r^2, H, W) to (*, C, H * r, W * r), as `nn.PixelShuffle`.
 * @throws TypeError/RangeError unless upscaleFactor is a positive integer.
 */
export class PixelShuffle extends Module {
  readonly upscaleFactor: number;
  constructor(upscaleFactor: number) {
    super();
    this.upscaleFactor = checkInt(upscaleFactor, 'upscaleFactor', 1);
  }
  /** @throws TorchError when the channels are not divisible by upscaleFactor^2. */
  forward(input: Tensor): Tensor {
    return F.pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/**
 * (*, C, H * r, W * r) to (*, C * r^2, H, W), as `nn.PixelUnshuffle`.
 * @throws TypeError/RangeError unless downscaleFactor is a positive integer.
 */
export class PixelUnshuffle extends Module {
  readonly downscaleFactor: number;
  constructor(downscaleFactor: number) {
    super();
    this.downscaleFactor = checkInt(downscaleFactor, 'downscaleFactor', 1);
  }
  /** @throws TorchError when H or W is not divisible by downscaleFactor. */
  forward(input: Tensor): Tensor {
    return F.pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
