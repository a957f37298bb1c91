#pragma once
// Model ▸ About this model…: what a model folder's card.json says, as a
// short rich-text page — what the network is, how it was trained (command,
// steps, time, hardware) and how it did on the benchmark (the figures that
// `soundspot-cli report` records in the card). Qt's JSON only, no torch.
#include <QString>

namespace soundspot::ui {

// The page for `modelDir`; throws soundspot::Error naming card.json when it
// is missing or not a JSON object.
QString modelCardSummaryHtml(const QString& modelDir);

}  // namespace soundspot::ui
