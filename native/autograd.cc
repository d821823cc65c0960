// Autograd: backward, gradients, requires_grad and the grad mode.
#include "core.h"

#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/autograd/function.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>
#include <c10/core/GradMode.h>

namespace tn {
namespace {

// backward(h, gradient|null, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  std::vector<at::Tensor> grads;
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) grads.push_back(Unwrap(info[1]));
  c10::optional<bool> retain;
  if (info.Length() > 2 && info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
  bool create = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  torch::autograd::backward({t}, grads, retain, create);
  return info.Env().Undefined();
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  const auto& g = Unwrap(info[0]).grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  if (info[1].IsNull() || info[1].IsUndefined()) {
    t.mutable_grad() = at::Tensor();
  } else {
    t.mutable_grad() = Unwrap(info[1]);
  }
  return info.Env().Undefined();
}

Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).requires_grad());
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).requires_grad_(info[1].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_leaf());
}

Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  Unwrap(info[0]).retain_grad();
  return info.Env().Undefined();
}

Napi::Value GradFnName(const Napi::CallbackInfo& info) {
  const auto& fn = Unwrap(info[0]).grad_fn();
  if (!fn) return info.Env().Null();
  return Napi::String::New(info.Env(), fn->name());
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

// setGradEnabled(bool) -> previous
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

// setAutocast(deviceType 'cpu'|'cuda', enabled, dtypeCode) -> previous enabled.
// Leaving a region (enabled=false) clears the autocast cast cache.
Napi::Value SetAutocast(const Napi::CallbackInfo& info) {
  std::string dev = info[0].As<Napi::String>().Utf8Value();
  bool enabled = info[1].As<Napi::Boolean>().Value();
  auto dtype = ToScalarType(info[2]);
  bool prev;
  auto type = dev == "cuda" ? at::kCUDA : at::kCPU;
  prev = at::autocast::is_autocast_enabled(type);
  at::autocast::set_autocast_enabled(type, enabled);
  at::autocast::set_autocast_dtype(type, dtype);
  if (!enabled) at::autocast::clear_cache();
  return Napi::Boolean::New(info.Env(), prev);
}

}  // namespace

void InitAutograd(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "backward", Backward);
  TN_EXPORT(exports, "grad", Grad);
  TN_EXPORT(exports, "setGrad", SetGrad);
  TN_EXPORT(exports, "requiresGrad", RequiresGrad);
  TN_EXPORT(exports, "setRequiresGrad", SetRequiresGrad);
  TN_EXPORT(exports, "isLeaf", IsLeaf);
  TN_EXPORT(exports, "retainGrad", RetainGrad);
  TN_EXPORT(exports, "gradFnName", GradFnName);
  TN_EXPORT(exports, "isGradEnabled", IsGradEnabled);
  TN_EXPORT(exports, "setGradEnabled", SetGradEnabled);
  TN_EXPORT(exports, "setAutocast", SetAutocast);
}

}  // namespace tn
