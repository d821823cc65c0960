/** The bases of the loss modules (as PyTorch's _Loss and _WeightedLoss) and their argument checks. */
import { Module } from '../../module.js';
import { Tensor } from '../../../tensor.js';
import { checkOptions, typeError } from '../../../errors.js';
import type { Reduction } from '../../functional.js';

export type { Reduction };

/** Options every loss takes. */
export interface LossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

/** Options of the losses with per-class weights. */
export interface WeightedLossOptions extends LossOptions {
  /** Per-class (or per-element) rescaling weights, registered as the buffer `weight` (default none). */
  weight?: Tensor | null;
}

/** @internal Checks a number option (TypeError unless a number). */
export function numberOption(v: unknown, name: string, def: number): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || Number.isNaN(v)) typeError('a number', name, v);
  return v;
}

/** @internal Checks a boolean option (TypeError unless a boolean). */
export function boolOption(v: unknown, name: string, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== 'boolean') typeError('a boolean', name, v);
  return v;
}

/** @internal Checks an integer option (TypeError unless an integer). */
export function intOption(v: unknown, name: string, def: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v)) typeError('an integer', name, v);
  return v as number;
}

/** @internal Checks a tensor-or-null option (TypeError otherwise). */
export function tensorOption(v: unknown, name: string): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) typeError('a Tensor or null', name, v);
  return v;
}

/** The base of every loss: checks the options and holds `reduction`. */
export abstract class Loss<R extends string = Reduction> extends Module {
  readonly reduction: R;
  /**
   * @param allowed the option names this loss takes (besides reduction).
   * @throws TypeError for an unknown option or reduction.
   */
  constructor(opts: object, allowed: readonly string[], reductions: readonly string[] = ['none', 'mean', 'sum']) {
    super();
    checkOptions(opts, [...allowed, 'reduction'], new.target.name);
    const r: string = (opts as { reduction?: string }).reduction ?? 'mean';
    if (!reductions.includes(r))
      typeError(
        reductions
          .map((x) => `'${x}'`)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1'),
        'reduction',
        r,
      );
    this.reduction = r as R;
  }
}

/** A loss with an optional `weight` buffer. */
export abstract class WeightedLoss extends Loss {
  weight: Tensor | null = null;
  constructor(opts: WeightedLossOptions, allowed: readonly string[]) {
    super(opts, [...allowed, 'weight']);
    this.registerBuffer('weight', tensorOption(opts.weight, 'weight'));
  }
}
