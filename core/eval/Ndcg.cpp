#include "core/eval/Ndcg.h"

#include "core/common/Error.h"
#include "core/eval/Ontology.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>

namespace soundspot::eval {
namespace {

double dcg(const std::vector<float>& gains, int k) {
  double sum = 0;
  for (int r = 1; r <= k && r <= int(gains.size()); ++r) sum += gains[r - 1] / std::log2(double(r) + 1);
  return sum;
}

void checkSquare(size_t size, int64_t n, const char* what) {
  if (n < 0 || size != size_t(n) * size_t(n))
    throw Error("nDCG", std::string(what) + " has " + std::to_string(size) + " values, expected " +
                            std::to_string(n) + " x " + std::to_string(n));
}

}  // namespace

std::vector<float> relevanceFromDistances(const std::vector<int>& distances, int64_t n) {
  checkSquare(distances.size(), n, "distance matrix");
  int largest = 0;
  for (int d : distances) largest = std::max(largest, d);
  const int D = largest + 1;
  std::vector<float> rel(distances.size());
  for (size_t i = 0; i < distances.size(); ++i)
    rel[i] = distances[i] < 0 ? 0.f : float(std::max(0, D - distances[i]));
  return rel;
}

std::vector<float> relevanceMatrix(const std::vector<std::vector<std::string>>& labelSets, const Ontology& ontology) {
  const int64_t n = int64_t(labelSets.size());
  std::vector<int> d(size_t(n) * size_t(n), -1);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i; j < n; ++j)
      if (!labelSets[i].empty() && !labelSets[j].empty())
        d[i * n + j] = d[j * n + i] = ontology.setDistance(labelSets[i], labelSets[j]);
  return relevanceFromDistances(d, n);
}

std::vector<int64_t> rankByScore(const float* scores, int64_t n, int64_t exclude) {
  std::vector<int64_t> order;
  order.reserve(size_t(n));
  for (int64_t j = 0; j < n; ++j)
    if (j != exclude) order.push_back(j);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  return order;
}

double ndcgAtK(const std::vector<int64_t>& ranking, const float* relevanceRow, int64_t n, int64_t exclude, int k) {
  if (k <= 0) throw Error("nDCG", "k must be positive");
  std::vector<float> gains;
  for (int64_t j : ranking) {
    if (j < 0 || j >= n) throw Error("nDCG", "ranking holds index " + std::to_string(j) + " outside 0.." + std::to_string(n - 1));
    gains.push_back(relevanceRow[j]);
  }
  std::vector<float> ideal;
  for (int64_t j = 0; j < n; ++j)
    if (j != exclude) ideal.push_back(relevanceRow[j]);
  std::sort(ideal.begin(), ideal.end(), std::greater<float>());
  const double best = dcg(ideal, k);
  if (best <= 0) return -1;
  return dcg(gains, k) / best;
}

double meanNdcgAtK(const std::vector<float>& scores, const std::vector<float>& relevance, int64_t n, int k) {
  checkSquare(scores.size(), n, "score matrix");
  checkSquare(relevance.size(), n, "relevance matrix");
  double sum = 0;
  int64_t counted = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto ranking = rankByScore(scores.data() + i * n, n, i);
    const double v = ndcgAtK(ranking, relevance.data() + i * n, n, i, k);
    if (v < 0) continue;
    sum += v;
    ++counted;
  }
  return counted ? sum / double(counted) : std::numeric_limits<double>::quiet_NaN();
}

double ndcgRandom(const std::vector<float>& relevance, int64_t n, int k, int seeds, uint64_t seed, int dim) {
  if (seeds <= 0 || dim <= 0) throw Error("nDCG", "random baseline needs seeds > 0 and dim > 0");
  double sum = 0;
  for (int s = 0; s < seeds; ++s) {
    std::mt19937_64 rng(seed + uint64_t(s));
    std::normal_distribution<double> gauss;
    std::vector<double> emb(size_t(n) * size_t(dim));
    for (int64_t i = 0; i < n; ++i) {
      double norm = 0;
      for (int c = 0; c < dim; ++c) {
        const double v = gauss(rng);
        emb[size_t(i) * dim + c] = v;
        norm += v * v;
      }
      norm = std::sqrt(std::max(norm, 1e-300));
      for (int c = 0; c < dim; ++c) emb[size_t(i) * dim + c] /= norm;
    }
    std::vector<float> scores(size_t(n) * size_t(n));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double dot = 0;
        for (int c = 0; c < dim; ++c) dot += emb[size_t(i) * dim + c] * emb[size_t(j) * dim + c];
        scores[size_t(i) * n + j] = float(dot);
      }
    sum += meanNdcgAtK(scores, relevance, n, k);
  }
  return sum / seeds;
}

}  // namespace soundspot::eval
