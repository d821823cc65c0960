// Handles, the error class, and conversions.
#include "core.h"

#include <atomic>
#include <mutex>
#include <unordered_set>

namespace tn {
namespace {

std::mutex gLiveMutex;
std::unordered_set<Holder*> gLive;

// Tags our externals so a foreign External is never taken for a tensor.
const napi_type_tag kHolderTag = {0x7a1c0e5b3f9d4e21ULL, 0x9b2e6c4d8a7f1035ULL};

struct EnvData {
  Napi::FunctionReference errorClass;
};

EnvData& Data(Napi::Env env) {
  auto* d = env.GetInstanceData<EnvData>();
  if (d == nullptr) {
    d = new EnvData();
    env.SetInstanceData<EnvData>(d);
  }
  return *d;
}

int64_t ReportableBytes(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage() || !t.device().is_cpu()) return 0;
  return static_cast<int64_t>(t.storage().nbytes());
}

void Finalize(Napi::Env env, Holder* h) {
  Release(env, h);
  delete h;
}

}  // namespace

void SetErrorClass(Napi::Env env, Napi::Function ctor) {
  Data(env).errorClass = Napi::Persistent(ctor);
}

std::string FirstLine(const char* what) {
  std::string s(what == nullptr ? "" : what);
  auto nl = s.find('\n');
  if (nl != std::string::npos) s = s.substr(0, nl);
  return s;
}

void ThrowTorchNoExcept(Napi::Env env, const std::string& msg) {
  auto& d = Data(env);
  Napi::Value err;
  if (!d.errorClass.IsEmpty()) {
    err = d.errorClass.New({Napi::String::New(env, msg)});
  } else {
    err = Napi::Error::New(env, msg).Value();
  }
  napi_throw(env, err);
}

void ThrowTorch(Napi::Env env, const std::string& msg) {
  auto& d = Data(env);
  if (!d.errorClass.IsEmpty()) {
    throw Napi::Error(env, d.errorClass.New({Napi::String::New(env, msg)}));
  }
  throw Napi::Error::New(env, msg);
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  auto* h = new Holder{std::move(t), 0};
  h->reportedBytes = ReportableBytes(h->t);
  {
    std::lock_guard<std::mutex> lock(gLiveMutex);
    gLive.insert(h);
  }
  if (h->reportedBytes > 0) Napi::MemoryManagement::AdjustExternalMemory(env, h->reportedBytes);
  auto ext = Napi::External<Holder>::New(env, h, Finalize);
  napi_type_tag_object(env, ext, &kHolderTag);
  return ext;
}

Holder* HolderOf(const Napi::Value& v) {
  if (!v.IsExternal()) return nullptr;
  bool ok = false;
  napi_check_object_type_tag(v.Env(), v, &kHolderTag, &ok);
  if (!ok) return nullptr;
  return v.As<Napi::External<Holder>>().Data();
}

at::Tensor& Unwrap(const Napi::Value& v) {
  Holder* h = HolderOf(v);
  if (h == nullptr) ThrowTorch(v.Env(), "Expected a tensor handle");
  if (!h->t.defined()) ThrowTorch(v.Env(), "Tensor has been disposed");
  return h->t;
}

void Release(Napi::Env env, Holder* h) {
  if (!h->t.defined()) return;
  {
    std::lock_guard<std::mutex> lock(gLiveMutex);
    gLive.erase(h);
  }
  h->t.reset();
  if (h->reportedBytes > 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -h->reportedBytes);
    h->reportedBytes = 0;
  }
}

int64_t LiveCount() {
  std::lock_guard<std::mutex> lock(gLiveMutex);
  return static_cast<int64_t>(gLive.size());
}

void ForEachLive(const std::function<void(const at::Tensor&)>& fn) {
  std::lock_guard<std::mutex> lock(gLiveMutex);
  for (auto* h : gLive) fn(h->t);
}

std::vector<int64_t> ToIntVector(const Napi::Value& v, const char* what) {
  std::vector<int64_t> out;
  if (v.IsNumber()) {
    out.push_back(v.As<Napi::Number>().Int64Value());
    return out;
  }
  if (!v.IsArray()) ThrowTorch(v.Env(), std::string("Expected an array of integers for ") + what);
  auto a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value e = a.Get(i);
    if (e.IsNumber()) {
      out.push_back(e.As<Napi::Number>().Int64Value());
    } else if (e.IsBigInt()) {
      bool lossless = false;
      out.push_back(e.As<Napi::BigInt>().Int64Value(&lossless));
    } else {
      ThrowTorch(v.Env(), std::string("Expected an array of integers for ") + what);
    }
  }
  return out;
}

at::ScalarType ToScalarType(const Napi::Value& v) {
  return static_cast<at::ScalarType>(v.As<Napi::Number>().Int32Value());
}

c10::Device ToDevice(const Napi::Value& v) {
  return c10::Device(v.As<Napi::String>().Utf8Value());
}

Napi::Array ToIntArray(Napi::Env env, at::IntArrayRef a) {
  auto out = Napi::Array::New(env, a.size());
  for (size_t i = 0; i < a.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(a[i])));
  return out;
}

}  // namespace tn
