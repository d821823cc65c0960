/**
 * Argument kinds of the generated op layer: scripts/gen-ops.ts writes them into
 * the signature tables of lib/torch/generated/*, and op-support.ts matches and
 * converts arguments by them. One per schema type PyTorch's Python argument
 * parser distinguishes.
 */
export enum K {
  Tensor = 1,
  TensorOpt,
  TensorOrNumber,
  TensorList,
  TensorOptList,
  Scalar,
  ScalarOpt,
  Int,
  IntOpt,
  IntList,
  IntListOpt,
  IntListSized,
  IntListSizedOpt,
  Float,
  FloatOpt,
  FloatList,
  FloatListOpt,
  Bool,
  BoolOpt,
  BoolList,
  Str,
  StrOpt,
  DType,
  DTypeOpt,
  Layout,
  Device,
  DeviceOpt,
  MemoryFormat,
  Generator,
  Reduction,
}
