#pragma once
// Wraps a BatchSource so that the next batches are made on producer threads
// while the model trains on the current one: composing scenes and computing
// spectrograms never holds up a training step. Batches come out in order,
// each the batch its step gives after seek(step), so runs stay
// deterministic and resume exactly (seek restarts the producers).
//
// One producer suffices on a CPU (the model's threads take the cores); a GPU
// eats batches far faster than one thread makes them (H200: ~100 samples/s
// from one producer against 3,300-17,000 model-only, docs/runs), so there
// several producers, each with its own copy of the source, make batches
// step, step+1, ... side by side.
#include "core/data/BatchSource.h"

#include <functional>
#include <string>
#include <memory>

namespace soundspot::data {

// depth: batches made ahead (2 keeps one ready while the next is made).
// A producer error (e.g. a damaged clip) is rethrown by the next() that
// would have returned that batch.
std::unique_ptr<BatchSource> prefetching(std::unique_ptr<BatchSource> inner, int depth = 2);

// workers producers, each on its own source from `open` (called once per
// worker, on the calling thread); depth batches ahead in all (at least
// 2 x workers). workers = 1 behaves as prefetching(open(), depth).
using SourceFactory = std::function<std::unique_ptr<BatchSource>()>;
std::unique_ptr<BatchSource> prefetching(const SourceFactory& open, int workers, int depth = 0);

// Producers for training on `device` ("cpu", "cuda", ...): `requested` when
// positive, else 1 on the CPU and all cores but one (at most 16) for a GPU.
int dataWorkers(int requested, const std::string& device);

}  // namespace soundspot::data
