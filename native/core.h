// The hand-written core of the addon: tensor handles, the one error boundary,
// and value conversions shared by every native function.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>

#include <string>
#include <vector>

namespace tn {

// A native tensor handle. JS holds a number naming a slot of a table here
// (tag + generation * 2^24 + index): creating one costs no JS object and no
// GC finalizer. `dispose` empties the slot and bumps its generation, so stale
// numbers are recognized; JS frees tensors it drops without disposing through
// a FinalizationRegistry.
struct Holder {
  at::Tensor t;
  uint32_t gen = 0;
  uint32_t index = 0;
  int64_t reportedBytes = 0;
};

// Wraps a tensor into a new handle (counted as live; its bytes are reported to V8).
Napi::Value Wrap(Napi::Env env, at::Tensor t);
// The tensor behind a handle; throws TypeError when the value is not a handle
// and a TorchError when the tensor was disposed.
at::Tensor& Unwrap(const Napi::Value& v);
// The holder behind a live handle, or nullptr (not a handle, disposed, or stale).
Holder* HolderOf(const Napi::Value& v);
// Empties a holder (idempotent).
void Release(Napi::Env env, Holder* h);
// Reports the CPU bytes of these live handles to V8 as external memory (once
// per handle; Release takes it back). Only tensors left to the garbage
// collector are reported: tensors freed by scopes and dispose() need no GC,
// and reporting them made V8 run full collections several times per step.
void ReportExternal(Napi::Env env, const double* handles, size_t n);

// Live-tensor statistics.
int64_t LiveCount();
void ForEachLive(const std::function<void(const at::Tensor&)>& fn);

// Throws a JS TorchError (the class handed over by `init`) with `msg`.
[[noreturn]] void ThrowTorch(Napi::Env env, const std::string& msg);
void ThrowTorchNoExcept(Napi::Env env, const std::string& msg);
// A JS TorchError value with `msg`, not thrown (to reject a Promise with).
Napi::Value TorchErrorValue(Napi::Env env, const std::string& msg);
// Throws a JS TypeError (a JS value of the wrong kind reached native code).
[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg);
// First line of a libtorch message, without the C++ backtrace.
std::string FirstLine(const char* what);

// Sets the JS error class used by ThrowTorch.
void SetErrorClass(Napi::Env env, Napi::Function ctor);

// Conversions.
std::vector<int64_t> ToIntVector(const Napi::Value& v, const char* what);
// An integral JS number or BigInt; throws TypeError otherwise, RangeError
// when it does not fit in int64.
int64_t ToInt(const Napi::Value& v, const std::string& what);
// The c10::Scalar a JS number stands for, as Python's argument parser reads
// a Python number: an integral number within int64 is an int64 Scalar (exact:
// 2**53 + 2 stays an integer, so integer tensors keep their dtype); integral
// ones in [2^63, 2^64) a uint64 Scalar (as Python's ints there); anything
// else (fractions, NaN, infinities, magnitudes of 2^64 and more) a double.
c10::Scalar ScalarFromNumber(double d);
// A JS value given for a Scalar argument: a boolean, a number (see
// ScalarFromNumber) or a BigInt (int64, or uint64 for [2^63, 2^64));
// throws TypeError for other kinds and RangeError for a BigInt outside both.
c10::Scalar ToScalar(const Napi::Value& v, const std::string& what);
at::ScalarType ToScalarType(const Napi::Value& v);
c10::Device ToDevice(const Napi::Value& v);
Napi::Array ToIntArray(Napi::Env env, at::IntArrayRef a);

// The one error boundary: every exported native function goes through it.
template <Napi::Value (*F)(const Napi::CallbackInfo&)>
Napi::Value Guard(const Napi::CallbackInfo& info) {
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    ThrowTorchNoExcept(info.Env(), FirstLine(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    ThrowTorchNoExcept(info.Env(), FirstLine(e.what()));
  } catch (...) {
    ThrowTorchNoExcept(info.Env(), "unknown native error");
  }
  return info.Env().Undefined();
}

// Registration helper: exports.name = Guard<F>.
#define TN_EXPORT(exports, name, fn) (exports).Set(name, Napi::Function::New((exports).Env(), ::tn::Guard<fn>, name))

// Each file of the addon contributes its functions through one of these.
void InitTensor(Napi::Env env, Napi::Object exports);
void InitDispatch(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);
void InitRuntime(Napi::Env env, Napi::Object exports);
void InitOptim(Napi::Env env, Napi::Object exports);
void InitRandom(Napi::Env env, Napi::Object exports);
void InitCpuCache(Napi::Env env, Napi::Object exports);
void InitDistributed(Napi::Env env, Napi::Object exports);

}  // namespace tn
