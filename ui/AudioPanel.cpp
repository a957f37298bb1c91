#include "ui/AudioPanel.h"

#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace soundspot::ui {

// Min/max envelope of the soundtrack over the video's duration, as heard
// with the current offset, with the playhead as a line.
class WaveformView : public QWidget {
 public:
  explicit WaveformView(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(56);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  }
  void setSoundtrack(std::shared_ptr<const engine::Soundtrack> s) {
    soundtrack_ = std::move(s);
    update();
  }
  void setPlayhead(double t) {
    const auto column = [this](double time) {
      const double d = duration_ > 0 ? duration_ : (soundtrack_ ? soundtrack_->duration() : 0);
      return d > 0 ? static_cast<int>(time / d * width()) : 0;
    };
    const bool moved = column(t) != column(playhead_);
    playhead_ = t;
    if (moved) update();  // repaint only when the line moves by a pixel
  }
  void setDuration(double d) {
    duration_ = d;
    update();
  }

 protected:
  void paintEvent(QPaintEvent*) override {
    QPainter p(this);
    const QColor background = palette().color(QPalette::Base);
    p.fillRect(rect(), background);
    const int w = width(), h = height(), mid = h / 2;
    const double duration = duration_ > 0 ? duration_ : (soundtrack_ ? soundtrack_->duration() : 0);
    if (!soundtrack_ || duration <= 0 || w <= 0) {
      p.setPen(palette().color(QPalette::PlaceholderText));
      p.drawText(rect(), Qt::AlignCenter, tr("No audio"));
      return;
    }
    const QColor wave = soundtrack_->original ? QColor(70, 140, 220) : QColor(230, 120, 40);
    p.setPen(wave);
    const int perColumn = std::max(1, static_cast<int>(duration * engine::kSoundtrackRate / w));
    std::vector<float> chunk(static_cast<size_t>(perColumn));
    for (int x = 0; x < w; ++x) {
      soundtrack_->read(duration * x / w, chunk.data(), chunk.size());
      const auto [lo, hi] = std::minmax_element(chunk.begin(), chunk.end());
      const int y0 = mid - static_cast<int>(std::clamp(*hi, -1.f, 1.f) * (mid - 2));
      const int y1 = mid - static_cast<int>(std::clamp(*lo, -1.f, 1.f) * (mid - 2));
      p.drawLine(x, y0, x, std::max(y0, y1));
    }
    p.setPen(QPen(palette().color(QPalette::Highlight), 2));
    const int px = static_cast<int>(playhead_ / duration * w);
    p.drawLine(px, 0, px, h);
  }

 private:
  std::shared_ptr<const engine::Soundtrack> soundtrack_;
  double playhead_ = 0, duration_ = 0;
};

AudioPanel::AudioPanel(QWidget* parent) : QFrame(parent) {
  setFrameShape(QFrame::StyledPanel);
  setAcceptDrops(true);
  setToolTip(tr("Drop a video or audio file here to hear it instead of the original"));
  waveform_ = new WaveformView(this);
  title_ = new QLabel(this);
  title_->setTextFormat(Qt::RichText);
  offset_ = new QDoubleSpinBox(this);
  offset_->setRange(-600, 600);
  offset_->setDecimals(2);
  offset_->setSingleStep(0.1);
  offset_->setSuffix(tr(" s"));
  offset_->setToolTip(tr("Where in the swapped audio the video starts"));
  offset_->setEnabled(false);
  choose_ = new QPushButton(tr("Swap audio…"), this);
  restore_ = new QPushButton(tr("Original audio"), this);
  restore_->setEnabled(false);

  auto* controls = new QHBoxLayout;
  controls->addWidget(title_, 1);
  controls->addWidget(new QLabel(tr("Offset:"), this));
  controls->addWidget(offset_);
  controls->addWidget(choose_);
  controls->addWidget(restore_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->addLayout(controls);
  layout->addWidget(waveform_);

  connect(choose_, &QPushButton::clicked, this, &AudioPanel::chooseAudioRequested);
  connect(restore_, &QPushButton::clicked, this, &AudioPanel::restoreOriginalRequested);
  connect(offset_, &QDoubleSpinBox::valueChanged, this, &AudioPanel::offsetChanged);
  setSoundtrack(nullptr);
}

void AudioPanel::setSoundtrack(std::shared_ptr<const engine::Soundtrack> soundtrack) {
  soundtrack_ = soundtrack;
  waveform_->setSoundtrack(soundtrack);
  const bool swapped = soundtrack && !soundtrack->original;
  if (!soundtrack) title_->setText(tr("<b>Audio:</b> none"));
  else if (swapped) title_->setText(tr("<b>Audio:</b> <span style='color:#e07828'>%1</span> (swapped)").arg(QString::fromStdString(soundtrack->name).toHtmlEscaped()));
  else title_->setText(tr("<b>Audio:</b> original soundtrack"));
  restore_->setEnabled(swapped);
  offset_->setEnabled(swapped);
  const QSignalBlocker block(offset_);
  offset_->setValue(soundtrack ? soundtrack->offset : 0);
}

void AudioPanel::setPlayhead(double seconds) { waveform_->setPlayhead(seconds); }
void AudioPanel::setVideoDuration(double seconds) { waveform_->setDuration(seconds); }
QString AudioPanel::activeName() const {
  return soundtrack_ ? QString::fromStdString(soundtrack_->original ? "original" : soundtrack_->name) : QString();
}
double AudioPanel::offset() const { return offset_->value(); }

void AudioPanel::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile()) event->acceptProposedAction();
}

void AudioPanel::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  event->acceptProposedAction();
  Q_EMIT audioFileChosen(urls.first().toLocalFile());
}

}  // namespace soundspot::ui
