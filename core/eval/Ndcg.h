#pragma once
// Retrieval quality as in "Objects that Sound" (sec. 5): nDCG@k with graded
// relevance from the AudioSet ontology.
//
// Relevance of clip j to query clip i: rel = max(0, D - d(i, j)) where d is
// the ontology distance between the clips' label sets and D = 1 + the largest
// d between any two labelled clips. A clip without labels has relevance 0 to
// everything (and, as a query, is skipped: its ideal DCG is 0).
//
// DCG@k = sum over ranks r = 1..k of rel_r / log2(r + 1); nDCG@k = DCG@k
// divided by the DCG@k of the ideal ordering of the same candidates. The
// query's own clip is never a candidate. Queries whose ideal DCG is 0 are left
// out of the mean.
//
// Ties in scores: candidates with equal scores keep ascending index order
// (a stable sort by descending score), so results never depend on the sort
// implementation.
#include <cstdint>
#include <string>
#include <vector>

namespace soundspot::eval {

class Ontology;

// N x N row-major relevance matrix (rel[i * N + j]) from distances d[i * N + j]
// where a negative distance means "unknown" (relevance 0).
std::vector<float> relevanceFromDistances(const std::vector<int>& distances, int64_t n);
// From the clips' label sets (exact ontology names; empty set = unlabelled).
std::vector<float> relevanceMatrix(const std::vector<std::vector<std::string>>& labelSets, const Ontology& ontology);

// Candidates 0..n-1 except `exclude` (-1: none), by descending score, ties by
// ascending index.
std::vector<int64_t> rankByScore(const float* scores, int64_t n, int64_t exclude);

// nDCG@k of one ranking (candidate indices, best first) against the
// relevance row of its query (n values); the ideal ordering uses every index
// of 0..n-1 except `exclude`. Returns -1 when the ideal DCG is 0.
double ndcgAtK(const std::vector<int64_t>& ranking, const float* relevanceRow, int64_t n, int64_t exclude, int k);

// Mean nDCG@k over queries from an N x N score matrix (scores[i * N + j]:
// query i, candidate j; higher = more similar), the diagonal excluded.
// Returns NaN when no query has a positive ideal DCG.
double meanNdcgAtK(const std::vector<float>& scores, const std::vector<float>& relevance, int64_t n, int k);

// Chance level: the mean over `seeds` seeds (seed, seed+1, ...) of the mean
// nDCG@k obtained with random Gaussian embeddings of dimension `dim`
// (L2-normalised, ranked by dot product).
double ndcgRandom(const std::vector<float>& relevance, int64_t n, int k, int seeds = 10, uint64_t seed = 0,
                  int dim = 128);

}  // namespace soundspot::eval
