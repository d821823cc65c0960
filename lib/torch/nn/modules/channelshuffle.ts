/** ChannelShuffle (as `nn.ChannelShuffle`). */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { checkInt } from './args.js';

/**
 * Splits (N, C, *) channels into `groups` groups and interleaves them, as `nn.ChannelShuffle`.
 * @throws TypeError/RangeError unless groups is a positive integer.
 */
export class ChannelShuffle extends Module {
  readonly groups: number;
  constructor(groups: number) {
    super();
    this.groups = checkInt(groups, 'groups', 1);
  }
  /** @throws TorchError when the channels are not divisible by groups. */
  forward(input: Tensor): Tensor {
    return F.channelShuffle(input, this.groups);
  }
  override extraRepr(): string {
    return `groups=${this.groups}`;
  }
}
