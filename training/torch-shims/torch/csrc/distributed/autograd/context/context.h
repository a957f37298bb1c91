#pragma once
// Stand-in for a header the Debian LibTorch 1.13 package leaves out
// (libtorch-dev ships torch/csrc/distributed/c10d/reducer.hpp, which includes
// it, but not the distributed-autograd headers). reducer.hpp needs only these
// two names: a pointer type held in a member it never dereferences here, and
// a callback type it checks with a static_assert. The library's own code was
// compiled against the real header; these declarations match it.
// Used through -idirafter (training/CMakeLists.txt): a LibTorch that has the
// real header (e.g. Python's wheel) wins.
#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch::distributed::autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace torch::distributed::autograd
