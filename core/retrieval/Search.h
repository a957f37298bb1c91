#pragma once
// Brute-force nearest neighbours in an index: the dot product of the query
// with every row of one side's embeddings (LibTorch matrix-vector product and
// top-k). Rows are L2-normalised, so with the query normalised too the score
// is the cosine similarity. Plain C++ header.
#include "core/retrieval/Index.h"

#include <cstdint>
#include <vector>

namespace soundspot::retrieval {

struct SearchHit {
  int64_t entry = 0;  // row of the index
  float score = 0;    // cosine similarity, descending
};

// The min(k, index.size()) entries of the `in` side closest to the query
// (index.dim floats; L2-normalised here), best first; ties by entry order.
// Throws UsageError when the query has the wrong size or is zero.
std::vector<SearchHit> search(const Index& index, const std::vector<float>& query, Modality in, int k);

}  // namespace soundspot::retrieval
