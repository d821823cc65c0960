/**
 * Errors thrown by the torch API.
 *
 * Every libtorch failure surfaces as a {@link TorchError} carrying libtorch's
 * first message line; argument mistakes caught before the native call throw
 * `TypeError` (wrong kind of value) or `RangeError` (value out of range) with
 * one message shape: "Expected <what> for <name> but received <value>".
 */

const INTERNAL_FRAME = /[\\/]lib[\\/]torch[\\/](?!.*\\.test\\.)/;

/** An error raised by libtorch (or by the native layer around it). */
export class TorchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchError';
    // Drop the frames inside this library so the stack starts at the caller.
    if (this.stack !== undefined) {
      const lines = this.stack.split('\n');
      const kept = lines.filter((l, i) => i === 0 || !INTERNAL_FRAME.test(l));
      if (kept.length > 1) this.stack = kept.join('\n');
    }
  }
}

/** Describes a received value for error messages: `1.5 of type number`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    if (Array.isArray(v)) return `an array of length ${v.length}`;
    return `an object of type ${name ?? 'Object'}`;
  }
  if (typeof v === 'string') return `'${v}' of type string`;
  return `${String(v)} of type ${typeof v}`;
}

/** Throws `TypeError("Expected <what> for <name> but received <value>")`. */
export function typeError(what: string, name: string, value: unknown): never {
  throw new TypeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

/** Throws `RangeError("Expected <what> for <name> but received <value>")`. */
export function rangeError(what: string, name: string, value: unknown): never {
  throw new RangeError(`Expected ${what} for ${name} but received ${describe(value)}`);
}

/** Rejects option keys that are not in `allowed` (catches misspellings). */
export function checkOptions(opts: object | undefined, allowed: readonly string[], where: string): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== 'object') typeError('an options object', `${where} options`, opts);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new TypeError(`Unknown option '${k}' for ${where}; expected one of: ${allowed.join(', ')}`);
    }
  }
}
