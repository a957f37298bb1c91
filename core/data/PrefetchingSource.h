#pragma once
// Wraps a BatchSource so that the next batches are made on a producer
// thread while the model trains on the current one: composing scenes and
// computing spectrograms never holds up a training step. Batches come out
// in the same order, with the same content, as from the wrapped source, so
// runs stay deterministic and resume exactly (seek restarts the producer).
#include "core/data/BatchSource.h"

#include <memory>

namespace soundspot::data {

// depth: batches made ahead (2 keeps one ready while the next is made).
// A producer error (e.g. a damaged clip) is rethrown by the next() that
// would have returned that batch.
std::unique_ptr<BatchSource> prefetching(std::unique_ptr<BatchSource> inner, int depth = 2);

}  // namespace soundspot::data
