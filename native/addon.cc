// Addon entry point: registers the functions of each file, nothing else.
#include "core.h"

#include <torch/version.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

Napi::Value Init(const Napi::CallbackInfo& info) {
  tn::SetErrorClass(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// Training loops allocate and free the same large activation buffers every
// step. glibc serves blocks over its mmap threshold with fresh mmaps, so each
// step pays page faults and zeroing for them; keeping them in the heap makes
// the memory reused instead (peak use is unchanged). TORCH_NODE_MALLOC=default
// keeps glibc's settings.
void TuneAllocator() {
#if defined(__GLIBC__)
  const char* mode = std::getenv("TORCH_NODE_MALLOC");
  if (mode != nullptr && std::string(mode) == "default") return;
  mallopt(M_MMAP_THRESHOLD, 512 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  TuneAllocator();
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  tn::InitTensor(env, exports);
  tn::InitDispatch(env, exports);
  tn::InitAutograd(env, exports);
  tn::InitRuntime(env, exports);
  tn::InitOptim(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(torch_node, InitAll)
