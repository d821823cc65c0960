/** Tensor element types, named as PyTorch names them. */
import { typeError } from './errors.js';

/** The element types this library supports. */
export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const float32 = 'float32' as const;
export const float = 'float32' as const;
export const float64 = 'float64' as const;
export const double = 'float64' as const;
export const float16 = 'float16' as const;
export const half = 'float16' as const;
export const bfloat16 = 'bfloat16' as const;
export const int64 = 'int64' as const;
export const long = 'int64' as const;
export const int32 = 'int32' as const;
export const int = 'int32' as const;
export const int16 = 'int16' as const;
export const short = 'int16' as const;
export const int8 = 'int8' as const;
export const uint8 = 'uint8' as const;
export const bool = 'bool' as const;

// c10::ScalarType codes (stable across libtorch 1.13 and 2.x).
const CODES: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};
const BY_CODE = new Map<number, DType>(Object.entries(CODES).map(([k, v]) => [v, k as DType]));

/** Bytes per element. */
export const ITEM_SIZE: Record<DType, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** True for a string naming a supported dtype. */
export function isDType(v: unknown): v is DType {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(CODES, v);
}

/** The c10::ScalarType code of a dtype; throws TypeError for anything else. */
export function dtypeCode(d: DType, name = 'dtype'): number {
  const c = typeof d === 'string' ? CODES[d] : undefined;
  if (c === undefined) typeError(`one of ${Object.keys(CODES).join(', ')}`, name, d);
  return c;
}

/** The dtype of a c10::ScalarType code. */
export function dtypeFromCode(code: number): DType {
  const d = BY_CODE.get(code);
  if (d === undefined) throw new TypeError(`Unsupported tensor element type (c10::ScalarType ${code})`);
  return d;
}

export function isFloatingPoint(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/** Typed arrays that map onto a dtype directly. */
export type TypedArray =
  | Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** The dtype a typed array holds (Uint16Array is read as float16 bits only when asked). */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  return 'float16';
}

/** A typed array viewing `buf` as `dtype` (float16/bfloat16 as raw Uint16 bits, bool as Uint8). */
export function typedArrayFor(dtype: DType, buf: ArrayBuffer): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
    case 'float16': case 'bfloat16': return new Uint16Array(buf);
  }
}

let defaultDtype: 'float32' | 'float64' = 'float32';
/** The dtype of floating tensors created without one (default 'float32'). */
export function getDefaultDtype(): 'float32' | 'float64' {
  return defaultDtype;
}
/** Sets the default floating dtype; throws TypeError for anything but float32/float64. */
export function setDefaultDtype(d: 'float32' | 'float64'): void {
  if (d !== 'float32' && d !== 'float64') typeError("'float32' or 'float64'", 'dtype', d);
  defaultDtype = d;
}
