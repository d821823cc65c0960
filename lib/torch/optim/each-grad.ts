/**
 * The loop of PyTorch's single-tensor optimizers, for the optimizers written
 * in TypeScript: each parameter with a gradient, group by group, in order,
 * without recording gradients, each update in its own tidy scope.
 */
import type { Tensor } from '../tensor.js';
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
