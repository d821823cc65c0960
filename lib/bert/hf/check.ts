/** Argument checks shared by lib/bert/hf: one message shape, as lib/torch's. */
import { describe } from '../../torch/utils/index.js';

/**
 * Rejects unknown option keys (misspellings) for `where`.
 * @throws TypeError "Unknown option 'x' for where; expected one of: ..." or for a non-object.
 */
export function checkKeys(opts: object, allowed: readonly string[], where: string): void {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`Expected an options object for ${where} but received ${describe(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new TypeError(`Unknown option '${k}' for ${where}; expected one of: ${allowed.join(', ')}`);
  }
}
