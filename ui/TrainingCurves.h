#pragma once
// The training dialog's live curves (Qt Charts): the loss, and the AVC
// accuracy on the training batches and on validation, against the step.
// Per-batch values are drawn faint with a smoothed curve over them (small
// batches make them jump between a few levels).
#include "ui/TrainingRun.h"

#include <QWidget>

#include <cstdint>

class QChart;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace soundspot::ui {

class TrainingCurves : public QWidget {
  Q_OBJECT
 public:
  explicit TrainingCurves(QWidget* parent = nullptr);
  void clear();
  void setTotalSteps(int64_t steps);
  void addMetric(const TrainingMetric& m);

  int lossPointCount() const;
  int trainAccuracyPointCount() const;
  int valAccuracyPointCount() const;

 private:
  QChart* makeChart(const QString& title, QValueAxis*& x, QValueAxis*& y);

  QChart* lossChart_ = nullptr;
  QChart* accChart_ = nullptr;
  QLineSeries* loss_ = nullptr;  // per batch (faint) and smoothed
  QLineSeries* lossSmooth_ = nullptr;
  QLineSeries* trainAcc_ = nullptr;
  QLineSeries* trainAccSmooth_ = nullptr;
  QLineSeries* valAcc_ = nullptr;
  QScatterSeries* valPoints_ = nullptr;
  QValueAxis *lossX_ = nullptr, *lossY_ = nullptr, *accX_ = nullptr, *accY_ = nullptr;
  double lossMin_ = 0, lossMax_ = 0;
  double lossEma_ = 0, accEma_ = 0, emaWeight_ = 0;  // bias-corrected exponential moving averages
  int64_t total_ = 1;
};

}  // namespace soundspot::ui
