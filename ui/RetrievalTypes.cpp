#include "ui/RetrievalTypes.h"

#include <QCoreApplication>

namespace soundspot::ui {

QString queryKindName(QueryKind kind) {
  switch (kind) {
    case QueryKind::FrameToSound: return QCoreApplication::translate("Retrieval", "Frame → sounds");
    case QueryKind::SoundToFrame: return QCoreApplication::translate("Retrieval", "Sound → frames");
    case QueryKind::FrameToFrame: return QCoreApplication::translate("Retrieval", "Frame → frames");
    case QueryKind::SoundToSound: return QCoreApplication::translate("Retrieval", "Sound → sounds");
    case QueryKind::Region: return QCoreApplication::translate("Retrieval", "Region → sounds");
    case QueryKind::WhereIsSound: return QCoreApplication::translate("Retrieval", "Where is this sound made?");
  }
  return {};
}

bool queryUsesFrame(QueryKind kind) {
  return kind == QueryKind::FrameToSound || kind == QueryKind::FrameToFrame || kind == QueryKind::Region;
}

bool queryFindsSounds(QueryKind kind) {
  return kind == QueryKind::FrameToSound || kind == QueryKind::SoundToSound || kind == QueryKind::Region;
}

}  // namespace soundspot::ui
