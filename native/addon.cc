// Addon entry point: registers the functions of each file, nothing else.
#include "core.h"

#include <torch/version.h>

namespace {

Napi::Value Init(const Napi::CallbackInfo& info) {
  tn::SetErrorClass(info.Env(), info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Object InitAll(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init, "init"));
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  tn::InitTensor(env, exports);
  tn::InitDispatch(env, exports);
  tn::InitAutograd(env, exports);
  tn::InitRuntime(env, exports);
  tn::InitOptim(env, exports);
  tn::InitRandom(env, exports);
  tn::InitCpuCache(env, exports);
  tn::InitDistributed(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(torch_node, InitAll)
