/**
 * The loop of PyTorch's single-tensor optimizers, for the optimizers written
 * in TypeScript: each parameter with a gradient, group by group, in order,
 * without recording gradients, each update in its own tidy scope.
 */
import type { Tensor } from '../tensor.js';
import type { PyValue } from '../py-value.js';
import { full } from '../creation.js';
import { getDefaultDtype } from '../dtype.js';
import { describe } from '../errors.js';
import { tidy } from '../scope.js';
import { noGrad } from '../autograd.js';
import { hasGrad } from './optimizer.js';

/**
 * Calls `update(param, grad, group)` for every parameter that has a gradient (others are skipped,
 * as PyTorch's `_init_group` skips them). Temporaries are freed after each call; state tensors
 * must be kept with the optimizer's `own()`.
 */
export function forEachGrad<G extends { params: Tensor[] }>(groups: readonly G[], update: (param: Tensor, grad: Tensor, group: G) => void): void {
  noGrad(() => {
    for (const g of groups) {
      for (const p of g.params) {
        if (!hasGrad(p)) continue;
        tidy(() => {
          update(p, p.grad as Tensor, g);
        });
      }
    }
  });
}

/** The state tensor `key` of a parameter. @throws Error naming the optimizer and key when it is missing (a state dict of another optimizer). */
export function stateTensor(s: Record<string, Tensor | null>, key: string, optimizer: string): Tensor {
  const t = s[key];
  if (t === null || t === undefined) throw new Error(`${optimizer}: a parameter's state has no '${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}'`);
  return t;
}

/**
 * A number saved for a scalar state (PyTorch < 1.12's integer `step`; NAdam's `mu_product`; ASGD's `eta`
 * and `mu`) becomes a 0-dim tensor of the default dtype, as these optimizers' `__setstate__` do; null stays null.
 * @throws TypeError for anything else (naming the snake_cased key).
 */
export function scalarStateValue(key: string, v: PyValue<Tensor>, keys: readonly string[]): Tensor | null {
  if (v === null) return null;
  if (keys.includes(key) && typeof v === 'number') return full([], v, { dtype: getDefaultDtype() });
  throw new TypeError(`Expected a Tensor for state '${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}' but received ${describe(v)}`);
}
