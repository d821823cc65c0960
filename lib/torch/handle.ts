/**
 * The bridge between tensors and native handles, used by the generated op
 * layer. Kept apart from tensor.ts so that the generated base class and the
 * Tensor class can import it without a cycle.
 */
import { native, type Handle } from './native.js';
import { describe } from './errors.js';
import { dtypeCode, type DType } from './dtype.js';
import { deviceString, type DeviceLike } from './device.js';

/** The minimal shape of a tensor as the op layer sees it. */
export interface HasHandle {
  readonly _h: Handle;
}

type Factory = (h: Handle) => HasHandle;
let factory: Factory | undefined;
let isTensorFn: (v: unknown) => boolean = () => false;

/** Called once by tensor.ts. */
export function registerTensorClass(make: Factory, isTensor: (v: unknown) => boolean): void {
  factory = make;
  isTensorFn = isTensor;
}

/** True when `v` is a Tensor. */
export function isTensor(v: unknown): boolean {
  return isTensorFn(v);
}

/** Wraps a handle returned by the addon into a (scope-tracked) Tensor. */
export function wrap<T = HasHandle>(h: unknown): T {
  return (factory as Factory)(h as Handle) as T;
}

/** Wraps an array of handles (nulls stay null). */
export function wrapList<T = HasHandle>(hs: unknown): T[] {
  return (hs as (Handle | null)[]).map((x) => (x === null ? null : wrap<T>(x))) as T[];
}

/** The handle of a tensor argument. @throws TypeError when `v` is not a Tensor. */
export function h(v: unknown, name: string): Handle {
  if (!isTensorFn(v)) throw new TypeError(`Expected Tensor for ${name} but received ${describe(v)}`);
  return (v as HasHandle)._h;
}

/** Handle of an optional tensor argument (null/undefined stay null). */
export function hOpt(v: unknown, name: string): Handle | null {
  return v === null || v === undefined ? null : h(v, name);
}

/** Handles of a tensor list. @throws TypeError when it is not an array of Tensors. */
export function hList(v: unknown, name: string): Handle[] {
  if (!Array.isArray(v)) throw new TypeError(`Expected an array of Tensors for ${name} but received ${describe(v)}`);
  const out = new Array<Handle>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    out[i] = isTensorFn(x) ? (x as HasHandle)._h : h(x, `${name}[${i}]`);
  }
  return out;
}

/** Handles of a list of optional tensors. */
export function hOptList(v: unknown, name: string): (Handle | null)[] {
  if (!Array.isArray(v)) throw new TypeError(`Expected an array of Tensors for ${name} but received ${describe(v)}`);
  const out = new Array<Handle | null>(v.length);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    out[i] = x === null || x === undefined ? null : isTensorFn(x) ? (x as HasHandle)._h : h(x, `${name}[${i}]`);
  }
  return out;
}

/** A dtype code, or undefined. */
export function dt(v: DType | undefined | null, name = 'dtype'): number | undefined {
  return v === undefined || v === null ? undefined : dtypeCode(v, name);
}

/** A device string, or undefined. */
export function dev(v: DeviceLike | undefined | null, name = 'device'): string | undefined {
  return v === undefined || v === null ? undefined : deviceString(v, name);
}

/** Shape arguments given either as one array or as varargs. */
export function shapeArgs(args: readonly (number | readonly number[])[], name = 'size'): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as number[]) : (args as number[]);
  for (const d of flat) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw new TypeError(`Expected an array of integers for ${name} but received ${describe(flat)}`);
    }
  }
  return [...flat];
}

/**
 * Looks an operator up lazily (on first call) and returns a caller taking up
 * to seven arguments (missing ones are the operator's defaults).
 */
export function op(name: string, overload = ''): (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown) => unknown {
  let id = -1;
  return (a, b, c, d, e, f, g) => {
    if (id < 0) id = native.lookupOp(name, overload);
    return native.callOp(id, a, b, c, d, e, f, g);
  };
}
