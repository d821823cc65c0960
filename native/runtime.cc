// Process-wide state: seeds, threads, CUDA devices, memory statistics.
#include "core.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <map>
#include <unordered_set>

#if defined(TN_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace tn {
namespace {

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  uint64_t seed = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  at::manual_seed(seed);  // seeds the CPU generator and, where present, every CUDA generator
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  int64_t dev = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : -1;
  torch::cuda::synchronize(dev);
  return info.Env().Undefined();
}

// cudaMemory(device) -> {allocated, reserved, peakAllocated} in bytes
Napi::Value CudaMemory(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto out = Napi::Object::New(env);
#if defined(TN_WITH_CUDA)
  int dev = info[0].As<Napi::Number>().Int32Value();
  auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(dev));
  out.Set("allocated", Napi::Number::New(env, static_cast<double>(stats.allocated_bytes[0].current)));
  out.Set("reserved", Napi::Number::New(env, static_cast<double>(stats.reserved_bytes[0].current)));
  out.Set("peakAllocated", Napi::Number::New(env, static_cast<double>(stats.allocated_bytes[0].peak)));
#else
  ThrowTorch(env, "CUDA memory statistics are not available: this addon was built without CUDA");
#endif
  return out;
}

Napi::Value CudaEmptyCache(const Napi::CallbackInfo& info) {
#if defined(TN_WITH_CUDA)
  c10::cuda::CUDACachingAllocator::emptyCache();
#endif
  return info.Env().Undefined();
}

Napi::Value BuiltWithCuda(const Napi::CallbackInfo& info) {
#if defined(TN_WITH_CUDA)
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

// memory() -> {numTensors, bytes: {device: bytes}} counting each storage once.
Napi::Value Memory(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::unordered_set<const void*> seen;
  std::map<std::string, double> bytes;
  ForEachLive([&](const at::Tensor& t) {
    if (!t.defined() || !t.has_storage()) return;
    const void* key = t.storage().unsafeGetStorageImpl();
    if (!seen.insert(key).second) return;
    bytes[t.device().str()] += static_cast<double>(t.storage().nbytes());
  });
  auto out = Napi::Object::New(env);
  out.Set("numTensors", Napi::Number::New(env, static_cast<double>(LiveCount())));
  auto b = Napi::Object::New(env);
  for (const auto& kv : bytes) b.Set(kv.first, Napi::Number::New(env, kv.second));
  out.Set("bytes", b);
  return out;
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(LiveCount()));
}

Napi::Value ParallelInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::get_parallel_info());
}

}  // namespace

void InitRuntime(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "manualSeed", ManualSeed);
  TN_EXPORT(exports, "setNumThreads", SetNumThreads);
  TN_EXPORT(exports, "getNumThreads", GetNumThreads);
  TN_EXPORT(exports, "cudaIsAvailable", CudaIsAvailable);
  TN_EXPORT(exports, "cudaDeviceCount", CudaDeviceCount);
  TN_EXPORT(exports, "cudaSynchronize", CudaSynchronize);
  TN_EXPORT(exports, "cudaMemory", CudaMemory);
  TN_EXPORT(exports, "cudaEmptyCache", CudaEmptyCache);
  TN_EXPORT(exports, "builtWithCuda", BuiltWithCuda);
  TN_EXPORT(exports, "memory", Memory);
  TN_EXPORT(exports, "liveTensors", LiveTensors);
  TN_EXPORT(exports, "parallelInfo", ParallelInfo);
}

}  // namespace tn
