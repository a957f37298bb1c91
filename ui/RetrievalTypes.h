#pragma once
// What the Retrieval panel, its worker and its result grid pass around:
// the kinds of query, what the player offers to query with, and results.
// No torch, no Qt widgets.
#include "core/engine/HeatMap.h"
#include "core/engine/Soundtrack.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace soundspot::ui {

enum class QueryKind {
  FrameToSound,   // the current frame finds sounds (image -> audio side)
  SoundToFrame,   // the current second of the active audio finds frames
  FrameToFrame,   // image -> image
  SoundToSound,   // audio -> audio
  Region,         // one 14x14 cell's AVOL-Net embedding finds sounds
  WhereIsSound,   // the current second: the best-matching regions across clips, with maps
};

QString queryKindName(QueryKind kind);       // "Frame → sounds", ...
bool queryUsesFrame(QueryKind kind);         // else the audio
bool queryFindsSounds(QueryKind kind);       // results are seconds of sound (else frames)

// What the player shows and plays now (filled by the main window).
struct QueryContext {
  QString media;              // the open video (absolute), "" when none
  double frameTime = 0;       // presentation time of the frame on screen
  double audioTime = 0;       // playhead: the 1 s of active audio centred on it is the sound query
  std::shared_ptr<const engine::Soundtrack> soundtrack;  // the active audio (maybe swapped in)
  QString modelDir;           // the viewer's AVOL-Net folder ("" when none)
};

struct RetrievalHit {
  int64_t entry = 0;
  float score = 0;            // cosine similarity (WhereIsSound: the map's peak probability)
  float coarseScore = 0;      // WhereIsSound: the embedding score that made it a candidate
  QString clipId, media;
  double time = 0;            // seconds from the start of the clip's media (the frame shown there)
  QStringList labels;
  bool hasMap = false;        // WhereIsSound: map and peak are set, thumbnail has the overlay
  engine::HeatMap map{};
  int peakRow = -1, peakCol = -1;
  QImage thumbnail;           // set when the worker made it (WhereIsSound); else loaded later
};

struct RetrievalResults {
  uint64_t id = 0;
  QueryKind kind = QueryKind::FrameToSound;
  QString title;              // what was asked
  QImage queryImage;          // the query frame (Region: with the cell marked), may be null
  std::vector<RetrievalHit> hits;  // best first
  double milliseconds = 0;
  QString note;               // e.g. which model made the maps
};

struct IndexSummary {
  QString dir;
  int64_t entries = 0, clips = 0, dim = 0;
  QString arch, modelDir, sourceName;
  bool labelled = false;      // some clip has labels
  QString device;             // where the query models run ("cpu", "cuda")
};

}  // namespace soundspot::ui
