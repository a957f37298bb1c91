#include "ui/ModelCardSummary.h"

#include "core/common/Error.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace soundspot::ui {
namespace {

QString percent(double v) { return QString::number(100.0 * v, 'f', 1) + "%"; }

QString duration(double seconds) {
  const int minutes = int(seconds / 60.0 + 0.5);
  return minutes < 60 ? QString("%1 min").arg(minutes) : QString("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
}

QString archName(const QString& arch) {
  if (arch == "avol") return "AVOL-Net (localization)";
  if (arch == "ave") return "AVE-Net (retrieval)";
  if (arch == "l3") return "L3-Net (baseline)";
  return arch.isEmpty() ? QString("unknown network") : arch;
}

// One row per subset: pointing with its interval and the object baseline,
// mismatch AUROC and AVC accuracy, whichever the card has.
QString benchmarkRows(const QJsonObject& bench) {
  QString rows;
  for (const char* subset : {"test-seen", "test-unseen"}) {
    const QJsonObject s = bench.value(subset).toObject();
    if (s.isEmpty()) continue;
    QStringList cells;
    if (s.contains("pointing_accuracy")) {
      QString p = percent(s.value("pointing_accuracy").toDouble());
      const QJsonArray ci = s.value("pointing_interval95_by_class").toArray();
      if (ci.size() == 2) p += QString(" (%1–%2)").arg(percent(ci[0].toDouble()), percent(ci[1].toDouble()));
      if (s.contains("object_baseline")) p += QString(", random object %1").arg(percent(s.value("object_baseline").toDouble()));
      cells << "pointing " + p;
    }
    if (s.contains("mismatch_auroc"))
      cells << "mismatched-audio AUROC " + QString::number(s.value("mismatch_auroc").toDouble(), 'f', 3);
    if (s.contains("avc_accuracy")) cells << "AVC accuracy " + percent(s.value("avc_accuracy").toDouble());
    const QJsonObject ndcg = s.value("ndcg30").toObject();
    if (!ndcg.isEmpty() && !s.contains("pointing_accuracy"))
      cells << QString("nDCG@30 image→sound %1, sound→image %2 (random %3)")
                   .arg(ndcg.value("im-aud").toDouble(), 0, 'f', 3)
                   .arg(ndcg.value("aud-im").toDouble(), 0, 'f', 3)
                   .arg(s.value("ndcg30_random").toDouble(), 0, 'f', 3);
    rows += QString("<tr><td><b>%1</b>&nbsp;</td><td>%2</td></tr>").arg(subset, cells.join("; ").toHtmlEscaped());
  }
  return rows;
}

}  // namespace

QString modelCardSummaryHtml(const QString& modelDir) {
  const QString path = QDir(modelDir).filePath("card.json");
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) throw Error(path.toStdString(), "cannot be read (is this a model folder?)");
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
  if (!doc.isObject())
    throw Error(path.toStdString(), "is not a JSON object (" + parseError.errorString().toStdString() + ")");
  const QJsonObject card = doc.object();
  const QJsonObject recipe = card.value("recipe").toObject();

  QString html = QString("<h3>%1</h3><p>%2</p>").arg(archName(card.value("arch").toString()), QDir(modelDir).absolutePath().toHtmlEscaped());
  QStringList what;
  if (card.contains("width")) what << QString("width %1").arg(card.value("width").toInt());
  if (card.contains("tower")) what << card.value("tower").toString() + " towers";
  if (card.contains("similarity")) what << card.value("similarity").toString() + " similarity";
  const QJsonArray members = card.value("ensemble").toObject().value("members").toArray();
  if (!members.isEmpty()) what << QString("ensemble of %1 networks").arg(members.size());
  if (!what.isEmpty()) html += "<p>" + what.join(", ").toHtmlEscaped() + "</p>";

  QStringList trained;
  if (recipe.contains("steps") && recipe.contains("batch"))
    trained << QString("%1 steps of %2 pairs").arg(recipe.value("steps").toInt()).arg(recipe.value("batch").toInt());
  if (recipe.contains("objective")) trained << recipe.value("objective").toString() + " objective";
  // A model soup (training/recipes/average-models.py): the steps are each run's.
  const QJsonArray averaged = recipe.value("averaged_models").toArray();
  if (!averaged.isEmpty()) {
    QStringList seeds;
    for (const auto& s : recipe.value("seeds").toArray()) seeds << QString::number(s.toInteger());
    trained << QString("weights averaged over %1 runs").arg(averaged.size()) +
                   (seeds.isEmpty() ? QString() : QString(" (seeds %1)").arg(seeds.join(", ")));
  }
  if (recipe.contains("teacher")) {
    const QJsonObject teacher = recipe.value("teacher").toObject();
    QString distilled = "distilled from " + QDir(teacher.value("path").toString()).dirName();
    // 0 (or absent, in cards older than the option) means the contrastive temperature.
    const double temperature = teacher.value("distill_temperature").toDouble();
    if (temperature > 0) distilled += QString(" at temperature %1").arg(temperature);
    trained << distilled;
  }
  if (recipe.contains("wall_seconds_from_scratch"))
    trained << duration(recipe.value("wall_seconds_from_scratch").toDouble()) + " of training from scratch";
  else if (recipe.contains("train_seconds"))
    trained << duration(recipe.value("train_seconds").toDouble()) + " of training";
  if (recipe.contains("hardware")) trained << "on " + recipe.value("hardware").toString();
  if (!trained.isEmpty()) html += "<p><b>Trained:</b> " + trained.join(", ").toHtmlEscaped() + "</p>";
  if (recipe.contains("command"))
    html += "<p><b>Recipe:</b> <code>" + recipe.value("command").toString().toHtmlEscaped() + "</code></p>";

  const QJsonObject bench = card.value("benchmark").toObject();
  const QString rows = benchmarkRows(bench);
  if (rows.isEmpty())
    html += "<p><b>Benchmark:</b> none recorded in the card (<code>soundspot-cli eval --model DIR --data "
            "BENCHMARK</code> measures any model; <code>soundspot-cli report</code> records the shipped models' "
            "figures in their cards).</p>";
  else
    html += "<p><b>Benchmark</b> (" + bench.value("dataset").toString().toHtmlEscaped() + "):</p><table>" + rows +
            "</table><p>test-unseen: pictures and recordings the model never saw.</p>";
  return html;
}

}  // namespace soundspot::ui
