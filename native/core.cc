// Handles, the error class, and conversions.
#include "core.h"

#include <atomic>
#include <stdexcept>
#include <cmath>
#include <mutex>
#include <sstream>

namespace tn {
namespace {

constexpr double kTag = 1125899906842624.0;  // 2^50: handles are numbers in [2^50, 2^51)
constexpr uint64_t kIndexBits = 24;
constexpr uint64_t kIndexMask = (1ULL << kIndexBits) - 1;
constexpr uint32_t kGenMask = (1U << 26) - 1;
constexpr uint32_t kBlockBits = 12;
constexpr uint32_t kBlockSize = 1U << kBlockBits;
constexpr uint32_t kMaxBlocks = 1U << (kIndexBits - kBlockBits);

// Slots live in fixed blocks that never move or go away, so a handle is read
// without the lock: the block pointer and the slot count are published with
// release stores after the slot is ready. The lock orders writers (creating and
// freeing handles, which DataLoader worker threads do too).
std::mutex gLiveMutex;
std::atomic<Holder*> gBlocks[kMaxBlocks];
std::atomic<uint32_t> gSlotCount{0};
std::vector<uint32_t> gFree;
int64_t gLiveCount = 0;

Holder* SlotAt(uint32_t index) {
  return gBlocks[index >> kBlockBits].load(std::memory_order_acquire) + (index & (kBlockSize - 1));
}

double HandleValue(uint32_t index, uint32_t gen) {
  return kTag + static_cast<double>((static_cast<uint64_t>(gen) << kIndexBits) | index);
}

// The slot a number names (live or not), or nullptr if it names none.
Holder* SlotOfValue(double d, bool* stale) {
  *stale = false;
  if (!(d >= kTag && d < 2 * kTag) || d != std::floor(d)) return nullptr;
  uint64_t rel = static_cast<uint64_t>(d - kTag);
  uint32_t index = static_cast<uint32_t>(rel & kIndexMask);
  uint32_t gen = static_cast<uint32_t>(rel >> kIndexBits);
  if (index >= gSlotCount.load(std::memory_order_acquire)) return nullptr;
  Holder* h = SlotAt(index);
  if (h->gen != gen || !h->t.defined()) *stale = true;
  return h;
}

Holder* SlotOf(const Napi::Value& v, bool* stale) {
  *stale = false;
  if (!v.IsNumber()) return nullptr;
  return SlotOfValue(v.As<Napi::Number>().DoubleValue(), stale);
}

// Native bytes not yet reported to V8; reported in steps so that small
// tensors do not each cost a call into the engine.
thread_local int64_t gPendingBytes = 0;
constexpr int64_t kReportStep = 1 << 20;

void ReportBytes(Napi::Env env, int64_t delta) {
  gPendingBytes += delta;
  if (gPendingBytes >= kReportStep || gPendingBytes <= -kReportStep) {
    Napi::MemoryManagement::AdjustExternalMemory(env, gPendingBytes);
    gPendingBytes = 0;
  }
}

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

Napi::Value TorchErrorValue(Napi::Env env, const std::string& msg) {
  auto& d = Data(env);
  if (!d.errorClass.IsEmpty()) return d.errorClass.New({Napi::String::New(env, msg)});
  return Napi::Error::New(env, msg).Value();
}

void ThrowTorchNoExcept(Napi::Env env, const std::string& msg) {
  napi_throw(env, TorchErrorValue(env, msg));
}

void ThrowTorch(Napi::Env env, const std::string& msg) {
  auto& d = Data(env);
  if (!d.errorClass.IsEmpty()) {
    throw Napi::Error(env, d.errorClass.New({Napi::String::New(env, msg)}));
  }
  throw Napi::Error::New(env, msg);
}

void ThrowType(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}

namespace {
std::string Describe(const Napi::Value& v) {
  if (v.IsNumber()) {
    std::ostringstream os;
    os << v.As<Napi::Number>().DoubleValue() << " of type number";
    return os.str();
  }
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "' of type string";
  if (v.IsBoolean()) return std::string(v.As<Napi::Boolean>().Value() ? "true" : "false") + " of type boolean";
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  if (v.IsArray()) return "an array";
  if (v.IsExternal()) return "a tensor handle";
  return "an object";
}
}  // namespace

bool IsIntegral(double d) {
  double ip = 0;
  return std::isfinite(d) && std::modf(d, &ip) == 0.0;
}

constexpr double kTwo63 = 9223372036854775808.0;   // 2^63
constexpr double kTwo64 = 18446744073709551616.0;  // 2^64

int64_t ToInt(const Napi::Value& v, const std::string& what) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!IsIntegral(d)) ThrowType(v.Env(), "Expected an integer for " + what + " but received " + Describe(v));
    if (d >= kTwo63 || d < -kTwo63) {
      throw Napi::RangeError::New(v.Env(), "Expected an integer that fits in int64 for " + what + " but received " + Describe(v));
    }
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(v.Env(), "Expected an integer that fits in int64 for " + what);
    return x;
  }
  ThrowType(v.Env(), "Expected an integer for " + what + " but received " + Describe(v));
}

c10::Scalar ScalarFromNumber(double d) {
  if (IsIntegral(d)) {
    if (d >= -kTwo63 && d < kTwo63) return c10::Scalar(static_cast<int64_t>(d));
    if (d >= kTwo63 && d < kTwo64) return c10::Scalar(static_cast<uint64_t>(d));
  }
  return c10::Scalar(d);
}

c10::Scalar ToScalar(const Napi::Value& v, const std::string& what) {
  if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsNumber()) return ScalarFromNumber(v.As<Napi::Number>().DoubleValue());
  if (v.IsBigInt()) {
    auto big = v.As<Napi::BigInt>();
    bool lossless = false;
    int64_t x = big.Int64Value(&lossless);
    if (lossless) return c10::Scalar(x);
    uint64_t u = big.Uint64Value(&lossless);
    if (lossless) return c10::Scalar(u);
    std::string digits = big.ToString().Utf8Value();
    throw Napi::RangeError::New(v.Env(), "Expected an integer that fits in int64 or uint64 for " + what + " but received " + digits);
  }
  ThrowType(v.Env(), "Expected a number, boolean or bigint for " + what + " but received " + Describe(v));
}

Napi::Value Wrap(Napi::Env env, at::Tensor t) {
  uint32_t index;
  uint32_t gen;
  {
    std::lock_guard<std::mutex> lock(gLiveMutex);
    if (!gFree.empty()) {
      index = gFree.back();
      gFree.pop_back();
    } else {
      index = gSlotCount.load(std::memory_order_relaxed);
      if (index > kIndexMask) throw std::runtime_error("too many live tensors (16M)");
      if ((index & (kBlockSize - 1)) == 0) {
        gBlocks[index >> kBlockBits].store(new Holder[kBlockSize], std::memory_order_release);
      }
      SlotAt(index)->index = index;
    }
    Holder& h = *SlotAt(index);
    h.t = std::move(t);
    h.reportedBytes = 0;
    gen = h.gen;
    gLiveCount++;
    if (index == gSlotCount.load(std::memory_order_relaxed)) gSlotCount.store(index + 1, std::memory_order_release);
  }
  return Napi::Number::New(env, HandleValue(index, gen));
}

Holder* HolderOf(const Napi::Value& v) {
  bool stale = false;
  Holder* h = SlotOf(v, &stale);
  return stale ? nullptr : h;
}

at::Tensor& Unwrap(const Napi::Value& v) {
  bool stale = false;
  Holder* h = SlotOf(v, &stale);
  if (h == nullptr) ThrowType(v.Env(), "Expected a tensor handle but received " + Describe(v));
  if (stale) ThrowTorch(v.Env(), "Tensor has been disposed");
  return h->t;
}

void Release(Napi::Env env, Holder* h) {
  int64_t bytes = 0;
  at::Tensor dropped;
  {
    std::lock_guard<std::mutex> lock(gLiveMutex);
    if (!h->t.defined()) return;
    dropped = std::move(h->t);
    h->t = at::Tensor();
    h->gen = (h->gen + 1) & kGenMask;
    bytes = h->reportedBytes;
    h->reportedBytes = 0;
    gFree.push_back(h->index);
    gLiveCount--;
  }
  dropped.reset();  // frees outside the lock
  if (bytes > 0) ReportBytes(env, -bytes);
}

void ReportExternal(Napi::Env env, const double* handles, size_t n) {
  int64_t total = 0;
  {
    std::lock_guard<std::mutex> lock(gLiveMutex);
    for (size_t k = 0; k < n; k++) {
      bool stale = false;
      Holder* h = SlotOfValue(handles[k], &stale);
      if (h == nullptr || stale || h->reportedBytes != 0) continue;
      h->reportedBytes = ReportableBytes(h->t);
      total += h->reportedBytes;
    }
  }
  if (total > 0) ReportBytes(env, total);
}

int64_t LiveCount() {
  std::lock_guard<std::mutex> lock(gLiveMutex);
  return gLiveCount;
}

void ForEachLive(const std::function<void(const at::Tensor&)>& fn) {
  std::lock_guard<std::mutex> lock(gLiveMutex);
  uint32_t n = gSlotCount.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n; i++) {
    const Holder& h = *SlotAt(i);
    if (h.t.defined()) fn(h.t);
  }
}

std::vector<int64_t> ToIntVector(const Napi::Value& v, const char* what) {
  std::vector<int64_t> out;
  if (v.IsNumber() || v.IsBigInt()) {
    out.push_back(ToInt(v, what));
    return out;
  }
  if (!v.IsArray()) ThrowType(v.Env(), std::string("Expected an array of integers for ") + what + " but received " + Describe(v));
  auto a = v.As<Napi::Array>();
  uint32_t n = a.Length();
  out.reserve(n);
  for (uint32_t i = 0; i < n; i++) out.push_back(ToInt(a.Get(i), std::string(what) + "[" + std::to_string(i) + "]"));
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
