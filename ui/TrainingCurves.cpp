#include "ui/TrainingCurves.h"

#include <QHBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace soundspot::ui {

TrainingCurves::TrainingCurves(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  lossChart_ = makeChart(tr("Loss"), lossX_, lossY_);
  accChart_ = makeChart(tr("AVC accuracy"), accX_, accY_);
  auto line = [this](const QString& name, const QColor& color, qreal width) {
    auto* series = new QLineSeries(this);
    series->setName(name);
    QPen pen(color);
    pen.setWidthF(width);
    series->setPen(pen);
    return series;
  };
  const QColor faint(158, 202, 225), dark(31, 119, 180), val(230, 110, 20);
  loss_ = line(tr("batch"), faint, 1.0);
  lossSmooth_ = line(tr("smoothed"), dark, 2.2);
  trainAcc_ = line(tr("batch"), faint, 1.0);
  trainAccSmooth_ = line(tr("smoothed"), dark, 2.2);
  valAcc_ = line(tr("validation"), val, 2.5);
  valPoints_ = new QScatterSeries(this);
  valPoints_->setMarkerSize(7);
  valPoints_->setColor(val);
  valPoints_->setBorderColor(val);
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{loss_, lossSmooth_}) lossChart_->addSeries(s);
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{trainAcc_, trainAccSmooth_, valAcc_, valPoints_})
    accChart_->addSeries(s);
  for (auto [chart, x, y] : {std::tuple{lossChart_, lossX_, lossY_}, std::tuple{accChart_, accX_, accY_}})
    for (QAbstractSeries* s : chart->series()) {
      s->attachAxis(x);
      s->attachAxis(y);
    }
  accChart_->legend()->markers(valPoints_).first()->setVisible(false);
  accY_->setRange(0, 1);
  accY_->setTickCount(6);
  accY_->setLabelFormat("%.1f");
  for (QChart* chart : {lossChart_, accChart_}) {
    auto* view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(260, 200);
    layout->addWidget(view);
  }
  clear();
}

QChart* TrainingCurves::makeChart(const QString& title, QValueAxis*& x, QValueAxis*& y) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  x = new QValueAxis(chart);
  x->setTitleText(tr("step"));
  x->setLabelFormat("%d");
  y = new QValueAxis(chart);
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  return chart;
}

void TrainingCurves::clear() {
  for (QXYSeries* s : std::initializer_list<QXYSeries*>{loss_, lossSmooth_, trainAcc_, trainAccSmooth_, valAcc_, valPoints_})
    s->clear();
  lossEma_ = accEma_ = emaWeight_ = 0;
  lossMin_ = 0;
  lossMax_ = 0;
  lossY_->setRange(0, 1);
  setTotalSteps(total_);
}

void TrainingCurves::setTotalSteps(int64_t steps) {
  total_ = std::max<int64_t>(1, steps);
  for (QValueAxis* x : {lossX_, accX_}) {
    x->setRange(0, static_cast<double>(total_));
    x->setTickCount(total_ >= 4 ? 5 : static_cast<int>(total_) + 1);
  }
}

void TrainingCurves::addMetric(const TrainingMetric& m) {
  const double step = static_cast<double>(m.step);
  if (loss_->count() == 0) lossMin_ = lossMax_ = m.loss;
  lossMin_ = std::min(lossMin_, m.loss);
  lossMax_ = std::max(lossMax_, m.loss);
  loss_->append(step, m.loss);
  const double pad = std::max(1e-3, (lossMax_ - lossMin_) * 0.08);
  lossY_->setRange(lossMin_ >= 0 ? std::max(0.0, lossMin_ - pad) : lossMin_ - pad, lossMax_ + pad);
  trainAcc_->append(step, m.trainAccuracy);
  constexpr double kBeta = 0.9;
  lossEma_ = kBeta * lossEma_ + (1 - kBeta) * m.loss;
  accEma_ = kBeta * accEma_ + (1 - kBeta) * m.trainAccuracy;
  emaWeight_ = kBeta * emaWeight_ + (1 - kBeta);
  lossSmooth_->append(step, lossEma_ / emaWeight_);
  trainAccSmooth_->append(step, accEma_ / emaWeight_);
  if (m.valAccuracy) {
    valAcc_->append(step, *m.valAccuracy);
    valPoints_->append(step, *m.valAccuracy);
  }
  if (m.step > total_) setTotalSteps(m.step);
}

int TrainingCurves::lossPointCount() const { return loss_->count(); }
int TrainingCurves::trainAccuracyPointCount() const { return trainAcc_->count(); }
int TrainingCurves::valAccuracyPointCount() const { return valAcc_->count(); }

}  // namespace soundspot::ui
