// Distributed training on libtorch's own c10d: key-value stores (TCPStore,
// FileStore, PrefixStore), process groups (Gloo; NCCL where this libtorch has
// it), collectives returning work handles, and DDP's gradient Reducer. Stores
// and groups are built the way Python's torch.distributed builds them (the same
// PrefixStore chain, the same Gloo devices, the same sequence-number
// handshake), so Python and TypeScript processes can share one group.
//
// Stores and groups live in registries addressed by number and are released
// explicitly (a process group's destructor waits for its queued work, so it
// must not run in a GC finalizer); work handles and reducers are JS externals.
// Each group keeps an arrival record in its store (the last collective each
// rank entered and a heartbeat, written by a background thread at most ~50
// times a second): when a collective fails or times out, the error names the
// ranks that did not arrive and those that stopped answering.
#include "core.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#if defined(TN_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <type_traits>

namespace tn {
namespace {

using Ms = std::chrono::milliseconds;
using StorePtr = c10::intrusive_ptr<c10d::Store>;

// ------------------------------------------------------------------ helpers

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}
std::string Str(const std::vector<uint8_t>& v) {
  return std::string(v.begin(), v.end());
}

std::vector<at::Tensor> Tensors(const Napi::Value& v) {
  std::vector<at::Tensor> out;
  auto a = v.As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(Unwrap(a.Get(i)));
  return out;
}

std::vector<std::string> Strings(const Napi::Value& v) {
  std::vector<std::string> out;
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(a.Get(i).As<Napi::String>().Utf8Value());
  return out;
}

std::string Message(const std::exception& e) {
  if (auto* ce = dynamic_cast<const c10::Error*>(&e)) return FirstLine(ce->what_without_backtrace());
  return FirstLine(e.what());
}

// An AsyncWorker running `fn` on the libuv pool and settling a Promise:
// resolved with `result(env)`, or rejected with a TorchError.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, std::function<void()> fn, std::function<Napi::Value(Napi::Env)> result)
      : Napi::AsyncWorker(env, "torch-distributed"), deferred_(Napi::Promise::Deferred::New(env)), fn_(std::move(fn)), result_(std::move(result)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      fn_();
    } catch (const std::exception& e) {
      SetError(Message(e));
    } catch (...) {
      SetError("unknown native error");
    }
  }
  void OnOK() override { deferred_.Resolve(result_ ? result_(Env()) : Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(TorchErrorValue(Env(), e.Message())); }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> fn_;
  std::function<Napi::Value(Napi::Env)> result_;
};

Napi::Value RunAsync(Napi::Env env, std::function<void()> fn, std::function<Napi::Value(Napi::Env)> result = nullptr) {
  auto* w = new PromiseWorker(env, std::move(fn), std::move(result));
  auto p = w->Promise();
  w->Queue();
  return p;
}

// ------------------------------------------------------------------ stores

// A store and how it was made: its root store and the PrefixStore chain over
// it, so that a second connection (a clone) can be built for background use.
struct StoreEntry {
  StorePtr root;
  std::vector<std::string> prefixes;
  StorePtr store;
};

std::mutex gRegistryMutex;
// Leaked on purpose: nothing here may be destroyed at process exit (a group's
// destructor waits for its work; a TCPStore server's for its clients).
auto& gStores = *new std::map<int64_t, StoreEntry>();
int64_t gNextId = 1;

int64_t AddStore(StoreEntry e) {
  std::lock_guard<std::mutex> lock(gRegistryMutex);
  int64_t id = gNextId++;
  gStores[id] = std::move(e);
  return id;
}

StoreEntry GetStore(Napi::Env env, const Napi::Value& v) {
  int64_t id = ToInt(v, "store");
  std::lock_guard<std::mutex> lock(gRegistryMutex);
  auto it = gStores.find(id);
  if (it == gStores.end()) ThrowTorch(env, "This store has been released");
  return it->second;
}

StorePtr Chain(StorePtr root, const std::vector<std::string>& prefixes) {
  StorePtr s = std::move(root);
  for (const auto& p : prefixes) s = c10::make_intrusive<c10d::PrefixStore>(p, s);
  return s;
}

// A second client of the same store for background use (its own connection
// for a TCPStore, so a blocked call elsewhere cannot hold it up).
StorePtr CloneStore(const StoreEntry& e, Ms timeout) {
  StorePtr root = e.root;
  if (dynamic_cast<c10d::TCPStore*>(root.get()) != nullptr) {
    root = root->clone();
    root->setTimeout(timeout);
  }
  return Chain(root, e.prefixes);
}

// tcpStore(host, port, isServer, worldSize (-1: unknown), timeoutMs, multiTenant, useLibuv, waitWorkers)
//   -> Promise<{store, port}>
Napi::Value TcpStore(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string host = info[0].As<Napi::String>().Utf8Value();
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<uint16_t>(ToInt(info[1], "port"));
  opts.isServer = info[2].As<Napi::Boolean>().Value();
  int64_t worldSize = ToInt(info[3], "worldSize");
  if (worldSize >= 0) opts.numWorkers = static_cast<size_t>(worldSize);
  opts.timeout = Ms(ToInt(info[4], "timeout"));
  opts.multiTenant = info[5].As<Napi::Boolean>().Value();
  opts.useLibUV = info[6].As<Napi::Boolean>().Value();
  opts.waitWorkers = info[7].As<Napi::Boolean>().Value();
  auto made = std::make_shared<c10::intrusive_ptr<c10d::TCPStore>>();
  return RunAsync(
      env, [host, opts, made] { *made = c10::make_intrusive<c10d::TCPStore>(host, opts); },
      [made](Napi::Env env) -> Napi::Value {
        auto out = Napi::Object::New(env);
        int64_t id = AddStore({*made, {}, *made});
        out.Set("store", Napi::Number::New(env, static_cast<double>(id)));
        out.Set("port", Napi::Number::New(env, (*made)->getPort()));
        return out;
      });
}

// fileStore(path, worldSize) -> store
Napi::Value FileStore(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int numWorkers = static_cast<int>(ToInt(info[1], "worldSize"));
  StorePtr s = c10::make_intrusive<c10d::FileStore>(path, numWorkers);
  return Napi::Number::New(info.Env(), static_cast<double>(AddStore({s, {}, s})));
}

// prefixStore(store, prefix) -> store
Napi::Value PrefixStore(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  std::string prefix = info[1].As<Napi::String>().Utf8Value();
  e.prefixes.push_back(prefix);
  e.store = c10::make_intrusive<c10d::PrefixStore>(prefix, e.store);
  return Napi::Number::New(info.Env(), static_cast<double>(AddStore(e)));
}

Napi::Value StoreRelease(const Napi::CallbackInfo& info) {
  int64_t id = ToInt(info[0], "store");
  StorePtr dropped;
  {
    std::lock_guard<std::mutex> lock(gRegistryMutex);
    auto it = gStores.find(id);
    if (it != gStores.end()) {
      dropped = it->second.store;
      gStores.erase(it);
    }
  }
  return info.Env().Undefined();
}

// storeSet(store, key, value: string | Uint8Array)
Napi::Value StoreSet(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  std::string key = info[1].As<Napi::String>().Utf8Value();
  std::vector<uint8_t> value;
  if (info[2].IsString()) {
    value = Bytes(info[2].As<Napi::String>().Utf8Value());
  } else {
    auto a = info[2].As<Napi::Uint8Array>();
    value.assign(a.Data(), a.Data() + a.ByteLength());
  }
  e.store->set(key, value);
  return info.Env().Undefined();
}

// storeGet(store, key) -> Uint8Array (waits for the key up to the store's timeout)
Napi::Value StoreGet(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  auto v = e.store->get(info[1].As<Napi::String>().Utf8Value());
  auto out = Napi::Uint8Array::New(info.Env(), v.size());
  if (!v.empty()) std::memcpy(out.Data(), v.data(), v.size());
  return out;
}

// storeAdd(store, key, amount) -> new value
Napi::Value StoreAdd(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  int64_t r = e.store->add(info[1].As<Napi::String>().Utf8Value(), ToInt(info[2], "amount"));
  return Napi::Number::New(info.Env(), static_cast<double>(r));
}

// storeCheck(store, keys) -> whether every key is set (does not wait)
Napi::Value StoreCheck(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  return Napi::Boolean::New(info.Env(), e.store->check(Strings(info[1])));
}

// storeWait(store, keys, timeoutMs)
Napi::Value StoreWait(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  e.store->wait(Strings(info[1]), Ms(ToInt(info[2], "timeout")));
  return info.Env().Undefined();
}

// storeDelete(store, key) -> whether it was there
Napi::Value StoreDelete(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  return Napi::Boolean::New(info.Env(), e.store->deleteKey(info[1].As<Napi::String>().Utf8Value()));
}

// storeSetTimeout(store, timeoutMs)
Napi::Value StoreSetTimeout(const Napi::CallbackInfo& info) {
  auto e = GetStore(info.Env(), info[0]);
  e.store->setTimeout(Ms(ToInt(info[1], "timeout")));
  return info.Env().Undefined();
}

// ------------------------------------------------------------------ arrival records

// Writes "<seq>\t<beat>\t<collective>" under tn_arrivals/<rank> whenever this
// rank enters a collective (coalesced: at most one write per 20 ms) and at
// least every 500 ms (the heartbeat). Failures to write are ignored: the
// record is diagnostic only.
class Recorder {
 public:
  Recorder(StorePtr store, int rank) : store_(std::move(store)), key_("tn_arrivals/" + std::to_string(rank)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Recorder() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  // Called on entering a collective; returns its sequence number.
  uint64_t Enter(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    seq_++;
    name_ = name;
    dirty_ = true;
    cv_.notify_one();
    return seq_;
  }

 private:
  void Run() {
    uint64_t beat = 0;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, Ms(500), [this] { return stop_ || dirty_; });
      if (stop_) break;
      dirty_ = false;
      std::string value = std::to_string(seq_) + "\t" + std::to_string(++beat) + "\t" + name_;
      lock.unlock();
      try {
        store_->set(key_, Bytes(value));
      } catch (...) {
      }
      std::this_thread::sleep_for(Ms(20));
      lock.lock();
    }
  }

  StorePtr store_;
  std::string key_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t seq_ = 0;
  std::string name_ = "(none yet)";
  bool dirty_ = true;
  bool stop_ = false;
  std::thread thread_;
};

// ------------------------------------------------------------------ process groups

struct Group {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::string backendName;
  std::string label;  // "the default group", "group 1", ...
  int rank = 0;
  int size = 1;
  Ms timeout{0};
  StorePtr diagStore;
  std::unique_ptr<Recorder> recorder;
};

auto& gGroups = *new std::map<int64_t, std::shared_ptr<Group>>();

std::shared_ptr<Group> GetGroup(Napi::Env env, const Napi::Value& v) {
  int64_t id = ToInt(v, "group");
  std::lock_guard<std::mutex> lock(gRegistryMutex);
  auto it = gGroups.find(id);
  if (it == gGroups.end()) ThrowTorch(env, "This process group has been destroyed");
  return it->second;
}

// c10d::ProcessGroup(store, rank, size) from PyTorch 2.6 on; before that the
// constructor also took ProcessGroup::Options.
template <typename PG = c10d::ProcessGroup>
c10::intrusive_ptr<PG> MakeProcessGroup(const StorePtr& store, int rank, int size, const std::string& backend, Ms timeout) {
  if constexpr (std::is_constructible_v<PG, StorePtr, int, int>) {
    (void)backend;
    (void)timeout;
    return c10::make_intrusive<PG>(store, rank, size);
  } else {
    auto opts = c10::make_intrusive<typename PG::Options>(backend, timeout);
    return c10::make_intrusive<PG>(store, rank, size, opts);
  }
}

// newGroup({store, rank, size, backend: 'gloo'|'nccl', timeoutMs, label}) -> Promise<group>
// `store` is the group's own store (Python's PrefixStore(f"{group_name}/", ...)).
Napi::Value NewGroup(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = info[0].As<Napi::Object>();
  auto storeEntry = GetStore(env, o.Get("store"));
  int rank = static_cast<int>(ToInt(o.Get("rank"), "rank"));
  int size = static_cast<int>(ToInt(o.Get("size"), "size"));
  std::string backend = o.Get("backend").As<Napi::String>().Utf8Value();
  Ms timeout(ToInt(o.Get("timeoutMs"), "timeout"));
  std::string label = o.Get("label").As<Napi::String>().Utf8Value();
#if !defined(TN_WITH_NCCL)
  if (backend == "nccl") {
    ThrowTorch(env, "Distributed package doesn't have NCCL built in: this addon was built against a libtorch without NCCL (use backend 'gloo')");
  }
#endif
  auto group = std::make_shared<Group>();
  auto id = std::make_shared<int64_t>(0);
  return RunAsync(
      env,
      [=] {
        group->rank = rank;
        group->size = size;
        group->timeout = timeout;
        group->backendName = backend;
        group->label = label;
        // As distributed_c10d._new_process_group_helper: the backend's store is
        // PrefixStore(f"{device}/", group store); the ProcessGroup gets the group store.
        const StorePtr& groupStore = storeEntry.store;
        group->pg = MakeProcessGroup(groupStore, rank, size, backend, timeout);
        if (backend == "gloo") {
          auto backendStore = c10::make_intrusive<c10d::PrefixStore>("cpu/", groupStore);
          auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
          // As Python's ProcessGroupGloo(store, rank, size, timeout): the
          // interfaces in GLOO_SOCKET_IFNAME, else the address this host's name resolves to.
          const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
          if (ifname != nullptr && std::strlen(ifname) > 1) {
            std::stringstream ss(ifname);
            std::string iface;
            while (std::getline(ss, iface, ',')) {
              if (!iface.empty()) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
            }
          } else {
            opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
          }
          opts->threads = static_cast<int>(opts->devices.size() * 2);
          auto gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(backendStore, rank, size, opts);
          gloo->setSequenceNumberForGroup();
          group->backend = gloo;
          group->pg->setDefaultBackend(c10d::ProcessGroup::BackendType::GLOO);
          group->pg->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::GLOO, group->backend);
#if defined(TN_WITH_CUDA)
          group->pg->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::GLOO, group->backend);
#endif
        } else {
#if defined(TN_WITH_NCCL)
          auto backendStore = c10::make_intrusive<c10d::PrefixStore>("cuda/", groupStore);
          auto opts = c10d::ProcessGroupNCCL::Options::create();
          opts->timeout = timeout;
          opts->is_high_priority_stream = false;
          auto nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(backendStore, rank, size, opts);
          nccl->setSequenceNumberForGroup();
          group->backend = nccl;
          group->pg->setDefaultBackend(c10d::ProcessGroup::BackendType::NCCL);
          group->pg->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::NCCL, group->backend);
#endif
        }
        group->diagStore = CloneStore(storeEntry, Ms(2000));
        group->recorder = std::make_unique<Recorder>(group->diagStore, rank);
        std::lock_guard<std::mutex> lock(gRegistryMutex);
        *id = gNextId++;
        gGroups[*id] = group;
      },
      [id](Napi::Env env) -> Napi::Value { return Napi::Number::New(env, static_cast<double>(*id)); });
}

// destroyGroup(group) -> Promise (the backend waits for its queued work)
Napi::Value DestroyGroup(const Napi::CallbackInfo& info) {
  int64_t id = ToInt(info[0], "group");
  std::shared_ptr<Group> g;
  {
    std::lock_guard<std::mutex> lock(gRegistryMutex);
    auto it = gGroups.find(id);
    if (it != gGroups.end()) {
      g = it->second;
      gGroups.erase(it);
    }
  }
  return RunAsync(info.Env(), [g]() mutable { g.reset(); });
}

// ------------------------------------------------------------------ diagnosis

struct Record {
  bool present = false;
  uint64_t seq = 0;
  uint64_t beat = 0;
  std::string name;
};

Record ReadRecord(c10d::Store& store, int rank) {
  Record r;
  std::string key = "tn_arrivals/" + std::to_string(rank);
  if (!store.check({key})) return r;
  std::string v = Str(store.get(key));
  std::stringstream ss(v);
  std::string seq, beat;
  std::getline(ss, seq, '\t');
  std::getline(ss, beat, '\t');
  std::getline(ss, r.name);
  r.present = true;
  r.seq = std::stoull(seq);
  r.beat = std::stoull(beat);
  return r;
}

std::string JoinRanks(const std::vector<int>& ranks) {
  std::string s;
  for (size_t i = 0; i < ranks.size(); i++) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

// The error for a failed collective: which one, where, and what the other
// ranks' arrival records say (read twice, 1.2 s apart, to tell a rank that
// stopped answering from one that is busy elsewhere).
std::string Explain(const Group& g, const std::string& name, uint64_t seq, const std::string& cause) {
  bool timedOut = cause.find("imed out") != std::string::npos || cause.find("imeout") != std::string::npos;
  std::ostringstream msg;
  msg << name << (timedOut ? " timed out" : " failed") << " on rank " << g.rank << " of " << g.size << " (collective #" << seq << " of " << g.label
      << ", timeout " << g.timeout.count() << " ms): ";
  std::vector<Record> first(g.size), second(g.size);
  try {
    for (int r = 0; r < g.size; r++) {
      if (r != g.rank) first[r] = ReadRecord(*g.diagStore, r);
    }
    std::this_thread::sleep_for(Ms(1200));
    for (int r = 0; r < g.size; r++) {
      if (r != g.rank) second[r] = ReadRecord(*g.diagStore, r);
    }
  } catch (const std::exception& e) {
    msg << "the store did not answer (" << Message(e) << "), so which ranks did not arrive is unknown (rank 0 hosts the store unless torchrun's agent does)";
    msg << "; " << g.backendName << ": " << cause;
    return msg.str();
  }
  std::vector<int> behind, silent, unknown;
  std::ostringstream where;
  for (int r = 0; r < g.size; r++) {
    if (r == g.rank) continue;
    const Record& b = second[r];
    if (!b.present) {
      unknown.push_back(r);
    } else if (first[r].present && first[r].beat == b.beat) {
      silent.push_back(r);
      where << (where.tellp() > 0 ? ", " : "") << "rank " << r << " was last at #" << b.seq << " " << b.name;
    } else if (b.seq < seq) {
      behind.push_back(r);
      where << (where.tellp() > 0 ? ", " : "") << "rank " << r << " is at #" << b.seq << " " << b.name;
    }
  }
  std::vector<std::string> parts;
  if (!behind.empty()) parts.push_back(std::string(behind.size() == 1 ? "rank " : "ranks ") + JoinRanks(behind) + " did not arrive");
  if (!silent.empty()) {
    parts.push_back(std::string(silent.size() == 1 ? "rank " : "ranks ") + JoinRanks(silent) + (silent.size() == 1 ? " is" : " are") +
                    " not responding (exited or stopped)");
  }
  if (!unknown.empty()) {
    parts.push_back(std::string(unknown.size() == 1 ? "rank " : "ranks ") + JoinRanks(unknown) + " kept no arrival record");
  }
  if (parts.empty()) {
    msg << "every rank arrived";
  } else {
    for (size_t i = 0; i < parts.size(); i++) msg << (i ? "; " : "") << parts[i];
  }
  if (where.tellp() > 0) msg << " (" << where.str() << ")";
  msg << "; " << g.backendName << ": " << cause;
  return msg.str();
}

// ------------------------------------------------------------------ work handles

struct WorkBox {
  c10::intrusive_ptr<c10d::Work> work;
  std::shared_ptr<Group> group;
  std::string name;
  uint64_t seq = 0;
  std::function<void()> after;  // runs once the work succeeded (e.g. avg's division)
  std::mutex mu;
  bool settled = false;
  std::string error;
};

// Waits for the work (bounded by the group's timeout); returns "" or the explained error.
std::string Settle(WorkBox& b) {
  std::lock_guard<std::mutex> lock(b.mu);
  if (b.settled) return b.error;
  try {
    b.work->wait(b.group->timeout);
    if (b.after) b.after();
  } catch (const std::exception& e) {
    b.error = Explain(*b.group, b.name, b.seq, Message(e));
  }
  b.settled = true;
  return b.error;
}

using WorkRef = std::shared_ptr<WorkBox>;

Napi::Value WrapWork(Napi::Env env, WorkRef box) {
  auto* p = new WorkRef(std::move(box));
  return Napi::External<WorkRef>::New(env, p, [](Napi::Env, WorkRef* w) { delete w; });
}

WorkRef& UnwrapWork(const Napi::Value& v) {
  if (!v.IsExternal()) ThrowType(v.Env(), "Expected a work handle");
  return *v.As<Napi::External<WorkRef>>().Data();
}

// workWait(work): blocks until done; throws the explained error.
Napi::Value WorkWait(const Napi::CallbackInfo& info) {
  WorkRef box = UnwrapWork(info[0]);
  std::string err = Settle(*box);
  if (!err.empty()) ThrowTorch(info.Env(), err);
  return info.Env().Undefined();
}

// workWaitAsync(work) -> Promise, waiting on the libuv pool.
Napi::Value WorkWaitAsync(const Napi::CallbackInfo& info) {
  WorkRef box = UnwrapWork(info[0]);
  return RunAsync(info.Env(), [box] {
    std::string err = Settle(*box);
    if (!err.empty()) throw std::runtime_error(err);
  });
}

Napi::Value WorkIsCompleted(const Napi::CallbackInfo& info) {
  WorkRef box = UnwrapWork(info[0]);
  return Napi::Boolean::New(info.Env(), box->work->isCompleted());
}

// ------------------------------------------------------------------ collectives

c10d::ReduceOp ToReduceOp(Napi::Env env, const Napi::Value& v) {
  std::string op = v.As<Napi::String>().Utf8Value();
  if (op == "sum") return c10d::ReduceOp::SUM;
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "max") return c10d::ReduceOp::MAX;
  if (op == "avg") return c10d::ReduceOp::AVG;
  ThrowType(env, "unknown reduce op " + op);
}

// Starts a collective: records the arrival, runs `start`, wraps the work.
Napi::Value Launch(Napi::Env env, const std::shared_ptr<Group>& g, const std::string& name, const std::function<c10::intrusive_ptr<c10d::Work>()>& start,
                   std::function<void()> after = nullptr) {
  auto box = std::make_shared<WorkBox>();
  box->group = g;
  box->name = name;
  box->seq = g->recorder->Enter(name);
  box->after = std::move(after);
  try {
    box->work = start();
  } catch (const std::exception& e) {
    ThrowTorch(env, name + " failed on rank " + std::to_string(g->rank) + ": " + Message(e));
  }
  return WrapWork(env, box);
}

// allReduce(group, tensors, op) -> work. Gloo has no AVG: it sums, then divides.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  auto tensors = Tensors(info[1]);
  std::string opName = info[2].As<Napi::String>().Utf8Value();
  c10d::AllreduceOptions opts;
  opts.reduceOp = ToReduceOp(env, info[2]);
  std::function<void()> after;
  if (opName == "avg" && g->backendName == "gloo") {
    opts.reduceOp = c10d::ReduceOp::SUM;
    int size = g->size;
    after = [tensors, size] {
      c10::NoGradGuard noGrad;
      for (auto t : tensors) t.div_(size);
    };
  }
  return Launch(
      env, g, "allReduce", [&] { return g->pg->allreduce(tensors, opts); }, std::move(after));
}

// broadcast(group, tensors, src) -> work
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  auto tensors = Tensors(info[1]);
  c10d::BroadcastOptions opts;
  opts.rootRank = ToInt(info[2], "src");
  return Launch(env, g, "broadcast", [&] { return g->pg->broadcast(tensors, opts); });
}

// reduce(group, tensor, dst, op) -> work
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> tensors{Unwrap(info[1])};
  c10d::ReduceOptions opts;
  opts.rootRank = ToInt(info[2], "dst");
  opts.reduceOp = ToReduceOp(env, info[3]);
  return Launch(env, g, "reduce", [&] { return g->pg->reduce(tensors, opts); });
}

// allGather(group, outputs, input) -> work
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<std::vector<at::Tensor>> outputs{Tensors(info[1])};
  std::vector<at::Tensor> inputs{Unwrap(info[2])};
  return Launch(env, g, "allGather", [&] { return g->pg->allgather(outputs, inputs); });
}

// reduceScatter(group, output, inputs, op) -> work
Napi::Value ReduceScatter(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> outputs{Unwrap(info[1])};
  std::vector<std::vector<at::Tensor>> inputs{Tensors(info[2])};
  std::string opName = info[3].As<Napi::String>().Utf8Value();
  c10d::ReduceScatterOptions opts;
  opts.reduceOp = ToReduceOp(env, info[3]);
  std::function<void()> after;
  if (opName == "avg" && g->backendName == "gloo") {
    opts.reduceOp = c10d::ReduceOp::SUM;
    int size = g->size;
    at::Tensor out = outputs[0];
    after = [out, size]() mutable {
      c10::NoGradGuard noGrad;
      out.div_(size);
    };
  }
  return Launch(
      env, g, "reduceScatter", [&] { return g->pg->reduce_scatter(outputs, inputs, opts); }, std::move(after));
}

// gather(group, input, outputs (the root's list, or null elsewhere), dst) -> work
Napi::Value Gather(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> inputs{Unwrap(info[1])};
  std::vector<std::vector<at::Tensor>> outputs;
  if (!info[2].IsNull() && !info[2].IsUndefined()) outputs.push_back(Tensors(info[2]));
  c10d::GatherOptions opts;
  opts.rootRank = ToInt(info[3], "dst");
  return Launch(env, g, "gather", [&] { return g->pg->gather(outputs, inputs, opts); });
}

// scatter(group, output, inputs (the root's list, or null elsewhere), src) -> work
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> outputs{Unwrap(info[1])};
  std::vector<std::vector<at::Tensor>> inputs;
  if (!info[2].IsNull() && !info[2].IsUndefined()) inputs.push_back(Tensors(info[2]));
  c10d::ScatterOptions opts;
  opts.rootRank = ToInt(info[3], "src");
  return Launch(env, g, "scatter", [&] { return g->pg->scatter(outputs, inputs, opts); });
}

// barrier(group) -> work
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  c10d::BarrierOptions opts;
  opts.device = g->backendName == "nccl" ? c10::Device(c10::DeviceType::CUDA) : c10::Device(c10::DeviceType::CPU);
  return Launch(env, g, "barrier", [&] { return g->pg->barrier(opts); });
}

// send(group, tensor, dst, tag) -> work
Napi::Value Send(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> tensors{Unwrap(info[1])};
  int dst = static_cast<int>(ToInt(info[2], "dst"));
  int tag = static_cast<int>(ToInt(info[3], "tag"));
  return Launch(env, g, "send", [&] { return g->pg->send(tensors, dst, tag); });
}

// recv(group, tensor, src, tag) -> work
Napi::Value Recv(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  std::vector<at::Tensor> tensors{Unwrap(info[1])};
  int src = static_cast<int>(ToInt(info[2], "src"));
  int tag = static_cast<int>(ToInt(info[3], "tag"));
  return Launch(env, g, "recv", [&] { return g->pg->recv(tensors, src, tag); });
}

// enter(group, name): records an arrival at a point every rank passes (DDP's
// steps), so a failure inside libtorch (the Reducer's allreduce) can be explained.
Napi::Value Enter(const Napi::CallbackInfo& info) {
  auto g = GetGroup(info.Env(), info[0]);
  uint64_t seq = g->recorder->Enter(info[1].As<Napi::String>().Utf8Value());
  return Napi::Number::New(info.Env(), static_cast<double>(seq));
}

// explain(group, name, seq, cause) -> the message a failed collective gets
Napi::Value ExplainFailure(const Napi::CallbackInfo& info) {
  auto g = GetGroup(info.Env(), info[0]);
  std::string msg = Explain(*g, info[1].As<Napi::String>().Utf8Value(), static_cast<uint64_t>(ToInt(info[2], "seq")), info[3].As<Napi::String>().Utf8Value());
  return Napi::String::New(info.Env(), msg);
}

// ------------------------------------------------------------------ DDP

// computeBucketAssignment(tensors, limits, expectSparse) -> {buckets, limits}
Napi::Value ComputeBucketAssignment(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto tensors = Tensors(info[0]);
  std::vector<size_t> limits;
  auto la = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < la.Length(); i++) {
    double d = la.Get(i).As<Napi::Number>().DoubleValue();
    limits.push_back(d >= 1.8e19 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(d));
  }
  std::vector<bool> sparse;
  auto sa = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < sa.Length(); i++) sparse.push_back(sa.Get(i).As<Napi::Boolean>().Value());
  auto result = c10d::compute_bucket_assignment_by_size(tensors, limits, sparse);
  const auto& buckets = std::get<0>(result);
  const auto& sizes = std::get<1>(result);
  auto out = Napi::Object::New(env);
  auto b = Napi::Array::New(env, buckets.size());
  for (size_t i = 0; i < buckets.size(); i++) {
    auto inner = Napi::Array::New(env, buckets[i].size());
    for (size_t j = 0; j < buckets[i].size(); j++) inner.Set(static_cast<uint32_t>(j), Napi::Number::New(env, static_cast<double>(buckets[i][j])));
    b.Set(static_cast<uint32_t>(i), inner);
  }
  auto s = Napi::Array::New(env, sizes.size());
  for (size_t i = 0; i < sizes.size(); i++) s.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(sizes[i])));
  out.Set("buckets", b);
  out.Set("limits", s);
  return out;
}

// verifyParams(group, params): every rank's parameters have rank 0's shapes and dtypes.
Napi::Value VerifyParams(const Napi::CallbackInfo& info) {
  auto g = GetGroup(info.Env(), info[0]);
  auto params = Tensors(info[1]);
  g->recorder->Enter("DistributedDataParallel parameter check");
  c10d::verify_params_across_processes(g->pg, params, std::nullopt);
  return info.Env().Undefined();
}

// broadcastCoalesced(group, tensors, bufferSize, src): as dist._broadcast_coalesced.
Napi::Value BroadcastCoalesced(const Napi::CallbackInfo& info) {
  auto g = GetGroup(info.Env(), info[0]);
  auto tensors = Tensors(info[1]);
  size_t bufferSize = static_cast<size_t>(ToInt(info[2], "bufferSize"));
  int src = static_cast<int>(ToInt(info[3], "src"));
  g->recorder->Enter("broadcast of module states");
  c10::NoGradGuard noGrad;
  c10d::broadcast_coalesced(g->pg, tensors, bufferSize, src);
  return info.Env().Undefined();
}

struct ReducerBox {
  std::shared_ptr<Group> group;
  std::shared_ptr<c10d::Reducer> reducer;
};

using Names = std::unordered_map<size_t, std::string>;
using Buckets = std::vector<std::vector<size_t>>;

// The Reducer's constructor has grown arguments over PyTorch 2.x; this picks
// the form this libtorch has (the arguments Python's DDP passes by default).
template <typename R = c10d::Reducer>
std::shared_ptr<R> MakeReducer(std::vector<at::Tensor> params, Buckets buckets, std::vector<size_t> perBucketLimits, c10::intrusive_ptr<c10d::ProcessGroup> pg,
                               std::vector<bool> sparse, int64_t cap, bool findUnused, bool gradAsView, Names names, int64_t firstCap) {
  using PG = c10::intrusive_ptr<c10d::ProcessGroup>;
  using T = std::vector<at::Tensor>;
  using S = std::vector<bool>;
  if constexpr (std::is_constructible_v<R, T, Buckets, PG, S, int64_t, bool, bool, Names, int64_t, bool, bool, std::vector<int64_t>>) {
    // 2.10+: (..., first_bucket_bytes_cap, skip_all_reduce_unused_params, use_python_reducer, bucket_bytes_cap_list)
    (void)perBucketLimits;
    return std::make_shared<R>(params, buckets, pg, sparse, cap, findUnused, gradAsView, names, firstCap, false, false, std::vector<int64_t>{});
  } else if constexpr (std::is_constructible_v<R, T, Buckets, PG, S, int64_t, bool, bool, Names, int64_t, bool, bool>) {
    (void)perBucketLimits;
    return std::make_shared<R>(params, buckets, pg, sparse, cap, findUnused, gradAsView, names, firstCap, false, false);
  } else if constexpr (std::is_constructible_v<R, T, Buckets, std::vector<size_t>, PG, S, int64_t, bool, bool, Names, int64_t, bool>) {
    return std::make_shared<R>(params, buckets, perBucketLimits, pg, sparse, cap, findUnused, gradAsView, names, firstCap, false);
  } else {
    // 2.4-era: (params, bucket_indices, per_bucket_size_limits, process_group, ...)
    return std::make_shared<R>(params, buckets, perBucketLimits, pg, sparse, cap, findUnused, gradAsView, names, firstCap);
  }
}

// reducer(group, params, buckets, perBucketLimits, bucketBytesCap, findUnused, gradAsBucketView, firstBucketBytesCap, names)
Napi::Value NewReducer(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto g = GetGroup(env, info[0]);
  auto params = Tensors(info[1]);
  Buckets buckets;
  auto ba = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < ba.Length(); i++) {
    auto inner = ba.Get(i).As<Napi::Array>();
    std::vector<size_t> b;
    for (uint32_t j = 0; j < inner.Length(); j++) b.push_back(static_cast<size_t>(ToInt(inner.Get(j), "bucket index")));
    buckets.push_back(std::move(b));
  }
  std::vector<size_t> limits;
  auto la = info[3].As<Napi::Array>();
  for (uint32_t i = 0; i < la.Length(); i++) {
    double d = la.Get(i).As<Napi::Number>().DoubleValue();
    limits.push_back(d >= 1.8e19 ? std::numeric_limits<size_t>::max() : static_cast<size_t>(d));
  }
  int64_t cap = ToInt(info[4], "bucketBytesCap");
  bool findUnused = info[5].As<Napi::Boolean>().Value();
  bool gradAsView = info[6].As<Napi::Boolean>().Value();
  int64_t firstCap = ToInt(info[7], "firstBucketBytesCap");
  Names names;
  auto na = info[8].As<Napi::Array>();
  for (uint32_t i = 0; i < na.Length(); i++) names[i] = na.Get(i).As<Napi::String>().Utf8Value();
  std::vector<bool> sparse(params.size(), false);
  auto box = new ReducerBox{g, MakeReducer(params, buckets, limits, g->pg, sparse, cap, findUnused, gradAsView, names, firstCap)};
  return Napi::External<ReducerBox>::New(env, box, [](Napi::Env, ReducerBox* b) { delete b; });
}

ReducerBox& UnwrapReducer(const Napi::Value& v) {
  if (!v.IsExternal()) ThrowType(v.Env(), "Expected a reducer handle");
  auto* b = v.As<Napi::External<ReducerBox>>().Data();
  if (!b->reducer) ThrowTorch(v.Env(), "This DistributedDataParallel has been released");
  return *b;
}

Napi::Value ReducerPrepareForward(const Napi::CallbackInfo& info) {
  UnwrapReducer(info[0]).reducer->prepare_for_forward();
  return info.Env().Undefined();
}

// reducerPrepareForBackward(reducer, outputs)
Napi::Value ReducerPrepareForBackward(const Napi::CallbackInfo& info) {
  UnwrapReducer(info[0]).reducer->prepare_for_backward(Tensors(info[1]));
  return info.Env().Undefined();
}

// reducerRebuildBuckets(reducer) -> whether it rebuilt (a broadcast from rank 0 when it does)
Napi::Value ReducerRebuildBuckets(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), UnwrapReducer(info[0]).reducer->rebuild_buckets());
}

// reducerRelease(reducer): removes its autograd hooks.
Napi::Value ReducerRelease(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) ThrowType(info.Env(), "Expected a reducer handle");
  auto* b = info[0].As<Napi::External<ReducerBox>>().Data();
  b->reducer.reset();
  return info.Env().Undefined();
}

Napi::Value BuiltWithNccl(const Napi::CallbackInfo& info) {
#if defined(TN_WITH_NCCL)
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  TN_EXPORT(exports, "distTcpStore", TcpStore);
  TN_EXPORT(exports, "distFileStore", FileStore);
  TN_EXPORT(exports, "distPrefixStore", PrefixStore);
  TN_EXPORT(exports, "distStoreRelease", StoreRelease);
  TN_EXPORT(exports, "distStoreSet", StoreSet);
  TN_EXPORT(exports, "distStoreGet", StoreGet);
  TN_EXPORT(exports, "distStoreAdd", StoreAdd);
  TN_EXPORT(exports, "distStoreCheck", StoreCheck);
  TN_EXPORT(exports, "distStoreWait", StoreWait);
  TN_EXPORT(exports, "distStoreDelete", StoreDelete);
  TN_EXPORT(exports, "distStoreSetTimeout", StoreSetTimeout);
  TN_EXPORT(exports, "distNewGroup", NewGroup);
  TN_EXPORT(exports, "distDestroyGroup", DestroyGroup);
  TN_EXPORT(exports, "distWorkWait", WorkWait);
  TN_EXPORT(exports, "distWorkWaitAsync", WorkWaitAsync);
  TN_EXPORT(exports, "distWorkIsCompleted", WorkIsCompleted);
  TN_EXPORT(exports, "distAllReduce", AllReduce);
  TN_EXPORT(exports, "distBroadcast", Broadcast);
  TN_EXPORT(exports, "distReduce", Reduce);
  TN_EXPORT(exports, "distAllGather", AllGather);
  TN_EXPORT(exports, "distReduceScatter", ReduceScatter);
  TN_EXPORT(exports, "distGather", Gather);
  TN_EXPORT(exports, "distScatter", Scatter);
  TN_EXPORT(exports, "distBarrier", Barrier);
  TN_EXPORT(exports, "distSend", Send);
  TN_EXPORT(exports, "distRecv", Recv);
  TN_EXPORT(exports, "distEnter", Enter);
  TN_EXPORT(exports, "distExplain", ExplainFailure);
  TN_EXPORT(exports, "distComputeBucketAssignment", ComputeBucketAssignment);
  TN_EXPORT(exports, "distVerifyParams", VerifyParams);
  TN_EXPORT(exports, "distBroadcastCoalesced", BroadcastCoalesced);
  TN_EXPORT(exports, "distReducer", NewReducer);
  TN_EXPORT(exports, "distReducerPrepareForward", ReducerPrepareForward);
  TN_EXPORT(exports, "distReducerPrepareForBackward", ReducerPrepareForBackward);
  TN_EXPORT(exports, "distReducerRebuildBuckets", ReducerRebuildBuckets);
  TN_EXPORT(exports, "distReducerRelease", ReducerRelease);
  TN_EXPORT(exports, "distBuiltWithNccl", BuiltWithNccl);
}

}  // namespace tn
