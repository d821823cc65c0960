// Optimizer updates and gradient clipping: one native call per parameter
// group, following PyTorch's single-tensor algorithms step for step.
#include "core.h"

#include <c10/core/GradMode.h>

#include <cmath>
#include <sstream>
#include <limits>

namespace tn {
namespace {

std::vector<at::Tensor> TensorArray(const Napi::Value& v) {
  std::vector<at::Tensor> out;
  if (!v.IsArray()) return out;
  auto a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(Unwrap(a.Get(i)));
  return out;
}

double Num(const Napi::Object& o, const char* key) {
  return o.Get(key).As<Napi::Number>().DoubleValue();
}
bool Flag(const Napi::Object& o, const char* key) {
  auto v = o.Get(key);
  return v.IsBoolean() && v.As<Napi::Boolean>().Value();
}

// adamStep(params, expAvgs, expAvgSqs, maxExpAvgSqs, steps, opts)
// opts: {lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled}
// Parameters without a gradient must be filtered out by the caller.
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  c10::NoGradGuard noGrad;
  auto params = TensorArray(info[0]);
  auto expAvgs = TensorArray(info[1]);
  auto expAvgSqs = TensorArray(info[2]);
  auto maxExpAvgSqs = TensorArray(info[3]);
  auto steps = TensorArray(info[4]);
  auto o = info[5].As<Napi::Object>();
  double lr = Num(o, "lr"), beta1 = Num(o, "beta1"), beta2 = Num(o, "beta2"), eps = Num(o, "eps");
  double wd = Num(o, "weightDecay");
  bool amsgrad = Flag(o, "amsgrad"), maximize = Flag(o, "maximize"), decoupled = Flag(o, "decoupled");
  for (size_t i = 0; i < params.size(); i++) {
    auto& param = params[i];
    at::Tensor grad = maximize ? -param.grad() : param.grad();
    steps[i].add_(1);
    if (wd != 0) {
      if (decoupled) {
        param.mul_(1 - lr * wd);
      } else {
        grad = grad.add(param, wd);
      }
    }
    expAvgs[i].lerp_(grad, 1 - beta1);  // as PyTorch 2.x (one rounding, not mul_ then add_)
    expAvgSqs[i].mul_(beta2).addcmul_(grad, grad, 1 - beta2);
    double step = steps[i].item<double>();
    double bc1 = 1 - std::pow(beta1, step);
    double bc2 = 1 - std::pow(beta2, step);
    double stepSize = lr / bc1;
    double bc2Sqrt = std::sqrt(bc2);
    at::Tensor denom;
    if (amsgrad) {
      at::maximum_out(maxExpAvgSqs[i], maxExpAvgSqs[i], expAvgSqs[i]);
      denom = (maxExpAvgSqs[i].sqrt() / bc2Sqrt).add_(eps);
    } else {
      denom = (expAvgSqs[i].sqrt() / bc2Sqrt).add_(eps);
    }
    param.addcdiv_(expAvgs[i], denom, -stepSize);
  }
  return info.Env().Undefined();
}

// sgdStep(params, momentumBuffers (array of handle|null), opts) -> new buffers
// opts: {lr, momentum, dampening, weightDecay, nesterov, maximize}
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  c10::NoGradGuard noGrad;
  auto env = info.Env();
  auto params = TensorArray(info[0]);
  auto bufs = info[1].As<Napi::Array>();
  auto o = info[2].As<Napi::Object>();
  double lr = Num(o, "lr"), momentum = Num(o, "momentum"), dampening = Num(o, "dampening");
  double wd = Num(o, "weightDecay");
  bool nesterov = Flag(o, "nesterov"), maximize = Flag(o, "maximize");
  auto out = Napi::Array::New(env, params.size());
  for (size_t i = 0; i < params.size(); i++) {
    auto& param = params[i];
    at::Tensor d = maximize ? -param.grad() : param.grad();
    if (wd != 0) d = d.add(param, wd);
    Napi::Value bufOut = env.Null();
    if (momentum != 0) {
      Napi::Value bv = bufs.Get(static_cast<uint32_t>(i));
      at::Tensor buf;
      if (bv.IsNull() || bv.IsUndefined()) {
        buf = d.clone().detach();
        bufOut = Wrap(env, buf);
      } else {
        buf = Unwrap(bv);
        buf.mul_(momentum).add_(d, 1 - dampening);
        bufOut = bv;
      }
      d = nesterov ? d.add(buf, momentum) : buf;
    }
    param.add_(d, -lr);
    out.Set(static_cast<uint32_t>(i), bufOut);
  }
  return out;
}

// clipGradNorm(params, maxNorm, normType, errorIfNonfinite) -> total norm tensor
Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
  c10::NoGradGuard noGrad;
  auto env = info.Env();
  auto params = TensorArray(info[0]);
  double maxNorm = info[1].As<Napi::Number>().DoubleValue();
  double normType = info[2].As<Napi::Number>().DoubleValue();
  bool errorIfNonfinite = info[3].As<Napi::Boolean>().Value();
  std::vector<at::Tensor> grads;
  for (auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  if (grads.empty()) return Wrap(env, at::zeros({}, at::kFloat));
  auto device = grads[0].device();
  at::Tensor total;
  if (std::isinf(normType)) {
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(g.detach().abs().max().to(device));
    total = norms.size() == 1 ? norms[0] : at::stack(norms).max();
  } else {
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(at::norm(g.detach(), normType).to(device));
    total = at::norm(at::stack(norms), normType);
  }
  if (errorIfNonfinite && (total.isnan().item<bool>() || total.isinf().item<bool>())) {
    std::ostringstream order;
    if (std::isinf(normType)) {
      order << (normType > 0 ? "inf" : "-inf");
    } else if (normType == std::floor(normType)) {
      order << static_cast<int64_t>(normType) << ".0";
    } else {
      order << normType;
    }
    ThrowTorch(env, "The total norm of order " + order.str() +
                        " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and "
                        "scale the gradients by the non-finite norm anyway, set `errorIfNonfinite: false`");
  }
  auto clipCoef = maxNorm / (total + 1e-6);
  auto clamped = at::clamp(clipCoef, c10::nullopt, 1.0);
  for (auto& g : grads) g.detach().mul_(clamped.to(g.device()));
  return Wrap(env, total);
}

}  // namespace

void InitOptim(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "adamStep", AdamStep);
  TN_EXPORT(exports, "sgdStep", SgdStep);
  TN_EXPORT(exports, "clipGradNorm", ClipGradNorm);
}

}  // namespace tn
