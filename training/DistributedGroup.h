#pragma once
// Distributed's c10d objects, for the files that drive c10d directly
// (Distributed.cpp, GradientBuckets.cpp). Only with SOUNDSPOT_HAS_GLOO.
#include "training/Distributed.h"

// The Debian LibTorch is built with Gloo; its headers hide the class without this.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace soundspot::training {

struct Distributed::Group {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
};

}  // namespace soundspot::training
