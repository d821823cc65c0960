/** Utilities (as `torch.utils`). */
export * as data from './data/index.js';
/**
 * Argument checks in the library's one message shape ("Expected <what> for
 * <name> but received <value>"; "Unknown option 'k' for <where>; expected one
 * of: ..."), for modules and datasets written on top of the library.
 */
export { checkOptions, describe, typeError, rangeError } from '../errors.js';
