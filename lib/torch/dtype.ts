/** Tensor element types, named as PyTorch names them. */
import { typeError } from './errors.js';

/**
 * The element types this library supports: PyTorch's real number types,
 * bool, the unsigned and 8-bit float types of PyTorch 2.x, and the "opaque"
 * types (`float4_e2m1fn_x2`, `bits*`) that hold bits without number
 * semantics (they load, save, copy and show their raw bytes; see
 * {@link hasNumberForm}). Complex types are not supported.
 */
export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'float8_e4m3fnuz'
  | 'float8_e5m2fnuz'
  | 'float8_e8m0fnu'
  | 'float4_e2m1fn_x2'
  | 'bits8'
  | 'bits16'
  | 'bits1x8'
  | 'bits2x4'
  | 'bits4x2';

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
export const uint16 = 'uint16' as const;
export const uint32 = 'uint32' as const;
export const uint64 = 'uint64' as const;
export const float8_e4m3fn = 'float8_e4m3fn' as const;
export const float8_e5m2 = 'float8_e5m2' as const;
export const float8_e4m3fnuz = 'float8_e4m3fnuz' as const;
export const float8_e5m2fnuz = 'float8_e5m2fnuz' as const;
export const float8_e8m0fnu = 'float8_e8m0fnu' as const;
export const float4_e2m1fn_x2 = 'float4_e2m1fn_x2' as const;
export const bits8 = 'bits8' as const;
export const bits16 = 'bits16' as const;
export const bits1x8 = 'bits1x8' as const;
export const bits2x4 = 'bits2x4' as const;
export const bits4x2 = 'bits4x2' as const;

// c10::ScalarType codes (the enum order of c10/core/ScalarType.h, stable since 1.13 for the old types).
const CODES: Record<DType, number> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
  bits1x8: 18,
  bits2x4: 19,
  bits4x2: 20,
  bits8: 21,
  bits16: 22,
  float8_e5m2: 23,
  float8_e4m3fn: 24,
  float8_e5m2fnuz: 25,
  float8_e4m3fnuz: 26,
  uint16: 27,
  uint32: 28,
  uint64: 29,
  float8_e8m0fnu: 44,
  float4_e2m1fn_x2: 45,
};
const BY_CODE = new Map<number, DType>(Object.entries(CODES).map(([k, v]) => [v, k as DType]));

/** Bytes per element. */
export const ITEM_SIZE: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float8_e4m3fn: 1,
  float8_e5m2: 1,
  float8_e4m3fnuz: 1,
  float8_e5m2fnuz: 1,
  float8_e8m0fnu: 1,
  float4_e2m1fn_x2: 1,
  bits8: 1,
  bits16: 2,
  bits1x8: 1,
  bits2x4: 1,
  bits4x2: 1,
};

/** True for a string naming a supported dtype. */
export function isDType(v: unknown): v is DType {
  return typeof v === 'string' && Object.hasOwn(CODES, v);
}

/** Every supported dtype, in the order of {@link DType}. */
export const DTYPES: readonly DType[] = [
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'int64',
  'int32',
  'int16',
  'int8',
  'uint8',
  'bool',
  'uint16',
  'uint32',
  'uint64',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
  'float8_e8m0fnu',
  'float4_e2m1fn_x2',
  'bits8',
  'bits16',
  'bits1x8',
  'bits2x4',
  'bits4x2',
];

/** The c10::ScalarType code of a dtype; throws TypeError for anything else. */
export function dtypeCode(d: DType, name = 'dtype'): number {
  const c = typeof d === 'string' && isDType(d) ? CODES[d] : undefined;
  if (c === undefined) typeError(`one of ${DTYPES.join(', ')}`, name, d);
  return c;
}

/** The dtype of a c10::ScalarType code. */
export function dtypeFromCode(code: number): DType {
  const d = BY_CODE.get(code);
  if (d === undefined) throw new TypeError(`Unsupported tensor element type (c10::ScalarType ${code})`);
  return d;
}

const FLOATING = new Set<DType>([
  'float32',
  'float64',
  'float16',
  'bfloat16',
  'float8_e4m3fn',
  'float8_e5m2',
  'float8_e4m3fnuz',
  'float8_e5m2fnuz',
  'float8_e8m0fnu',
  'float4_e2m1fn_x2',
]);
/** PyTorch's `dtype.is_floating_point`: the float types, 8- and 4-bit ones included. */
export function isFloatingPoint(d: DType): boolean {
  return FLOATING.has(d);
}

const OPAQUE = new Set<DType>(['float4_e2m1fn_x2', 'bits8', 'bits16', 'bits1x8', 'bits2x4', 'bits4x2']);
/**
 * False for the dtypes whose elements libtorch cannot read as numbers
 * (`float4_e2m1fn_x2`, `bits8`, `bits16`, `bits1x8`, `bits2x4`, `bits4x2`):
 * `item`, `tolist` and `dataSync` refuse them; `toTypedArray` gives their bytes.
 */
export function hasNumberForm(d: DType): boolean {
  return !OPAQUE.has(d);
}

/** Typed arrays that map onto a dtype directly. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/**
 * The dtype a typed array holds: Float32Array float32, Float64Array float64,
 * BigInt64Array int64, Int32Array int32, Int16Array int16, Int8Array int8,
 * Uint8Array uint8, Uint16Array uint16, Uint32Array uint32, BigUint64Array uint64.
 * @throws TypeError for any other view (DataView, Uint8ClampedArray...).
 */
export function dtypeOfTypedArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigUint64Array) return 'uint64';
  return typeError(
    'a Float32Array, Float64Array, BigInt64Array, BigUint64Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array or Uint32Array',
    'data',
    a,
  );
}

/**
 * A typed array viewing `buf` as `dtype`: float16/bfloat16 and bits16 as raw
 * Uint16 bits, bool and the 8-bit float and bits types as Uint8 bytes.
 */
export function typedArrayFor(dtype: DType, buf: ArrayBuffer): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'uint64':
      return new BigUint64Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'uint32':
      return new Uint32Array(buf);
    case 'int16':
      return new Int16Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'uint16':
    case 'float16':
    case 'bfloat16':
    case 'bits16':
      return new Uint16Array(buf);
    case 'uint8':
    case 'bool':
    case 'float8_e4m3fn':
    case 'float8_e5m2':
    case 'float8_e4m3fnuz':
    case 'float8_e5m2fnuz':
    case 'float8_e8m0fnu':
    case 'float4_e2m1fn_x2':
    case 'bits8':
    case 'bits1x8':
    case 'bits2x4':
    case 'bits4x2':
      return new Uint8Array(buf);
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
