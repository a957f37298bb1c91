#include "core/retrieval/Search.h"

#include "core/common/Error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace soundspot::retrieval {

std::vector<SearchHit> search(const Index& index, const std::vector<float>& query, Modality in, int k) {
  if (static_cast<int64_t>(query.size()) != index.dim)
    throw UsageError("query", "has " + std::to_string(query.size()) + " values but the index holds " +
                                  std::to_string(index.dim) + "-D embeddings (built with another model?)");
  const int64_t n = index.size();
  if (n == 0 || k <= 0) return {};
  const std::vector<float>& rows = index.embeddings(in);
  torch::NoGradGuard noGrad;
  // Views, no copies: the index stays the owner of the data.
  const torch::Tensor m = torch::from_blob(const_cast<float*>(rows.data()), {n, index.dim}, torch::kFloat);
  torch::Tensor q = torch::from_blob(const_cast<float*>(query.data()), {index.dim}, torch::kFloat);
  const float norm = q.norm().item<float>();
  if (!(norm > 0) || !std::isfinite(norm)) throw UsageError("query", "embedding is zero or not a number");
  q = q / norm;
  const torch::Tensor scores = torch::mv(m, q);
  const int64_t take = std::min<int64_t>(k, n);
  const auto [values, indices] = torch::topk(scores, take, /*dim=*/0, /*largest=*/true, /*sorted=*/true);
  const torch::Tensor vc = values.contiguous(), ic = indices.contiguous();
  const float* v = vc.data_ptr<float>();
  const int64_t* ix = ic.data_ptr<int64_t>();
  std::vector<SearchHit> hits(static_cast<size_t>(take));
  for (int64_t i = 0; i < take; ++i) hits[static_cast<size_t>(i)] = {ix[i], v[i]};
  std::stable_sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    return a.score != b.score ? a.score > b.score : a.entry < b.entry;
  });
  return hits;
}

}  // namespace soundspot::retrieval
