// A tiny addon with no libtorch dependency: loads libtorch's shared libraries
// from a folder found at run time, before the prebuilt torch_node.node is
// loaded. That addon names libtorch by soname only (no absolute rpath), and
// the dynamic loader satisfies a soname with a library already loaded, so
// prebuilt binaries work with whatever PyTorch install the user has.
#include <dlfcn.h>
#include <node_api.h>

#include <string>

namespace {

napi_value Throw(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

// load(path) -> true; throws Error with dlerror()'s text. The library stays
// loaded for the life of the process (its handle is never closed).
napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 1) return Throw(env, "load: expected a path");
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], nullptr, 0, &len) != napi_ok) return Throw(env, "load: expected a path string");
  std::string path(len, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), len + 1, &len);
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
    const char* err = dlerror();
    return Throw(env, err != nullptr ? err : ("cannot load " + path));
  }
  napi_value ok;
  napi_get_boolean(env, true, &ok);
  return ok;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "load", NAPI_AUTO_LENGTH, Load, nullptr, &fn);
  napi_set_named_property(env, exports, "load", fn);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
