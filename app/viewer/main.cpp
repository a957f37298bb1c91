// soundspot: the desktop viewer.
//   soundspot [MEDIA] [--model MODEL_DIR] [--audio OTHER_MEDIA[@OFFSET_SECONDS]]
// --screenshot FILE saves the window after --screenshot-delay seconds and
// quits (README screenshots, tools/screenshots.sh).
#include "core/common/Error.h"
#include "core/common/Log.h"
#include "core/engine/Soundtrack.h"
#include "core/nn/Device.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>

int main(int argc, char** argv) {
  QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("SoundSpot");
  QApplication::setApplicationName("soundspot");
  QApplication::setApplicationDisplayName("SoundSpot");
  QApplication::setApplicationVersion(SOUNDSPOT_VERSION);

  QCommandLineParser parser;
  parser.setApplicationDescription("SoundSpot: see where the sound in a video comes from (AVOL-Net, \"Objects that Sound\").");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("media", "Video to open.", "[MEDIA]");
  const QCommandLineOption model("model", "AVOL-Net model folder.", "MODEL_DIR");
  const QCommandLineOption audio("audio", "Play and localize another file's audio instead.", "OTHER_MEDIA[@OFFSET_SECONDS]");
  const QCommandLineOption device("device", "Inference device: auto, cpu or cuda.", "DEVICE");
  const QCommandLineOption play("play", "Start playing at once.");
  const QCommandLineOption seek("seek", "Start at this time.", "SECONDS");
  const QCommandLineOption view("view", "overlay, map or side.", "VIEW");
  const QCommandLineOption screenshot("screenshot", "Save a PNG of the window and quit.", "FILE");
  const QCommandLineOption delay("screenshot-delay", "Seconds to wait before the screenshot (default 3).", "SECONDS", "3");
  const QCommandLineOption verbose("verbose", "More log output.");
  parser.addOptions({model, audio, device, play, seek, view, screenshot, delay, verbose});
  parser.process(app);
  soundspot::initLogging(parser.isSet(verbose) ? 1 : 0);
  // LibTorch may default to one thread here: the maps need every core.
  soundspot::nn::useCpuThreads();

  soundspot::ui::MainWindow window;
  const bool headlessShot = parser.isSet(screenshot);
  if (headlessShot) window.setShowMessageBoxes(false);
  try {
    if (parser.isSet(device)) window.setDevice(soundspot::nn::parseDeviceChoice(parser.value(device).toStdString()));
  } catch (const soundspot::Error& e) {
    std::fprintf(stderr, "soundspot: error: %s\n", e.what());
    return 2;
  }
  if (parser.isSet(model)) window.setModelDir(parser.value(model));
  window.show();
  const QStringList args = parser.positionalArguments();
  if (!args.isEmpty() && window.openMedia(args.first(), parser.isSet(audio))) {
    if (parser.isSet(audio)) {
      try {
        const auto [file, offset] = soundspot::engine::parseAudioSpec(parser.value(audio).toStdString());
        window.swapAudio(QString::fromStdString(file), offset);
      } catch (const soundspot::Error& e) {
        std::fprintf(stderr, "soundspot: error: %s\n", e.what());
        return 2;
      }
    }
    if (parser.isSet(view)) {
      const QString v = parser.value(view);
      const char* key = v == "map" ? "2" : v == "side" ? "3" : "1";
      for (QAction* a : window.findChildren<QAction*>())
        if (a->shortcut() == QKeySequence(QString(key))) a->trigger();
    }
    if (parser.isSet(seek)) window.seek(parser.value(seek).toDouble());
    if (parser.isSet(play)) window.play();
  }
  if (headlessShot) {
    const QString file = parser.value(screenshot);
    QTimer::singleShot(static_cast<int>(parser.value(delay).toDouble() * 1000), &window, [&window, file] {
      const bool ok = window.grab().save(file);
      spdlog::info("screenshot {} ({}), {}", file.toStdString(), ok ? "saved" : "FAILED", window.statusText().toStdString());
      const auto& sync = window.syncStats();
      if (sync.samples > 0)
        spdlog::info("A/V sync over {} ticks: mean lag {:.1f} ms, max {:.1f} ms", sync.samples, sync.meanLag() * 1000,
                     sync.maxLagSeconds * 1000);
      QApplication::exit(ok ? 0 : 1);
    });
  }
  return app.exec();
}
