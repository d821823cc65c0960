// A caching allocator for large CPU blocks.
//
// glibc hands blocks of a megabyte and more back to the kernel when they are
// freed, so every training step faults in its big activations again, page by
// page (a 16 MB feed-forward activation costs several milliseconds of page
// faults before a single multiply). This allocator keeps freed blocks of at
// least kMinBlock bytes, up to a limit, and hands them out again to requests
// that fit them with at most a quarter to spare; beyond the limit it frees
// the least recently freed blocks. Smaller requests go straight to the
// aligned malloc, as in libtorch's default CPU allocator.
//
// Installed once per process in place of libtorch's default CPU allocator
// (c10::SetCPUAllocator), unless something else replaced that one already;
// cacheInfo says whether it is active.
#include "core.h"

#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <map>
#include <mutex>

namespace tn {
namespace {

constexpr size_t kAlignment = 64;       // libtorch's CPU alignment
constexpr size_t kHeader = kAlignment;  // holds the block's capacity
constexpr size_t kMinBlock = size_t(1) << 20;

struct Cache {
  std::mutex mutex;
  // capacity -> (block, time it was freed)
  std::multimap<size_t, std::pair<void*, uint64_t>> free;
  size_t cachedBytes = 0;
  size_t limitBytes = size_t(512) << 20;
  uint64_t clock = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
};

Cache& TheCache() {
  static Cache* c = new Cache();  // never destroyed: tensors may be freed at exit
  return *c;
}

size_t& Capacity(void* base) {
  return *static_cast<size_t*>(base);
}
void* DataOf(void* base) {
  return static_cast<char*>(base) + kHeader;
}
void* BaseOf(void* data) {
  return static_cast<char*>(data) - kHeader;
}

void* RawAlloc(size_t capacity) {
  void* base = nullptr;
  if (posix_memalign(&base, kAlignment, capacity + kHeader) != 0 || base == nullptr) {
    TORCH_CHECK(false, "DefaultCPUAllocator: not enough memory: you tried to allocate ", capacity, " bytes.");
  }
  Capacity(base) = capacity;
  return base;
}

// Frees the least recently freed blocks until `incoming` more bytes fit.
// Called with the mutex held; returns the blocks to free outside it.
void EvictFor(Cache& c, size_t incoming, std::vector<void*>& out) {
  while (!c.free.empty() && c.cachedBytes + incoming > c.limitBytes) {
    auto oldest = c.free.begin();
    for (auto it = c.free.begin(); it != c.free.end(); ++it) {
      if (it->second.second < oldest->second.second) oldest = it;
    }
    c.cachedBytes -= oldest->first;
    out.push_back(oldest->second.first);
    c.free.erase(oldest);
  }
}

void FreeBlock(void* data) {
  if (data == nullptr) return;
  void* base = BaseOf(data);
  size_t capacity = Capacity(base);
  Cache& c = TheCache();
  std::vector<void*> release;
  if (capacity >= kMinBlock) {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (capacity <= c.limitBytes) {
      EvictFor(c, capacity, release);
      c.free.emplace(capacity, std::make_pair(base, ++c.clock));
      c.cachedBytes += capacity;
      base = nullptr;
    }
  }
  for (void* b : release) std::free(b);
  if (base != nullptr) std::free(base);
}

void* AllocBlock(size_t n) {
  if (n == 0) return nullptr;
  Cache& c = TheCache();
  if (n >= kMinBlock) {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.lower_bound(n);
    if (it != c.free.end() && it->first <= n + n / 4) {
      void* base = it->second.first;
      c.cachedBytes -= it->first;
      c.free.erase(it);
      c.hits++;
      return DataOf(base);
    }
    c.misses++;
  }
  return DataOf(RawAlloc(n));
}

struct CachingCpuAllocator final : public c10::Allocator {
  c10::DataPtr allocate(size_t n) override {
    void* data = AllocBlock(n);
    return {data, data, &FreeBlock, c10::Device(c10::DeviceType::CPU)};
  }
  c10::DeleterFnPtr raw_deleter() const override { return &FreeBlock; }
  void copy_data(void* dest, const void* src, std::size_t count) const override { default_copy_data(dest, src, count); }
};

CachingCpuAllocator& TheAllocator() {
  static CachingCpuAllocator* a = new CachingCpuAllocator();
  return *a;
}

// Once per process (worker threads load the addon again): read
// TORCH_NODE_CPU_CACHE_MB and install the allocator, unless another copy of
// the addon (a second build loaded into the same process) already replaced
// libtorch's default allocator.
void Install() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const char* mb = std::getenv("TORCH_NODE_CPU_CACHE_MB")) {
      char* end = nullptr;
      long long v = std::strtoll(mb, &end, 10);
      if (end != mb && *end == '\0' && v >= 0) TheCache().limitBytes = static_cast<size_t>(v) << 20;
    }
    if (c10::GetCPUAllocator() == c10::GetDefaultCPUAllocator()) c10::SetCPUAllocator(&TheAllocator(), /*priority=*/1);
  });
}

bool Active() {
  return c10::GetCPUAllocator() == &TheAllocator();
}

void EmptyCacheNow() {
  Cache& c = TheCache();
  std::vector<void*> release;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    for (auto& e : c.free) release.push_back(e.second.first);
    c.free.clear();
    c.cachedBytes = 0;
  }
  for (void* b : release) std::free(b);
}

// cpuCacheInfo() -> { available, cachedBytes, limitBytes, minBlockBytes, hits, misses }
Napi::Value CpuCacheInfo(const Napi::CallbackInfo& info) {
  Cache& c = TheCache();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto o = Napi::Object::New(info.Env());
  o.Set("available", Active());
  o.Set("cachedBytes", static_cast<double>(c.cachedBytes));
  o.Set("limitBytes", static_cast<double>(c.limitBytes));
  o.Set("minBlockBytes", static_cast<double>(kMinBlock));
  o.Set("hits", static_cast<double>(c.hits));
  o.Set("misses", static_cast<double>(c.misses));
  return o;
}

// cpuSetCacheLimit(bytes): frees cached blocks beyond the new limit (0 caches nothing).
Napi::Value CpuSetCacheLimit(const Napi::CallbackInfo& info) {
  int64_t limit = ToInt(info[0], "bytes");
  if (limit < 0) ThrowType(info.Env(), "cpuSetCacheLimit: bytes must be >= 0");
  Cache& c = TheCache();
  std::vector<void*> release;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.limitBytes = static_cast<size_t>(limit);
    EvictFor(c, 0, release);
  }
  for (void* b : release) std::free(b);
  return info.Env().Undefined();
}

Napi::Value CpuEmptyCache(const Napi::CallbackInfo& info) {
  EmptyCacheNow();
  return info.Env().Undefined();
}

}  // namespace

void InitCpuCache(Napi::Env env, Napi::Object exports) {
  Install();
  TN_EXPORT(exports, "cpuCacheInfo", CpuCacheInfo);
  TN_EXPORT(exports, "cpuSetCacheLimit", CpuSetCacheLimit);
  TN_EXPORT(exports, "cpuEmptyCache", CpuEmptyCache);
}

}  // namespace tn
