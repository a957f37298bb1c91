#pragma once
// The paper's evaluation suite on a dataset folder (sec. 4-5 of "Objects that
// Sound"): AVC accuracy, cross-modal and intra-modal retrieval nDCG@30 with
// ontology-based relevance, and for AVOL-Net the localization metrics.
//
// Queries: each decodable clip of the split contributes one instant (its
// first annotation, else its middle): the frame shown then and the 1 s of
// audio centred on it. Embeddings are L2-normalised and ranked by dot product;
// a query's own clip is excluded from its ranking. Relevance and nDCG are
// those of core/eval/Ndcg.h (ontology distance between label sets).
#include "core/common/Progress.h"
#include "core/data/Dataset.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace soundspot::eval {

class EvalNetwork;
class Ontology;

struct EvalOptions {
  std::string split = "test";
  std::string trainSplit = "train";  // where L3-Net's CCA is fitted
  const data::Dataset* ccaDataset = nullptr;  // ... in this dataset (null: the evaluated one)
  uint64_t seed = 1;                 // AVC pairs, mismatched audio, random baselines
  int ndcgK = 30;
  int avcPairsPerClip = 8;           // AVC pairs per clip: half positives, half negatives
  int randomSeeds = 10;              // ndcg30_random is the mean over these
  int ccaComponents = 128;
  int ccaInstantsPerClip = 8;        // training instants per clip for the CCA fit
  int batchSize = 16;
  int threads = 2;                   // decoding threads
  std::filesystem::path dumpDir;     // empty: no dump
};

// Runs the suite; `untrained` (may be null) gives mismatch_auroc_untrained.
// Returns the JSON report (its keys are listed at the top of Evaluation.cpp).
// Undecodable clips are skipped with a warning and counted in "skipped_clips".
nlohmann::json evaluate(EvalNetwork& net, EvalNetwork* untrained, const data::Dataset& dataset,
                        const Ontology& ontology, const EvalOptions& opts, const CancelToken* cancel = nullptr);

}  // namespace soundspot::eval
