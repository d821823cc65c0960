// Shared by the boxed operator caller (dispatch.cc) and its unboxed fast path
// (unboxed.cc): how one schema argument is read from JS.
#pragma once

#include "core.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <memory>
#include <string>
#include <vector>

namespace tn {

enum class Kind { Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList, Scalar, Str, Device, Generator, Other };

struct ArgSpec {
  Kind kind;
  bool optional;
  std::string name;
  c10::optional<c10::IValue> defaultValue;
};

// An unboxed call of one operator whose schema has one of a few common shapes
// (tensors, scalars, ints, bools, floats, an optional dtype). Call() returns
// false, having called nothing, when an argument is not a plain valid value;
// the boxed path then runs and reports the precise error.
class FastCall {
 public:
  virtual ~FastCall() = default;
  virtual bool Call(const Napi::CallbackInfo& info, const std::vector<ArgSpec>& args, Napi::Value* out) const = 0;
};

// The fast call for `op`, or nullptr when its schema has no unboxed shape here.
// `shape` receives the schema's shape letters (see unboxed.cc) either way, with
// the reason appended when there is no fast call.
std::unique_ptr<FastCall> MakeFastCall(const c10::OperatorHandle& op, std::string* shape);

}  // namespace tn
