/**
 * Deterministic memory: scopes that free every tensor created inside them
 * except what they return. The garbage collector cannot see libtorch memory,
 * so training loops run each step in a scope.
 */
import type { Handle } from './native.js';

/** What scopes track: anything with a dispose(). */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
  /** Called when the object leaves every scope (the GC frees it from then on). */
  _onEscape?(): void;
}

const stack: Set<Disposable>[] = [];

/** Registers a newly created tensor with the innermost scope; false when no scope is open. */
export function track(t: Disposable): boolean {
  const top = stack[stack.length - 1];
  if (top === undefined) return false;
  top.add(t);
  return true;
}

/** Removes `t` from every open scope so it outlives them; returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of stack) s.delete(t);
  t._onEscape?.();
  return t;
}

function collect(v: unknown, out: Set<unknown>, depth = 0): void {
  if (v === null || typeof v !== 'object' || depth > 8) return;
  if (out.has(v)) return;
  if ('dispose' in v && 'isDisposed' in v) {
    out.add(v);
    return;
  }
  if (v instanceof Map) {
    for (const x of v.values()) collect(x, out, depth + 1);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collect(x, out, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collect(x, out, depth + 1);
    return;
  }
  // Other iterables (Sets, ValuesIndices pairs, ...).
  if (Symbol.iterator in v) {
    for (const x of v as Iterable<unknown>) collect(x, out, depth + 1);
  }
}

const ASYNC_MESSAGE = 'torch.tidy() takes a synchronous function; await inside an async function and call tidy per step';
type AnyConstructor = abstract new (...args: never[]) => unknown;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as AnyConstructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor as AnyConstructor;
const isAsyncFunction = (f: unknown): boolean => f instanceof AsyncFunction || f instanceof AsyncGeneratorFunction;

/**
 * Runs `fn` in a scope: every tensor created inside and not reachable from the
 * return value (tensors, arrays, Maps and plain objects of them) is disposed
 * when `fn` returns or throws. Returned tensors move to the enclosing scope.
 * @throws TypeError when `fn` is an async function (refused before it runs),
 *   or returns a Promise (its tensors are freed and its outcome is ignored,
 *   so that nothing it does later can fail unhandled): scopes are synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (isAsyncFunction(fn)) throw new TypeError(ASYNC_MESSAGE);
  const scope = new Set<Disposable>();
  stack.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) {
    // Whatever the promise does after this refusal (use a freed tensor...) must not end unhandled.
    result.catch(() => undefined);
    for (const t of scope) t.dispose();
    throw new TypeError(ASYNC_MESSAGE);
  }
  const kept = new Set<unknown>();
  collect(result, kept);
  const parent = stack[stack.length - 1];
  for (const t of scope) {
    if (kept.has(t)) {
      if (parent !== undefined) parent.add(t);
      else t._onEscape?.();
    } else {
      t.dispose();
    }
  }
  return result;
}

/** Disposes every tensor found in `v` (a tensor, or arrays/objects/Maps of them). */
export function dispose(v: unknown): void {
  const found = new Set<unknown>();
  collect(v, found);
  for (const t of found) (t as Disposable).dispose();
}

export type { Handle };
