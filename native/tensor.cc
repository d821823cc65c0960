// Tensor lifetime, data in and out, metadata and storage access.
#include "core.h"

#include <cmath>
#include <cerrno>
#include <cstring>
#include <memory>

#ifndef _WIN32
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif
#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older C libraries lack the name
#endif

namespace tn {
namespace {

// dispose(h) -> true when this call freed the handle (false if it was already gone).
Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Holder* h = HolderOf(info[0]);
  if (h != nullptr) Release(info.Env(), h);
  return Napi::Boolean::New(info.Env(), h != nullptr);
}

// reportExternal(handles: Float64Array): see core.h.
Napi::Value ReportExternalJs(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    ThrowType(info.Env(), "reportExternal: expected a Float64Array of handles");
  }
  auto a = info[0].As<Napi::Float64Array>();
  size_t n = info.Length() > 1 ? static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()) : a.ElementLength();
  ReportExternal(info.Env(), a.Data(), std::min(n, a.ElementLength()));
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  Holder* h = HolderOf(info[0]);
  return Napi::Boolean::New(info.Env(), h == nullptr || !h->t.defined());
}

// fromBytes(typedArray, dtypeCode, shape): a new CPU tensor holding a copy of
// the bytes, read as `dtype`.
Napi::Value FromBytes(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (!info[0].IsTypedArray()) ThrowType(env, "Expected a typed array");
  auto ta = info[0].As<Napi::TypedArray>();
  auto dtype = ToScalarType(info[1]);
  auto shape = ToIntVector(info[2], "shape");
  auto t = at::empty(shape, at::TensorOptions().dtype(dtype));
  size_t want = t.nbytes();
  if (ta.ByteLength() != want) {
    ThrowTorch(env, "fromBytes: expected " + std::to_string(want) + " bytes but received " + std::to_string(ta.ByteLength()));
  }
  auto* src = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  if (want > 0) std::memcpy(t.data_ptr(), src, want);
  return Wrap(env, t);
}

// toBytes(h): an ArrayBuffer with a contiguous CPU copy of the elements.
Napi::Value ToBytes(const Napi::CallbackInfo& info) {
  auto t = Unwrap(info[0]).detach();
  if (!t.device().is_cpu()) t = t.cpu();
  t = t.contiguous();
  auto buf = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
  if (t.nbytes() > 0) std::memcpy(buf.Data(), t.data_ptr(), t.nbytes());
  return buf;
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  return ToIntArray(info.Env(), Unwrap(info[0]).sizes());
}
Napi::Value Stride(const Napi::CallbackInfo& info) {
  return ToIntArray(info.Env(), Unwrap(info[0]).strides());
}
Napi::Value Dim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Unwrap(info[0]).dim()));
}
Napi::Value Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Unwrap(info[0]).numel()));
}
Napi::Value DType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(Unwrap(info[0]).scalar_type()));
}
Napi::Value DeviceOf(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Unwrap(info[0]).device().str());
}
Napi::Value StorageOffset(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Unwrap(info[0]).storage_offset()));
}
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_contiguous());
}

// item(h): a JS number (bool for bool tensors).
Napi::Value Item(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  if (t.numel() != 1) {
    ThrowTorch(info.Env(), "a Tensor with " + std::to_string(t.numel()) + " elements cannot be converted to Scalar");
  }
  auto s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  // uint64 values past INT64_MAX do not fit toLong(); like int64 ones past
  // 2^53 they become the nearest double.
  if (t.scalar_type() == at::kUInt64) return Napi::Number::New(info.Env(), static_cast<double>(s.toUInt64()));
  if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
  return Napi::Number::New(info.Env(), s.toDouble());
}

Napi::Value StorageId(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  auto ptr = reinterpret_cast<uintptr_t>(t.storage().unsafeGetStorageImpl());
  return Napi::String::New(info.Env(), std::to_string(ptr));
}

Napi::Value StorageNbytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(Unwrap(info[0]).storage().nbytes()));
}

// storageBytes(h): a CPU copy of the whole storage behind h.
Napi::Value StorageBytes(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  auto storage = t.storage();
  int64_t n = static_cast<int64_t>(storage.nbytes());
  auto bytes = at::empty({0}, at::TensorOptions().dtype(at::kByte).device(t.device()));
  bytes.set_(storage, 0, {n}, {1});
  auto cpu = bytes.device().is_cpu() ? bytes : bytes.cpu();
  auto buf = Napi::ArrayBuffer::New(info.Env(), static_cast<size_t>(n));
  if (n > 0) std::memcpy(buf.Data(), cpu.data_ptr(), static_cast<size_t>(n));
  return buf;
}

// storageView(h, byteOffset, byteLength, populate?): an ArrayBuffer over bytes of the CPU
// storage behind h, without a copy (writes through it change the tensor). It
// does not own the memory: the caller keeps the tensor alive while using it
// and detaches it (detachView) before letting the tensor go, as
// withStorageView in storage.ts does.
Napi::Value StorageView(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = Unwrap(info[0]);
  if (!t.device().is_cpu()) ThrowTorch(env, "storageView: the tensor is on " + t.device().str() + ", not the CPU");
  int64_t off = ToInt(info[1], "byteOffset");
  int64_t len = ToInt(info[2], "byteLength");
  const auto& storage = t.storage();
  auto n = static_cast<int64_t>(storage.nbytes());
  if (off < 0 || len < 0 || off > n || len > n - off) {
    ThrowTorch(env, "storageView: bytes " + std::to_string(off) + ".." + std::to_string(off + len) + " are outside the " + std::to_string(n) + "-byte storage");
  }
  if (len == 0) return Napi::ArrayBuffer::New(env, 0);
  auto* data = static_cast<uint8_t*>(storage.mutable_data()) + off;
#if defined(__linux__)
  // populate: the caller is about to fill the range (a file read); mapping
  // its fresh pages in one call is much cheaper than one fault per page.
  // Best effort: kernels before 5.14 refuse it and the pages fault as usual.
  if (info.Length() > 3 && info[3].ToBoolean().Value()) {
    auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    auto first = (reinterpret_cast<uintptr_t>(data) + page - 1) & ~(page - 1);
    auto last = (reinterpret_cast<uintptr_t>(data) + static_cast<uintptr_t>(len)) & ~(page - 1);
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
  }
#endif
  return Napi::ArrayBuffer::New(env, data, static_cast<size_t>(len));
}

// detachView(arrayBuffer): detaches a storageView: it no longer reaches the
// tensor's memory (its length becomes 0).
Napi::Value DetachView(const Napi::CallbackInfo& info) {
  if (!info[0].IsArrayBuffer()) ThrowType(info.Env(), "detachView: expected an ArrayBuffer");
  auto ab = info[0].As<Napi::ArrayBuffer>();
  if (!ab.IsDetached() && ab.ByteLength() > 0) ab.Detach();
  return info.Env().Undefined();
}

#ifndef _WIN32
// A private file mapping, owned by the storage made over it.
struct Mapping {
  void* base;
  size_t size;
};

void Unmap(void* ctx) {
  auto* m = static_cast<Mapping*>(ctx);
  munmap(m->base, m->size);
  delete m;
}
#endif

// mapFile(fd): a 1-D uint8 tensor over the whole open file, mapped
// copy-on-write (MAP_PRIVATE, as torch.load(mmap=True)): pages are read from
// the file when first touched, writes stay private to this process. The file
// is unmapped when the storage (and every storageSlice of it) is freed.
Napi::Value MapFile(const Napi::CallbackInfo& info) {
  auto env = info.Env();
#ifdef _WIN32
  ThrowTorch(env, "mapFile: memory-mapped loading is not supported on Windows");
#else
  int fd = static_cast<int>(ToInt(info[0], "fd"));
  struct stat st;
  if (fstat(fd, &st) != 0) ThrowTorch(env, std::string("mapFile: fstat failed: ") + std::strerror(errno));
  auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return Wrap(env, at::empty({0}, at::kByte));
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (base == MAP_FAILED) ThrowTorch(env, std::string("mapFile: mmap failed: ") + std::strerror(errno));
  c10::DataPtr ptr(base, new Mapping{base, size}, &Unmap, c10::Device(c10::kCPU));
  c10::Storage storage(c10::Storage::use_byte_size_t(), size, std::move(ptr), nullptr, false);
  return Wrap(env, at::empty({0}, at::kByte).set_(storage, 0, {static_cast<int64_t>(size)}, {1}));
#endif
}

void DropStorageRef(void* ctx) {
  delete static_cast<c10::Storage*>(ctx);
}

// storageSlice(h, byteOffset, byteLength, dtypeCode): a 1-D tensor of dtype
// over bytes [byteOffset, byteOffset + byteLength) of h's CPU storage, on a
// storage of its own (as Python's UntypedStorage slicing) that keeps h's alive.
// No copy: the bytes are shared.
Napi::Value StorageSlice(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = Unwrap(info[0]);
  if (!t.device().is_cpu()) ThrowTorch(env, "storageSlice: the tensor is on " + t.device().str() + ", not the CPU");
  int64_t off = ToInt(info[1], "byteOffset");
  int64_t len = ToInt(info[2], "byteLength");
  auto dtype = ToScalarType(info[3]);
  auto item = static_cast<int64_t>(c10::elementSize(dtype));
  auto storage = t.storage();
  auto n = static_cast<int64_t>(storage.nbytes());
  if (off < 0 || len < 0 || off > n || len > n - off || len % item != 0) {
    ThrowTorch(env, "storageSlice: bytes " + std::to_string(off) + ".." + std::to_string(off + len) + " are not whole elements inside the " +
                        std::to_string(n) + "-byte storage");
  }
  auto* data = static_cast<uint8_t*>(storage.mutable_data()) + off;
  if (reinterpret_cast<uintptr_t>(data) % static_cast<uintptr_t>(item) != 0) {
    ThrowTorch(env, "storageSlice: byte offset " + std::to_string(off) + " is not aligned to the element size");
  }
  c10::DataPtr ptr(data, new c10::Storage(std::move(storage)), &DropStorageRef, c10::Device(c10::kCPU));
  c10::Storage slice(c10::Storage::use_byte_size_t(), static_cast<size_t>(len), std::move(ptr), nullptr, false);
  return Wrap(env, at::empty({0}, at::TensorOptions().dtype(dtype)).set_(slice, 0, {len / item}, {1}));
}

// setData(h, src): h.data = src (keeps h's identity, used by Module.to and
// optimizers' state loading).
Napi::Value SetData(const Napi::CallbackInfo& info) {
  auto& t = Unwrap(info[0]);
  t.set_data(Unwrap(info[1]));
  return info.Env().Undefined();
}

// Same tensor, new handle (a second JS owner of one TensorImpl).
Napi::Value Alias(const Napi::CallbackInfo& info) {
  return Wrap(info.Env(), Unwrap(info[0]));
}

Napi::Value SameTensor(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Unwrap(info[0]).is_same(Unwrap(info[1])));
}

Napi::Value Repr(const Napi::CallbackInfo& info) {
  std::ostringstream os;
  os << Unwrap(info[0]);
  return Napi::String::New(info.Env(), os.str());
}

// indexBasic(h, items, count, specified): the view part of Python's
// indexing (PyTorch's applySlicing) in one call. items is a flat array of
// [kind, a, b, c] quadruples: kind 0 selects index a; 1 slices a:b:c (NaN for
// an open end); 2 inserts a new axis; 3 is '...' (skips ndim - specified
// dims); 4 skips a dims (the dims an index tensor or mask addresses, indexed
// afterwards by aten::index). `specified` is PyTorch's count of indexed dims.
// Errors name the item's position as PyTorch does. Returns a view
// (autograd-tracked).
Napi::Value IndexBasic(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  at::Tensor t = Unwrap(info[0]);
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    ThrowType(env, "indexBasic: expected a Float64Array of index items");
  }
  auto spec = info[1].As<Napi::Float64Array>();
  uint32_t n = static_cast<uint32_t>(ToInt(info[2], "indexBasic count"));
  int64_t specified = ToInt(info[3], "indexBasic specified");
  if (4 * static_cast<size_t>(n) > spec.ElementLength()) ThrowType(env, "indexBasic: count exceeds the items given");
  const double* q = spec.Data();
  int64_t ndim = t.dim();
  if (n == 1 && q[0] == 0 && ndim == 0) {
    throw Napi::RangeError::New(env,
                                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
                                "to convert a 0-dim tensor to a number");
  }
  if (specified > ndim) {
    throw Napi::RangeError::New(env, "too many indices for tensor of dimension " + std::to_string(ndim));
  }
  int64_t dim = 0;
  for (uint32_t k = 0; k < n; k++, q += 4) {
    switch (static_cast<int>(q[0])) {
      case 0: {
        int64_t i = static_cast<int64_t>(q[1]);
        int64_t size = t.size(dim);
        if (i >= size || i < -size) {
          throw Napi::RangeError::New(
              env, "index " + std::to_string(i) + " is out of bounds for dimension " + std::to_string(k) + " with size " + std::to_string(size));
        }
        t = t.select(dim, i);
        break;
      }
      case 1: {
        c10::optional<int64_t> start, stop;
        int64_t step = static_cast<int64_t>(q[3]);
        if (!std::isnan(q[1])) start = static_cast<int64_t>(q[1]);
        if (!std::isnan(q[2])) stop = static_cast<int64_t>(q[2]);
        if (start.has_value() || stop.has_value() || step != 1) t = t.slice(dim, start, stop, step);
        dim++;
        break;
      }
      case 2:
        t = t.unsqueeze(dim);
        dim++;
        break;
      case 4: dim += static_cast<int64_t>(q[1]); break;
      default: dim += ndim - specified; break;
    }
  }
  return Wrap(env, t);
}

}  // namespace

void InitTensor(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "dispose", Dispose);
  TN_EXPORT(exports, "reportExternal", ReportExternalJs);
  TN_EXPORT(exports, "isDisposed", IsDisposed);
  TN_EXPORT(exports, "fromBytes", FromBytes);
  TN_EXPORT(exports, "toBytes", ToBytes);
  TN_EXPORT(exports, "shape", Shape);
  TN_EXPORT(exports, "stride", Stride);
  TN_EXPORT(exports, "dim", Dim);
  TN_EXPORT(exports, "numel", Numel);
  TN_EXPORT(exports, "dtype", DType);
  TN_EXPORT(exports, "device", DeviceOf);
  TN_EXPORT(exports, "storageOffset", StorageOffset);
  TN_EXPORT(exports, "isContiguous", IsContiguous);
  TN_EXPORT(exports, "item", Item);
  TN_EXPORT(exports, "storageId", StorageId);
  TN_EXPORT(exports, "storageNbytes", StorageNbytes);
  TN_EXPORT(exports, "storageBytes", StorageBytes);
  TN_EXPORT(exports, "storageView", StorageView);
  TN_EXPORT(exports, "detachView", DetachView);
  TN_EXPORT(exports, "mapFile", MapFile);
  TN_EXPORT(exports, "storageSlice", StorageSlice);
  TN_EXPORT(exports, "setData", SetData);
  TN_EXPORT(exports, "alias", Alias);
  TN_EXPORT(exports, "sameTensor", SameTensor);
  TN_EXPORT(exports, "repr", Repr);
  TN_EXPORT(exports, "indexBasic", IndexBasic);
}

}  // namespace tn
