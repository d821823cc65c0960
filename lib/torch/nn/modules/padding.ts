/**
 * Padding layers (as `nn.ZeroPad1d/2d/3d`, `nn.ConstantPad1d/2d/3d`,
 * `nn.ReflectionPad1d/2d/3d`, `nn.ReplicationPad1d/2d/3d`,
 * `nn.CircularPad1d/2d/3d`): one integer pads every side; otherwise
 * (left, right[, top, bottom[, front, back]]), last dim first, as F.pad.
 */
import { Module } from '../module.js';
import type { Tensor } from '../../tensor.js';
import * as nnOps from '../../generated/nn.js';
import { checkNumber, checkInputDims, ntuple, pyTuple, type IntOrTuple } from './args.js';

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** The shared part of the padding layers. */
abstract class PadNd extends Module {
  /** (left, right, ...) per padded dim, last dim first. */
  readonly padding: number[];
  protected abstract readonly mode: Mode;
  protected constructor(nd: number, padding: IntOrTuple) {
    super();
    this.padding = ntuple(padding, 2 * nd, 'padding', -Infinity);
  }
  /** @throws TorchError when libtorch rejects the padding for this input (e.g. reflection wider than the input). */
  forward(input: Tensor): Tensor {
    return nnOps.pad(input, this.padding, this.mode);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

/** The constant-value padding layers. */
abstract class ConstantPadNd extends PadNd {
  protected readonly mode = 'constant';
  readonly value: number;
  protected constructor(nd: number, padding: IntOrTuple, value: number) {
    super(nd, padding);
    this.value = checkNumber(value, 'value', 0);
  }
  override forward(input: Tensor): Tensor {
    return nnOps.pad(input, this.padding, 'constant', this.value);
  }
  /** Python's form; an integral value prints as an int (Python prints what it was given). */
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${this.value}`;
  }
}

/** Pads the last dim with `value`, as `nn.ConstantPad1d`. @throws TypeError/RangeError for padding that is not an int or 2 ints, or a non-number value. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: IntOrTuple, value: number) {
    super(1, padding, value);
  }
}
/** Pads the last 2 dims with `value`, as `nn.ConstantPad2d` (padding: an int or 4 ints). @throws as ConstantPad1d. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: IntOrTuple, value: number) {
    super(2, padding, value);
  }
}
/** Pads the last 3 dims with `value`, as `nn.ConstantPad3d` (padding: an int or 6 ints). @throws as ConstantPad1d. */
export class ConstantPad3d extends ConstantPadNd {
  constructor(padding: IntOrTuple, value: number) {
    super(3, padding, value);
  }
}

/** Zero padding (PyTorch prints only the padding). */
abstract class ZeroPadNd extends ConstantPadNd {
  protected constructor(nd: number, padding: IntOrTuple) {
    super(nd, padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}
/** Pads the last dim with zeros, as `nn.ZeroPad1d`. @throws TypeError/RangeError for padding that is not an int or 2 ints. */
export class ZeroPad1d extends ZeroPadNd {
  constructor(padding: IntOrTuple) {
    super(1, padding);
  }
}
/** Pads the last 2 dims with zeros, as `nn.ZeroPad2d`. @throws as ZeroPad1d (4 ints). */
export class ZeroPad2d extends ZeroPadNd {
  constructor(padding: IntOrTuple) {
    super(2, padding);
  }
}
/** Pads the last 3 dims with zeros, as `nn.ZeroPad3d`. @throws as ZeroPad1d (6 ints). */
export class ZeroPad3d extends ZeroPadNd {
  constructor(padding: IntOrTuple) {
    super(3, padding);
  }
}

/** Mirror padding of the last dim (edge not repeated), as `nn.ReflectionPad1d`. @throws TypeError/RangeError for padding that is not an int or 2 ints. */
export class ReflectionPad1d extends PadNd {
  protected readonly mode = 'reflect';
  constructor(padding: IntOrTuple) {
    super(1, padding);
  }
}
/** Mirror padding of the last 2 dims, as `nn.ReflectionPad2d`. @throws as ReflectionPad1d (4 ints). */
export class ReflectionPad2d extends PadNd {
  protected readonly mode = 'reflect';
  constructor(padding: IntOrTuple) {
    super(2, padding);
  }
}
/** Mirror padding of the last 3 dims, as `nn.ReflectionPad3d`. @throws as ReflectionPad1d (6 ints). */
export class ReflectionPad3d extends PadNd {
  protected readonly mode = 'reflect';
  constructor(padding: IntOrTuple) {
    super(3, padding);
  }
}

/** Edge-value padding of the last dim, as `nn.ReplicationPad1d`. @throws TypeError/RangeError for padding that is not an int or 2 ints. */
export class ReplicationPad1d extends PadNd {
  protected readonly mode = 'replicate';
  constructor(padding: IntOrTuple) {
    super(1, padding);
  }
}
/** Edge-value padding of the last 2 dims, as `nn.ReplicationPad2d`. @throws as ReplicationPad1d (4 ints). */
export class ReplicationPad2d extends PadNd {
  protected readonly mode = 'replicate';
  constructor(padding: IntOrTuple) {
    super(2, padding);
  }
}
/** Edge-value padding of the last 3 dims, as `nn.ReplicationPad3d`. @throws as ReplicationPad1d (6 ints). */
export class ReplicationPad3d extends PadNd {
  protected readonly mode = 'replicate';
  constructor(padding: IntOrTuple) {
    super(3, padding);
  }
}

/** Wrap-around padding (checks the input's dims first, as PyTorch's `_CircularPadNd`). */
abstract class CircularPadNd extends PadNd {
  protected readonly mode = 'circular';
  private readonly dims: number[];
  protected constructor(nd: number, padding: IntOrTuple) {
    super(nd, padding);
    this.dims = [nd + 1, nd + 2];
  }
  /** @throws RangeError for input with other than nd + 1 or nd + 2 dims; TorchError for padding wider than the input. */
  override forward(input: Tensor): Tensor {
    checkInputDims(input, this.dims, this.constructor.name);
    return super.forward(input);
  }
}
/** Circular padding of the last dim of (N, C, L) or (C, L) input, as `nn.CircularPad1d`. @throws TypeError/RangeError for padding that is not an int or 2 ints. */
export class CircularPad1d extends CircularPadNd {
  constructor(padding: IntOrTuple) {
    super(1, padding);
  }
}
/** Circular padding of the last 2 dims, as `nn.CircularPad2d`. @throws as CircularPad1d (4 ints). */
export class CircularPad2d extends CircularPadNd {
  constructor(padding: IntOrTuple) {
    super(2, padding);
  }
}
/** Circular padding of the last 3 dims, as `nn.CircularPad3d`. @throws as CircularPad1d (6 ints). */
export class CircularPad3d extends CircularPadNd {
  constructor(padding: IntOrTuple) {
    super(3, padding);
  }
}
