// The unboxed fast path of callOp: operators whose schemas have one of a few
// common shapes are called through the dispatcher's typed (unboxed) entry,
// skipping the IValue stack. The C++ signature is derived from the schema and
// confirmed by the dispatcher (typed() rejects a signature that differs from
// the registered kernel's), so a wrong guess only means no fast path.
#include "dispatch.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <type_traits>
#include <utility>

namespace tn {
namespace {

bool IsIntegralNumber(double d) {
  return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9007199254740992.0;
}

// An omitted argument (undefined) takes the schema's default when that
// default is of the kind read here (`is`); otherwise false (the boxed path decides).
template <class T>
bool DefaultOf(const ArgSpec& a, bool (c10::IValue::*is)() const, T& out) {
  if (!a.defaultValue.has_value() || !((*a.defaultValue).*is)()) return false;
  out = a.defaultValue->to<T>();
  return true;
}

// For an optional argument given as null or undefined: whether it is None
// (null always; undefined when the schema's default is None or absent).
bool TakesNone(napi_valuetype t, const ArgSpec& a) {
  return t == napi_null || !a.defaultValue.has_value() || a.defaultValue->isNone();
}

// Arg<T>: reads one argument of C++ type T from a JS value into Store; false
// when the value is anything but the plain case (the boxed path takes over).
template <class T>
struct Arg;

template <>
struct Arg<const at::Tensor&> {
  using Store = at::Tensor*;
  static bool Get(const Napi::Value& v, const ArgSpec&, Store& out) {
    Holder* h = HolderOf(v);
    if (h == nullptr) return false;
    out = &h->t;
    return true;
  }
  static const at::Tensor& Pass(Store s) { return *s; }
};

template <>
struct Arg<at::Tensor&> {
  using Store = at::Tensor*;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) { return Arg<const at::Tensor&>::Get(v, a, out); }
  static at::Tensor& Pass(Store s) { return *s; }
};

template <>
struct Arg<const at::Scalar&> {
  using Store = at::Scalar;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_undefined) return DefaultOf(a, &c10::IValue::isScalar, out);
    if (t == napi_boolean) {
      out = at::Scalar(v.As<Napi::Boolean>().Value());
      return true;
    }
    if (t != napi_number) return false;
    out = ScalarFromNumber(v.As<Napi::Number>().DoubleValue());
    return true;
  }
  static const at::Scalar& Pass(const Store& s) { return s; }
};

template <>
struct Arg<int64_t> {
  using Store = int64_t;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_undefined) return DefaultOf(a, &c10::IValue::isInt, out);
    if (t != napi_number) return false;
    double d = v.As<Napi::Number>().DoubleValue();
    if (!IsIntegralNumber(d)) return false;
    out = static_cast<int64_t>(d);
    return true;
  }
  static int64_t Pass(Store s) { return s; }
};

template <>
struct Arg<c10::SymInt> {
  using Store = int64_t;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) { return Arg<int64_t>::Get(v, a, out); }
  static c10::SymInt Pass(Store s) { return c10::SymInt(s); }
};

template <>
struct Arg<double> {
  using Store = double;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_undefined) return DefaultOf(a, &c10::IValue::isDouble, out);
    if (t != napi_number) return false;
    out = v.As<Napi::Number>().DoubleValue();
    return true;
  }
  static double Pass(Store s) { return s; }
};

template <>
struct Arg<bool> {
  using Store = bool;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_undefined) return DefaultOf(a, &c10::IValue::isBool, out);
    if (t != napi_boolean) return false;
    out = v.As<Napi::Boolean>().Value();
    return true;
  }
  static bool Pass(Store s) { return s; }
};

template <>
struct Arg<c10::optional<at::ScalarType>> {
  using Store = c10::optional<at::ScalarType>;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_undefined || t == napi_null) {
      if (!TakesNone(t, a)) return false;
      out = c10::nullopt;
      return true;
    }
    if (t != napi_number) return false;
    double d = v.As<Napi::Number>().DoubleValue();
    if (!IsIntegralNumber(d) || d < 0 || d >= static_cast<double>(at::ScalarType::NumOptions)) return false;
    out = static_cast<at::ScalarType>(static_cast<int>(d));
    return true;
  }
  static c10::optional<at::ScalarType> Pass(Store s) { return s; }
};

// int[]: the array is copied into Store; Pass views it.
template <>
struct Arg<at::IntArrayRef> {
  using Store = std::vector<int64_t>;
  static bool Get(const Napi::Value& v, const ArgSpec&, Store& out) {
    if (!v.IsArray()) return false;
    auto arr = v.As<Napi::Array>();
    uint32_t n = arr.Length();
    out.resize(n);
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value x = arr.Get(i);
      if (x.Type() != napi_number) return false;
      double d = x.As<Napi::Number>().DoubleValue();
      if (!IsIntegralNumber(d)) return false;
      out[i] = static_cast<int64_t>(d);
    }
    return true;
  }
  static at::IntArrayRef Pass(const Store& s) { return s; }
};

template <>
struct Arg<c10::SymIntArrayRef> {
  using Store = std::vector<c10::SymInt>;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    std::vector<int64_t> ints;
    if (!Arg<at::IntArrayRef>::Get(v, a, ints)) return false;
    out.reserve(ints.size());
    for (int64_t x : ints) out.emplace_back(x);
    return true;
  }
  static c10::SymIntArrayRef Pass(const Store& s) { return s; }
};

// Tensor?[] (indexing): tensors and nulls.
template <>
struct Arg<const c10::List<c10::optional<at::Tensor>>&> {
  using Store = c10::List<c10::optional<at::Tensor>>;
  static bool Get(const Napi::Value& v, const ArgSpec&, Store& out) {
    if (!v.IsArray()) return false;
    auto arr = v.As<Napi::Array>();
    uint32_t n = arr.Length();
    out.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
      Napi::Value x = arr.Get(i);
      napi_valuetype t = x.Type();
      if (t == napi_null || t == napi_undefined) {
        out.push_back(c10::nullopt);
        continue;
      }
      Holder* h = HolderOf(x);
      if (h == nullptr) return false;
      out.push_back(h->t);
    }
    return true;
  }
  static const Store& Pass(const Store& s) { return s; }
};

// Tensor? (a bias, a norm's weight).
template <>
struct Arg<const c10::optional<at::Tensor>&> {
  using Store = c10::optional<at::Tensor>;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_null || t == napi_undefined) {
      if (!TakesNone(t, a)) return false;
      out = c10::nullopt;
      return true;
    }
    Holder* h = HolderOf(v);
    if (h == nullptr) return false;
    out = h->t;
    return true;
  }
  static const Store& Pass(const Store& s) { return s; }
};

// Optional layout, pin_memory (factories): only absence is taken here.
template <class E>
struct Absent {
  using Store = c10::optional<E>;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t != napi_null && t != napi_undefined) return false;
    if (!TakesNone(t, a)) return false;
    out = c10::nullopt;
    return true;
  }
  static c10::optional<E> Pass(const Store& s) { return s; }
};
template <>
struct Arg<c10::optional<at::Layout>> : Absent<at::Layout> {};
template <>
struct Arg<c10::optional<bool>> : Absent<bool> {};

// Device? : absent, or a device string ("cpu", "cuda:0").
template <>
struct Arg<c10::optional<at::Device>> {
  using Store = c10::optional<at::Device>;
  static bool Get(const Napi::Value& v, const ArgSpec& a, Store& out) {
    napi_valuetype t = v.Type();
    if (t == napi_null || t == napi_undefined) return Absent<at::Device>::Get(v, a, out);
    if (t != napi_string) return false;
    out = ToDevice(v);
    return true;
  }
  static c10::optional<at::Device> Pass(const Store& s) { return s; }
};

template <class Sig>
class Typed;

template <class R, class... A>
class Typed<R(A...)> final : public FastCall {
 public:
  explicit Typed(c10::TypedOperatorHandle<R(A...)> h) : h_(std::move(h)) {}

  bool Call(const Napi::CallbackInfo& info, const std::vector<ArgSpec>& args, Napi::Value* out) const override {
    return CallImpl(info, args, out, std::index_sequence_for<A...>{});
  }

 private:
  template <size_t... I>
  bool CallImpl(const Napi::CallbackInfo& info, const std::vector<ArgSpec>& args, Napi::Value* out, std::index_sequence<I...>) const {
    // info[0] is the op id; missing trailing arguments read as undefined.
    std::tuple<typename Arg<A>::Store...> st;
    bool ok = (Arg<A>::Get(info[I + 1], args[I], std::get<I>(st)) && ...);
    if (!ok) return false;
    if constexpr (std::is_same_v<R, at::Tensor&>) {
      h_.call(Arg<A>::Pass(std::get<I>(st))...);
      *out = info.Env().Undefined();
    } else {
      *out = Wrap(info.Env(), h_.call(Arg<A>::Pass(std::get<I>(st))...));
    }
    return true;
  }

  c10::TypedOperatorHandle<R(A...)> h_;
};

// One letter per argument: T tensor, W written tensor (in-place self),
// S scalar, I int, J SymInt, D float, B bool, N int[], Z SymInt[], Q Tensor?[],
// O Tensor?, Y dtype?, L layout?, V device?, P bool?.
char Letter(const c10::Argument& a, size_t i) {
  const auto& t = a.real_type();  // ScalarType and SymInt, not their int stand-ins
  const auto* alias = a.alias_info();
  switch (t->kind()) {
    case c10::TypeKind::TensorType:
      if (alias != nullptr && alias->isWrite()) return i == 0 ? 'W' : '?';
      return 'T';
    case c10::TypeKind::NumberType: return 'S';
    case c10::TypeKind::IntType: return 'I';
    case c10::TypeKind::SymIntType: return 'J';
    case c10::TypeKind::FloatType: return 'D';
    case c10::TypeKind::BoolType: return 'B';
    case c10::TypeKind::ListType: {
      const auto& e = t->containedType(0);
      if (e->kind() == c10::TypeKind::IntType) return 'N';
      if (e->kind() == c10::TypeKind::SymIntType) return 'Z';
      if (e->kind() == c10::TypeKind::OptionalType && e->containedType(0)->kind() == c10::TypeKind::TensorType) return 'Q';
      return '?';
    }
    case c10::TypeKind::OptionalType:
      switch (t->containedType(0)->kind()) {
        case c10::TypeKind::TensorType: return 'O';
        case c10::TypeKind::ScalarTypeType: return 'Y';
        case c10::TypeKind::LayoutType: return 'L';
        case c10::TypeKind::DeviceObjType: return 'V';
        case c10::TypeKind::BoolType: return 'P';
        default: return '?';
      }
    default: return '?';
  }
}

template <class Sig>
std::unique_ptr<FastCall> Make(const c10::OperatorHandle& op) {
  return std::make_unique<Typed<Sig>>(op.typed<Sig>());
}

using T = const at::Tensor&;
using W = at::Tensor&;
using S = const at::Scalar&;
using Y = c10::optional<at::ScalarType>;
using R = at::Tensor;
using N = at::IntArrayRef;
using Z = c10::SymIntArrayRef;
using Q = const c10::List<c10::optional<at::Tensor>>&;
using O = const c10::optional<at::Tensor>&;
using L = c10::optional<at::Layout>;
using V = c10::optional<at::Device>;
using P = c10::optional<bool>;

std::unique_ptr<FastCall> MakeFastCallImpl(const c10::OperatorHandle& op, const std::string& shape) {
  const auto& schema = op.schema();
  if (schema.returns().size() != 1 || schema.returns()[0].type()->kind() != c10::TypeKind::TensorType) return nullptr;
  if (schema.is_vararg() || schema.is_varret()) return nullptr;
  const auto* ralias = schema.returns()[0].alias_info();
  bool writesSelf = ralias != nullptr && ralias->isWrite();
  if (writesSelf != (!shape.empty() && shape[0] == 'W')) return nullptr;
  try {
    if (!writesSelf) {
      if (shape == "T") return Make<R(T)>(op);
      if (shape == "TT") return Make<R(T, T)>(op);
      if (shape == "TTT") return Make<R(T, T, T)>(op);
      if (shape == "TTS") return Make<R(T, T, S)>(op);
      if (shape == "TS") return Make<R(T, S)>(op);
      if (shape == "TSS") return Make<R(T, S, S)>(op);
      if (shape == "TTTSS") return Make<R(T, T, T, S, S)>(op);
      if (shape == "TY") return Make<R(T, Y)>(op);
      if (shape == "TI") return Make<R(T, int64_t)>(op);
      if (shape == "TIY") return Make<R(T, int64_t, Y)>(op);
      if (shape == "TII") return Make<R(T, int64_t, int64_t)>(op);
      if (shape == "TIB") return Make<R(T, int64_t, bool)>(op);
      if (shape == "TIT") return Make<R(T, int64_t, T)>(op);
      if (shape == "TITB") return Make<R(T, int64_t, T, bool)>(op);
      if (shape == "TDB") return Make<R(T, double, bool)>(op);
      if (shape == "TB") return Make<R(T, bool)>(op);
      if (shape == "TN") return Make<R(T, N)>(op);
      if (shape == "TZ") return Make<R(T, Z)>(op);
      if (shape == "TZB") return Make<R(T, Z, bool)>(op);
      if (shape == "TQ") return Make<R(T, Q)>(op);
      if (shape == "TTO") return Make<R(T, T, O)>(op);
      if (shape == "TTIBB") return Make<R(T, T, int64_t, bool, bool)>(op);
      if (shape == "TNOODB") return Make<R(T, N, O, O, double, bool)>(op);
      if (shape == "NYLVP") return Make<R(N, Y, L, V, P)>(op);
      if (shape == "NSYLVP") return Make<R(N, S, Y, L, V, P)>(op);
      if (shape == "ZYLVP") return Make<R(Z, Y, L, V, P)>(op);
      if (shape == "ZSYLVP") return Make<R(Z, S, Y, L, V, P)>(op);
    } else {
      if (shape == "W") return Make<W(W)>(op);
      if (shape == "WT") return Make<W(W, T)>(op);
      if (shape == "WTS") return Make<W(W, T, S)>(op);
      if (shape == "WS") return Make<W(W, S)>(op);
      if (shape == "WSS") return Make<W(W, S, S)>(op);
      if (shape == "WD") return Make<W(W, double)>(op);
    }
  } catch (const c10::Error&) {
    // The kernel's C++ signature is not the one derived: no fast path.
  }
  return nullptr;
}

}  // namespace

std::unique_ptr<FastCall> MakeFastCall(const c10::OperatorHandle& op, std::string* shapeOut) {
  const auto& schema = op.schema();
  std::string shape;
  for (size_t i = 0; i < schema.arguments().size(); i++) shape += Letter(schema.arguments()[i], i);
  auto fast = MakeFastCallImpl(op, shape);
  if (fast == nullptr && shape.find_first_of("ZJ") != std::string::npos) {
    // The same call with plain ints where the schema says SymInt (the
    // dispatcher takes both; only the int shape may be in the table).
    std::string ints = shape;
    std::replace(ints.begin(), ints.end(), 'Z', 'N');
    std::replace(ints.begin(), ints.end(), 'J', 'I');
    fast = MakeFastCallImpl(op, ints);
    if (fast != nullptr) shape = ints;
  }
  *shapeOut = shape + (fast != nullptr ? "" : " (boxed)");
  return fast;
}

}  // namespace tn
