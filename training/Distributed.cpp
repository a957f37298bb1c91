#include "training/Distributed.h"

#include "core/common/Error.h"

#ifdef SOUNDSPOT_HAS_GLOO
#include "training/DistributedGroup.h"
#endif

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace soundspot::training {

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

int intFromEnv(const char* name, int fallback, int lo, int hi) {
  const auto v = env(name);
  if (!v) return fallback;
  try {
    size_t used = 0;
    const int n = std::stoi(*v, &used);
    if (used == v->size() && n >= lo && n <= hi) return n;
  } catch (const std::exception&) {
  }
  throw Error(name, "is '" + *v + "', expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
}

bool loopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1"; }

}  // namespace

std::optional<DistributedEnv> distributedEnvFromEnvironment() {
  DistributedEnv e;
  e.worldSize = intFromEnv("WORLD_SIZE", 1, 1, 65536);
  if (e.worldSize == 1) return std::nullopt;
  if (!env("RANK")) throw Error("RANK", "is not set but WORLD_SIZE is " + std::to_string(e.worldSize));
  e.rank = intFromEnv("RANK", 0, 0, e.worldSize - 1);
  e.localRank = intFromEnv("LOCAL_RANK", 0, 0, 65535);
  e.masterAddr = env("MASTER_ADDR").value_or("127.0.0.1");
  e.masterPort = intFromEnv("MASTER_PORT", 29500, 1, 65535);
  e.timeout = std::chrono::seconds(intFromEnv("SOUNDSPOT_DIST_TIMEOUT", 600, 1, 86400));
  return e;
}

std::string Distributed::address() const { return env_.masterAddr + ":" + std::to_string(env_.masterPort); }

#ifndef SOUNDSPOT_HAS_GLOO
// A LibTorch without Gloo's headers at build time (e.g. Python's CUDA wheel on
// the GPU machine): one process only, and a clear error when more are asked for.
struct Distributed::Group {};
Distributed::Distributed(const DistributedEnv& e) : env_(e) {
  throw Error(address(), "this build has no Gloo, so no data-parallel training (install libgloo-dev and rebuild)");
}
Distributed::~Distributed() = default;
void Distributed::allReduceSum(const std::vector<torch::Tensor>&) {}
std::vector<double> Distributed::allReduceMax(const std::vector<double>& values) { return values; }
void Distributed::broadcastFromRank0(const std::vector<torch::Tensor>&) {}
torch::Tensor Distributed::allGather(const torch::Tensor& local) { return local; }
void Distributed::barrier() {}
#else

Distributed::Distributed(const DistributedEnv& e) : env_(e), group_(std::make_unique<Group>()) {
  const std::string who = "rank " + std::to_string(env_.rank) + " of " + std::to_string(env_.worldSize);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(env_.masterPort);
    so.isServer = env_.rank == 0;
    so.numWorkers = env_.worldSize;
    so.waitWorkers = true;  // rank 0 waits (bounded) until every rank has connected
    so.timeout = env_.timeout;
    group_->store = c10::make_intrusive<c10d::TCPStore>(env_.masterAddr, so);
  } catch (const std::exception& ex) {
    const std::string what = dynamic_cast<const c10::Error*>(&ex) ? static_cast<const c10::Error&>(ex).what_without_backtrace() : ex.what();
    throw Error(address(), who + (env_.rank == 0 ? ": could not host the rendezvous store (is the port free and the address this machine's?): "
                                                 : ": could not reach the rendezvous store at MASTER_ADDR:MASTER_PORT within " +
                                                       std::to_string(env_.timeout.count() / 1000) + " s: ") +
                                     what);
  }
  try {
    auto opts = c10d::ProcessGroupGloo::Options::create(env_.timeout);
    // On one machine the loopback device always works (containers often have
    // a hostname that does not resolve); across machines GLOO_SOCKET_IFNAME
    // picks the interface, as with torchrun, else the hostname's address.
    if (const auto ifname = env("GLOO_SOCKET_IFNAME"))
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*ifname));
    else if (loopback(env_.masterAddr))
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    opts->threads = 2;
    group_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, env_.rank, env_.worldSize, opts);
  } catch (const std::exception& ex) {
    const std::string what = dynamic_cast<const c10::Error*>(&ex) ? static_cast<const c10::Error&>(ex).what_without_backtrace() : ex.what();
    throw Error(address(), who + ": could not connect the Gloo process group: " + what);
  }
  spdlog::info("distributed: {} backend, world size {}, rank {} (local rank {}), rendezvous at {}", backend(),
               env_.worldSize, env_.rank, env_.localRank, address());
}

Distributed::~Distributed() = default;

namespace {

// Waits for a collective; a dead or stuck peer becomes an Error naming the group.
void finish(const c10::intrusive_ptr<c10d::Work>& work, const Distributed& d, const char* what) {
  try {
    work->wait();
  } catch (const std::exception& ex) {
    const std::string msg = dynamic_cast<const c10::Error*>(&ex) ? static_cast<const c10::Error&>(ex).what_without_backtrace() : ex.what();
    throw Error(d.address(), std::string(what) + " failed on rank " + std::to_string(d.rank()) + " of " +
                                 std::to_string(d.worldSize()) + " (another rank died or stopped answering?): " + msg);
  }
}

}  // namespace

void Distributed::allReduceSum(const std::vector<torch::Tensor>& tensors) {
  if (tensors.empty()) return;
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> flat;
  flat.reserve(tensors.size());
  for (const auto& t : tensors) flat.push_back(t.detach().to(torch::kCPU, torch::kFloat).reshape({-1}));
  std::vector<torch::Tensor> buffer{torch::cat(flat)};
  finish(group_->pg->allreduce(buffer), *this, "all-reduce");
  int64_t offset = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

std::vector<double> Distributed::allReduceMax(const std::vector<double>& values) {
  std::vector<torch::Tensor> buffer{torch::tensor(values, torch::kDouble)};
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::MAX;
  finish(group_->pg->allreduce(buffer, o), *this, "all-reduce");
  auto t = buffer[0].contiguous();
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

void Distributed::broadcastFromRank0(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors) flat.push_back(t.detach().to(torch::kCPU, torch::kFloat).reshape({-1}));
  if (flat.empty()) return;
  std::vector<torch::Tensor> buffer{torch::cat(flat)};
  c10d::BroadcastOptions o;
  o.rootRank = 0;
  finish(group_->pg->broadcast(buffer, o), *this, "broadcast");
  int64_t offset = 0;
  for (const auto& t : tensors) {
    const int64_t n = t.numel();
    t.copy_(buffer[0].slice(0, offset, offset + n).view(t.sizes()));
    offset += n;
  }
}

torch::Tensor Distributed::allGather(const torch::Tensor& local) {
  std::vector<torch::Tensor> input{local.detach().contiguous()};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < env_.worldSize; ++r) output[0].push_back(torch::empty_like(input[0]));
  finish(group_->pg->allgather(output, input), *this, "all-gather");
  // The local slot is the tensor itself, so that autograd reaches this rank's encoder.
  output[0][env_.rank] = local;
  return torch::cat(output[0], 0);
}

void Distributed::barrier() { finish(group_->pg->barrier(), *this, "barrier"); }
#endif  // SOUNDSPOT_HAS_GLOO

}  // namespace soundspot::training
