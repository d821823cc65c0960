/** Dropout and activation layers. */
import { Module } from '../module.js';
import { Tensor } from '../../tensor.js';
import * as F from '../functional.js';
import { rangeError, checkOptions } from '../../errors.js';
import { pyFloat } from '../repr.js';

/** Zeroes elements with probability p (default 0.5) in training mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  /** @throws RangeError unless 0 <= p <= 1. */
  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    checkOptions(opts, ['inplace'], 'Dropout');
    if (!(p >= 0 && p <= 1)) rangeError('a probability in [0, 1]', 'p', p);
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }
  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training, inplace: this.inplace });
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`;
  }
}

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/** GELU; approximate 'none' (default) or 'tanh'. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new TypeError(`Expected 'none' or 'tanh' for approximate but received '${String(approximate)}'`);
  }
  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** Softmax along dim. */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Returns its input. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
