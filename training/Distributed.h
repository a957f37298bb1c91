#pragma once
// Data-parallel training across processes with PyTorch's c10d: a TCPStore
// for the rendezvous (rank 0 hosts it at MASTER_ADDR:MASTER_PORT) and a Gloo
// process group for the collectives (CPU tensors; the Debian LibTorch has no
// NCCL). Made from the environment torchrun, Slurm or MPI launchers set
// (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK).
//
// Every wait is bounded: a peer that never comes, dies or stops answering
// makes the others throw a soundspot::Error naming the store address and
// the rank within the timeout (SOUNDSPOT_DIST_TIMEOUT seconds, default 600,
// long enough for rank 0 to validate and checkpoint while the others wait).
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace soundspot::training {

struct DistributedEnv {
  std::string masterAddr = "127.0.0.1";
  int masterPort = 29500;
  int worldSize = 1, rank = 0, localRank = 0;
  std::chrono::milliseconds timeout{600000};
};

// The launcher's environment; nullopt when WORLD_SIZE is unset or 1 (one
// process, nothing to do). Throws Error for a malformed or inconsistent one.
std::optional<DistributedEnv> distributedEnvFromEnvironment();

class Distributed {
 public:
  // Joins the group: blocks until all worldSize ranks are there (or throws
  // Error after env.timeout).
  explicit Distributed(const DistributedEnv& env);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return env_.rank; }
  int worldSize() const { return env_.worldSize; }
  int localRank() const { return env_.localRank; }
  std::string backend() const { return "gloo"; }
  std::string address() const;  // "MASTER_ADDR:MASTER_PORT", for messages

  // Sum over ranks, in place (one collective for all the tensors: they are
  // flattened into one buffer, reduced, and copied back).
  void allReduceSum(const std::vector<torch::Tensor>& tensors);
  // The element-wise maximum over ranks of a small vector (stop flags).
  std::vector<double> allReduceMax(const std::vector<double>& values);
  // Rank 0's values into every rank's tensors, in place (initial weights).
  void broadcastFromRank0(const std::vector<torch::Tensor>& tensors);
  // The ranks' tensors (same shape on every rank) concatenated along dim 0 in
  // rank order. The gradient flows into `local` (at this rank's slot); the
  // other ranks' copies are constants here, their gradient is computed on
  // their own rank (see Objectives.h, contrastive across ranks).
  torch::Tensor allGather(const torch::Tensor& local);
  void barrier();

 private:
  friend class GradientBuckets;  // drives the process group directly (c10d::Reducer)
  struct Group;
  DistributedEnv env_;
  std::unique_ptr<Group> group_;
};

}  // namespace soundspot::training
