// Calls any libtorch operator by schema through the dispatcher, so the
// generated TS op layer needs no per-op C++. Arguments are converted from JS
// by the schema's declared types; results are converted back generically.
#include "dispatch.h"

#include <ATen/core/stack.h>

#include <atomic>
#include <mutex>
#include <unordered_map>
#include <sstream>

namespace tn {
namespace {

struct OpEntry {
  c10::OperatorHandle op;
  std::string fullName;
  std::vector<ArgSpec> args;
  bool returnsWrittenSelf;
  std::unique_ptr<FastCall> fast;
  std::string callShape;
};

// Looked-up operators, by id. Entries never move (ids are handed to JS, and
// DataLoader worker threads look operators up too), so lookups take the lock
// and calls read without it.
constexpr size_t kMaxOps = 8192;
std::mutex gOpsMutex;
std::unique_ptr<OpEntry> gOps[kMaxOps];
std::atomic<size_t> gNumOps{0};
// Ids by full name: looking an operator up again returns its id (generated
// wrappers, tests and worker threads look the same operators up many times).
std::unordered_map<std::string, size_t> gOpIds;

Kind KindOf(const c10::TypePtr& t) {
  switch (t->kind()) {
    case c10::TypeKind::TensorType: return Kind::Tensor;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
    case c10::TypeKind::ScalarTypeType:
    case c10::TypeKind::LayoutType:
    case c10::TypeKind::MemoryFormatType: return Kind::Int;
    case c10::TypeKind::FloatType: return Kind::Float;
    case c10::TypeKind::BoolType: return Kind::Bool;
    case c10::TypeKind::NumberType: return Kind::Scalar;
    case c10::TypeKind::StringType: return Kind::Str;
    case c10::TypeKind::DeviceObjType: return Kind::Device;
    case c10::TypeKind::GeneratorType: return Kind::Generator;
    case c10::TypeKind::ListType: {
      auto elem = t->containedType(0);
      if (elem->kind() == c10::TypeKind::OptionalType) {
        if (elem->containedType(0)->kind() == c10::TypeKind::TensorType) return Kind::OptTensorList;
        return Kind::Other;
      }
      switch (KindOf(elem)) {
        case Kind::Tensor: return Kind::TensorList;
        case Kind::Int: return Kind::IntList;
        case Kind::Float: return Kind::FloatList;
        case Kind::Bool: return Kind::BoolList;
        default: return Kind::Other;
      }
    }
    default: return Kind::Other;
  }
}

c10::IValue ToIValue(const Napi::Value& v, const ArgSpec& a, const std::string& op) {
  auto env = v.Env();
  auto bad = [&](const char* want) { ThrowType(env, op + ": expected " + want + " for argument '" + a.name + "'"); };
  switch (a.kind) {
    case Kind::Tensor: return Unwrap(v);
    case Kind::TensorList: {
      if (!v.IsArray()) bad("an array of tensors");
      auto arr = v.As<Napi::Array>();
      std::vector<at::Tensor> ts;
      ts.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) ts.push_back(Unwrap(arr.Get(i)));
      return c10::IValue(ts);
    }
    case Kind::OptTensorList: {
      if (!v.IsArray()) bad("an array of tensors or nulls");
      auto arr = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> ts;
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value e = arr.Get(i);
        if (e.IsNull() || e.IsUndefined())
          ts.push_back(c10::nullopt);
        else
          ts.push_back(Unwrap(e));
      }
      return c10::IValue(ts);
    }
    case Kind::Int: {
      if (v.IsBoolean()) return c10::IValue(static_cast<int64_t>(v.As<Napi::Boolean>().Value()));
      if (!v.IsNumber() && !v.IsBigInt()) bad("an integer");
      return c10::IValue(ToInt(v, op + " argument '" + a.name + "'"));
    }
    case Kind::IntList: return c10::IValue(ToIntVector(v, (op + " argument '" + a.name + "'").c_str()));
    case Kind::Float:
      if (!v.IsNumber()) bad("a number");
      return c10::IValue(v.As<Napi::Number>().DoubleValue());
    case Kind::FloatList: {
      if (!v.IsArray()) bad("an array of numbers");
      auto arr = v.As<Napi::Array>();
      std::vector<double> xs;
      for (uint32_t i = 0; i < arr.Length(); i++) xs.push_back(arr.Get(i).As<Napi::Number>().DoubleValue());
      return c10::IValue(xs);
    }
    case Kind::Bool:
      if (!v.IsBoolean()) bad("a boolean");
      return c10::IValue(v.As<Napi::Boolean>().Value());
    case Kind::BoolList: {
      if (!v.IsArray()) bad("an array of booleans");
      auto arr = v.As<Napi::Array>();
      c10::List<bool> xs;
      for (uint32_t i = 0; i < arr.Length(); i++) xs.push_back(arr.Get(i).As<Napi::Boolean>().Value());
      return c10::IValue(xs);
    }
    case Kind::Scalar: return c10::IValue(ToScalar(v, op + " argument '" + a.name + "'"));
    case Kind::Str:
      if (!v.IsString()) bad("a string");
      return c10::IValue(v.As<Napi::String>().Utf8Value());
    case Kind::Device:
      if (!v.IsString()) bad("a device string");
      return c10::IValue(ToDevice(v));
    case Kind::Generator: bad("null (generators are not supported)");
    case Kind::Other:
    default: bad("a supported value (this argument type is not supported)");
  }
  return c10::IValue();
}

Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    const auto& t = v.toTensor();
    if (!t.defined()) return env.Null();
    return Wrap(env, t);
  }
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    auto out = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) {
      at::Tensor t = list.get(i);
      out.Set(static_cast<uint32_t>(i), t.defined() ? Wrap(env, t) : env.Null());
    }
    return out;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    auto out = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, elems[i]));
    return out;
  }
  if (v.isNone()) return env.Null();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isIntList()) return ToIntArray(env, v.toIntVector());
  if (v.isScalar()) {
    auto s = v.toScalar();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
    return Napi::Number::New(env, s.toDouble());
  }
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  ThrowTorch(env, "unsupported operator result type: " + v.tagKind());
}

// lookupOp(name, overload) -> id
Napi::Value LookupOp(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  std::string full = overload.empty() ? name : name + "." + overload;
  if (!handle.has_value()) ThrowTorch(env, "operator " + full + " is not available in this libtorch");
  {
    std::lock_guard<std::mutex> lock(gOpsMutex);
    auto known = gOpIds.find(full);
    if (known != gOpIds.end()) return Napi::Number::New(env, static_cast<double>(known->second));
  }
  const auto& schema = handle->schema();
  auto entry = std::make_unique<OpEntry>(OpEntry{*handle, full, {}, false, nullptr, ""});
  OpEntry& e = *entry;
  for (const auto& a : schema.arguments()) {
    auto t = a.type();
    bool optional = false;
    if (t->kind() == c10::TypeKind::OptionalType) {
      optional = true;
      t = t->containedType(0);
    }
    e.args.push_back(ArgSpec{KindOf(t), optional, a.name(), a.default_value()});
  }
  if (!schema.returns().empty()) {
    const auto* alias = schema.returns()[0].alias_info();
    e.returnsWrittenSelf = alias != nullptr && alias->isWrite() && schema.returns().size() == 1;
  }
  e.fast = MakeFastCall(e.op, &e.callShape);
  std::lock_guard<std::mutex> lock(gOpsMutex);
  size_t id = gNumOps.load(std::memory_order_relaxed);
  auto known = gOpIds.find(full);
  if (known != gOpIds.end()) return Napi::Number::New(env, static_cast<double>(known->second));
  if (id >= kMaxOps) ThrowTorch(env, "too many operators looked up");
  gOpIds.emplace(full, id);
  gOps[id] = std::move(entry);
  gNumOps.store(id + 1, std::memory_order_release);
  return Napi::Number::New(env, static_cast<double>(id));
}

// callOp(id, ...args) -> result (undefined when the op returns its mutated self)
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  size_t id = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  if (id >= gNumOps.load(std::memory_order_acquire)) ThrowType(env, "callOp: unknown operator id");
  const OpEntry& e = *gOps[id];
  if (e.fast != nullptr) {
    Napi::Value out;
    if (e.fast->Call(info, e.args, &out)) return out;
  }
  torch::jit::Stack stack;
  stack.reserve(e.args.size());
  size_t given = info.Length() - 1;
  for (size_t i = 0; i < e.args.size(); i++) {
    const auto& a = e.args[i];
    Napi::Value v = i < given ? info[i + 1] : env.Undefined();
    if (v.IsUndefined()) {
      if (a.defaultValue.has_value()) {
        stack.push_back(*a.defaultValue);
        continue;
      }
      if (a.optional) {
        stack.emplace_back();
        continue;
      }
      ThrowType(env, e.fullName + ": missing argument '" + a.name + "'");
    }
    if (v.IsNull()) {
      if (!a.optional) ThrowType(env, e.fullName + ": argument '" + a.name + "' may not be null");
      stack.emplace_back();
      continue;
    }
    stack.push_back(ToIValue(v, a, e.fullName));
  }
  e.op.callBoxed(&stack);
  if (e.returnsWrittenSelf) return env.Undefined();
  if (stack.size() == 1) return FromIValue(env, stack[0]);
  auto out = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), FromIValue(env, stack[i]));
  return out;
}

// opInfo(id) -> { name, schema, call }: `call` is the argument shape letters of
// the unboxed fast path (see unboxed.cc), suffixed " (boxed)" when there is none.
Napi::Value OpInfo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  size_t id = static_cast<size_t>(ToInt(info[0], "opInfo id"));
  if (id >= gNumOps.load(std::memory_order_acquire)) ThrowType(env, "opInfo: unknown operator id");
  const OpEntry& e = *gOps[id];
  auto out = Napi::Object::New(env);
  out.Set("name", e.fullName);
  std::ostringstream schema;
  schema << e.op.schema();
  out.Set("schema", schema.str());
  out.Set("call", e.callShape);
  return out;
}

}  // namespace

void InitDispatch(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "opInfo", OpInfo);
  TN_EXPORT(exports, "lookupOp", LookupOp);
  TN_EXPORT(exports, "callOp", CallOp);
}

}  // namespace tn
