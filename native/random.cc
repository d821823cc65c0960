// A dropout mask drawn in parallel on the CPU: each 64K-element chunk has its
// own xoshiro256+ stream seeded from libtorch's CPU generator, so the result
// depends on torch.manualSeed and not on the thread count.
#include "core.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <mutex>

namespace tn {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline uint64_t Rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

struct Xoshiro {
  uint64_t s[4];
  explicit Xoshiro(uint64_t seed) {
    for (auto& v : s) v = SplitMix(seed);
  }
  uint64_t Next() {
    uint64_t result = s[0] + s[3];
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = Rotl(s[3], 45);
    return result;
  }
};

// When `gate` is given, the mask is also 0 where gate <= 0 (or is NaN), so
// that x * mask is dropout(relu(x)) in one pass, its gradient included.
// Branchless: keep/drop is random, so a branch per element would mispredict.
template <typename T, bool Gated>
void Fill(T* out, int64_t n, double p, uint64_t seed, const T* gate) {
  constexpr int64_t kChunk = 1 << 16;
  const T scale = static_cast<T>(1.0 / (1.0 - p));
  // keep when a uniform 32-bit draw is >= p * 2^32 (two draws per 64-bit output)
  const uint64_t threshold = static_cast<uint64_t>(p * 4294967296.0);
  int64_t chunks = (n + kChunk - 1) / kChunk;
  auto open = [gate](int64_t i) -> unsigned {
    if constexpr (Gated) return gate[i] > T(0);
    return 1U;
  };
  at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; c++) {
      Xoshiro rng(seed ^ (static_cast<uint64_t>(c) * 0xd1b54a32d192ed03ULL));
      int64_t lo = c * kChunk;
      int64_t hi = std::min(n, lo + kChunk);
      int64_t i = lo;
      for (; i + 1 < hi; i += 2) {
        uint64_t r = rng.Next();
        out[i] = scale * static_cast<T>(static_cast<unsigned>((r & 0xffffffffULL) >= threshold) & open(i));
        out[i + 1] = scale * static_cast<T>(static_cast<unsigned>((r >> 32) >= threshold) & open(i + 1));
      }
      if (i < hi) out[i] = scale * static_cast<T>(static_cast<unsigned>((rng.Next() & 0xffffffffULL) >= threshold) & open(i));
    }
  });
}

// dropoutMask(h, p, relu = false): a new contiguous CPU tensor shaped like h,
// holding 0 with probability p and 1/(1-p) otherwise (float32 or float64 like
// h); with relu, also 0 where h <= 0. The draws are the same either way.
Napi::Value DropoutMask(const Napi::CallbackInfo& info) {
  auto& x = Unwrap(info[0]);
  double p = info[1].As<Napi::Number>().DoubleValue();
  if (!(p >= 0 && p < 1)) ThrowType(info.Env(), "dropoutMask: p must be in [0, 1)");
  if (!x.device().is_cpu() || (x.scalar_type() != at::kFloat && x.scalar_type() != at::kDouble)) {
    ThrowType(info.Env(), "dropoutMask: expected a float32 or float64 CPU tensor");
  }
  uint64_t seed;
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    seed = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  bool relu = info.Length() > 2 && info[2].IsBoolean() && info[2].As<Napi::Boolean>().Value();
  at::Tensor gate;
  if (relu) gate = x.detach().contiguous();
  auto mask = at::empty(x.sizes(), x.options().requires_grad(false));
  if (x.scalar_type() == at::kFloat) {
    if (relu)
      Fill<float, true>(mask.data_ptr<float>(), mask.numel(), p, seed, gate.data_ptr<float>());
    else
      Fill<float, false>(mask.data_ptr<float>(), mask.numel(), p, seed, nullptr);
  } else {
    if (relu)
      Fill<double, true>(mask.data_ptr<double>(), mask.numel(), p, seed, gate.data_ptr<double>());
    else
      Fill<double, false>(mask.data_ptr<double>(), mask.numel(), p, seed, nullptr);
  }
  return Wrap(info.Env(), mask);
}

// randpermSeeded(n, seed): torch.randperm(n, generator=g) for a fresh CPU
// generator g seeded with `seed` (as torch.Generator().manual_seed(seed)), so
// the permutation equals Python's (DistributedSampler's shuffle).
Napi::Value RandpermSeeded(const Napi::CallbackInfo& info) {
  int64_t n = ToInt(info[0], "n");
  uint64_t seed = static_cast<uint64_t>(ToInt(info[1], "seed"));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return Wrap(info.Env(), at::randperm(n, gen, at::TensorOptions().dtype(at::kLong)));
}

}  // namespace

void InitRandom(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "dropoutMask", DropoutMask);
  TN_EXPORT(exports, "randpermSeeded", RandpermSeeded);
}

}  // namespace tn
