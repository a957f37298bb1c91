// Media made by FFmpeg's own CLI, the way people's files come: webm/VP9+Opus,
// mkv, a camera's mov with PCM sound, audio-only files, still images, a
// portrait phone video (rotation metadata) and a variable frame rate. Each is
// opened through soundspot-cli as a user would (probe, frame, localize,
// index, search), and pictures are compared with what FFmpeg decodes.
#include "core/common/Npy.h"
#include "core/common/Paths.h"
#include "core/media/ImageFile.h"
#include "core/media/MediaReader.h"
#include "tests/support/Fixtures.h"
#include "tests/support/RunProcess.h"
#include "tests/support/TestRegistry.h"

#include <nlohmann/json.hpp>

#include <QImage>
#include <QPainter>
#include <QStandardPaths>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace soundspot;
namespace fs = std::filesystem;
using json = nlohmann::json;
using test::runCli;

namespace {

QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

// Peak signal-to-noise ratio of two RGB24 pictures of the same size (dB).
double psnr(const media::RgbFrame& a, const media::RgbFrame& b) {
  if (a.width != b.width || a.height != b.height) return -1;
  double se = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) {
    const double d = double(a.rgb[i]) - double(b.rgb[i]);
    se += d * d;
  }
  const double mse = se / double(a.rgb.size());
  return mse == 0 ? 99.0 : 10 * std::log10(255.0 * 255.0 / mse);
}

double maxAbsDiff(const NpyArray& a, const NpyArray& b) {
  if (a.shape != b.shape) return 1e9;
  double m = 0;
  for (size_t i = 0; i < a.data.size(); ++i) m = std::max(m, double(std::fabs(a.data[i] - b.data[i])));
  return m;
}

}  // namespace

class TestCliRealWorldMedia : public QObject {
  Q_OBJECT
  fs::path dir_;
  QString ffmpeg_, ffprobe_;

  // Runs FFmpeg's CLI quietly; the fixture must be made.
  void ff(const QStringList& args) {
    const auto r = test::runProgram(ffmpeg_, QStringList{"-v", "error", "-y"} + args);
    QVERIFY2(r.exitCode == 0 && !r.crashed, ("ffmpeg " + args.join(' ').toStdString() + ": " + r.err).c_str());
  }

  // FFmpeg's own picture of frame n, converted with accurate chroma interpolation.
  media::RgbFrame ffmpegFrame(const fs::path& media, int n, const std::string& tag) {
    const fs::path out = dir_ / (tag + "-ffmpeg.png");
    ff({"-i", q(media), "-vf", QString("select=eq(n\\,%1),scale=flags=bicubic+accurate_rnd+full_chroma_int").arg(n),
        "-frames:v", "1", q(out)});
    return media::readImage(out);
  }

  media::RgbFrame cliFrame(const fs::path& media, double t, const std::string& tag) {
    const fs::path out = dir_ / (tag + "-soundspot.png");
    const auto r = runCli({"frame", q(media), "--at", QString::number(t, 'f', 6), "-o", q(out)});
    return r.exitCode == 0 ? media::readImage(out) : media::RgbFrame{};
  }

  json probe(const fs::path& media) {
    const auto r = runCli({"probe", q(media)});
    return r.exitCode == 0 ? json::parse(r.out) : json();
  }

 private Q_SLOTS:
  void initTestCase() {
    ffmpeg_ = QStandardPaths::findExecutable("ffmpeg");
    ffprobe_ = QStandardPaths::findExecutable("ffprobe");
    QVERIFY2(!ffmpeg_.isEmpty() && !ffprobe_.isEmpty(),
             "FFmpeg's CLI (ffmpeg, ffprobe) makes these tests' media: bash packaging/install-deps.sh installs it");
    dir_ = test::freshTempDir("real-world-media");
  }

  // Containers and codecs from other tools: pictures as FFmpeg decodes them, sound present.
  void containersAndCodecsOpen() {
    struct Case {
      const char* file;
      QStringList codecs;
      const char* videoCodec;
      const char* audioCodec;
    };
    const std::vector<Case> cases = {
        {"vp9-opus.webm", {"-c:v", "libvpx-vp9", "-b:v", "400k", "-c:a", "libopus"}, "vp9", "opus"},
        {"h264-aac.mkv", {"-c:v", "libx264", "-c:a", "aac"}, "h264", "aac"},
        {"camera.mov", {"-c:v", "libx264", "-c:a", "pcm_s16le"}, "h264", "pcm_s16le"},
        {"mpeg4-mp3.avi", {"-c:v", "mpeg4", "-q:v", "2", "-c:a", "libmp3lame"}, "mpeg4", "mp3"},
    };
    for (const Case& c : cases) {
      const fs::path file = dir_ / c.file;
      ff(QStringList{"-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-f", "lavfi", "-i",
                     "sine=f=1000:d=3:sample_rate=48000", "-shortest"} +
         c.codecs + QStringList{q(file)});
      const json j = probe(file);
      QVERIFY2(!j.is_null(), c.file);
      QCOMPARE(j["video"]["codec"].get<std::string>(), std::string(c.videoCodec));
      QCOMPARE(j["audio"]["codec"].get<std::string>(), std::string(c.audioCodec));
      QVERIFY2(std::abs(j["video"]["frameCount"].get<int>() - 75) <= 1, c.file);
      QCOMPARE(j["video"]["width"].get<int>(), 160);
      // The middle of frame 25's span (webm and mkv start the video a few ms late).
      media::MediaReader reader(file.string());
      const auto& times = reader.frameTimestamps();
      const double db = psnr(cliFrame(file, (times[25] + times[26]) / 2, c.file), ffmpegFrame(file, 25, c.file));
      QVERIFY2(db >= 35, (std::string(c.file) + ": " + std::to_string(db) + " dB").c_str());
      // The 1 kHz tone is heard (FFmpeg's sine source has amplitude 1/8).
      const auto sound = reader.audio(1.0, 1.0);
      double energy = 0;
      for (float s : sound) energy += double(s) * s;
      QVERIFY2(std::sqrt(energy / double(sound.size())) > 0.05, c.file);
    }
  }

  // soundspot's colour conversion is FFmpeg's most accurate one, and closer to
  // the RGB source than FFmpeg CLI's default (which repeats chroma samples).
  void colourIsConvertedWithChromaInterpolation() {
    QImage source(320, 240, QImage::Format_RGB888);
    QPainter p(&source);
    p.fillRect(source.rect(), QColor(30, 120, 200));
    for (int i = 0; i < 8; ++i) {
      p.setBrush(QColor::fromHsv(i * 45, 230, 240));
      p.setPen(Qt::NoPen);
      p.drawEllipse(QPointF(40 + 35 * i, 60 + 15 * (i % 3)), 17, 23);
      p.fillRect(QRectF(13 + 37 * i, 150, 19, 70), QColor::fromHsv((i * 45 + 180) % 360, 255, 200));
    }
    p.end();
    const fs::path png = dir_ / "colour-source.png", video = dir_ / "colour.mp4";
    QVERIFY(source.save(q(png)));
    ff({"-loop", "1", "-i", q(png), "-t", "0.4", "-r", "25", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-qp", "0", q(video)});
    const media::RgbFrame ours = cliFrame(video, 0.1, "colour");
    const media::RgbFrame accurate = ffmpegFrame(video, 2, "colour-accurate");
    const fs::path defaultPng = dir_ / "colour-default.png";
    ff({"-i", q(video), "-vf", "select=eq(n\\,2)", "-frames:v", "1", q(defaultPng)});
    const media::RgbFrame truth = media::readImage(png), ffmpegDefault = media::readImage(defaultPng);
    const double vsAccurate = psnr(ours, accurate), oursVsTruth = psnr(ours, truth), defaultVsTruth = psnr(ffmpegDefault, truth);
    qInfo("colour: %.1f dB vs FFmpeg (accurate chroma); vs the RGB source: soundspot %.1f dB, FFmpeg's default %.1f dB",
          vsAccurate, oursVsTruth, defaultVsTruth);
    QVERIFY(vsAccurate >= 35);
    QVERIFY(oursVsTruth > defaultVsTruth);
  }

  // Audio-only files swap in as the soundtrack; as the picture they are refused by name.
  void audioOnlyFilesSwapIn() {
    const fs::path video = dir_ / "vp9-opus.webm";
    if (!fs::exists(video)) QSKIP("needs containersAndCodecsOpen's webm");
    for (const char* name : {"tone.ogg", "tone.m4a", "tone.opus", "tone.wav", "tone.flac"}) {
      const fs::path file = dir_ / name;
      ff({"-f", "lavfi", "-i", "sine=f=1500:d=2", q(file)});
      const json j = probe(file);
      QCOMPARE(j["hasVideo"].get<bool>(), false);
      QCOMPARE(j["hasAudio"].get<bool>(), true);
      const fs::path maps = dir_ / (std::string(name) + ".npy");
      auto r = runCli({"localize", q(video), "--audio", q(file) + "@0.5", "--out", q(dir_ / "swapped.mp4"), "--maps",
                       q(maps), "--device", "cpu"});
      QVERIFY2(r.exitCode == 0, r.err.c_str());
      QCOMPARE(readNpy(maps).shape[0], int64_t{75});
      r = runCli({"localize", q(file), "--out", q(dir_ / "x.mp4"), "--device", "cpu"});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.find(name) != std::string::npos && r.err.find("no video") != std::string::npos, r.err.c_str());
    }
  }

  // A still image is a one-frame video: shown as it is, and held for as long
  // as swapped-in sound plays, one map per 1/25 s.
  void stillImagesAreOneFrameVideos() {
    const fs::path tone = dir_ / "two-seconds.ogg";
    ff({"-f", "lavfi", "-i", "sine=f=700:d=2", q(tone)});
    for (const char* name : {"still.png", "still.jpg"}) {
      const fs::path file = dir_ / name;
      ff({"-f", "lavfi", "-i", "testsrc2=s=160x120", "-frames:v", "1", q(file)});
      const json j = probe(file);
      QCOMPARE(j["video"]["frameCount"].get<int>(), 1);
      const double db = psnr(cliFrame(file, 0, name), media::readImage(file));
      QVERIFY2(db >= 35, (std::string(name) + ": " + std::to_string(db)).c_str());
      const fs::path maps = dir_ / (std::string(name) + ".npy"), out = dir_ / (std::string(name) + ".mp4");
      auto r = runCli({"localize", q(file), "--audio", q(tone), "--out", q(out), "--maps", q(maps), "--device", "cpu"});
      QVERIFY2(r.exitCode == 0, r.err.c_str());
      QCOMPARE(readNpy(maps).shape[0], int64_t{50});
      QCOMPARE(probe(out)["video"]["frameCount"].get<int>(), 50);
      r = runCli({"localize", q(file), "--out", q(out), "--device", "cpu"});
      QCOMPARE(r.exitCode, 1);
      QVERIFY2(r.err.find(name) != std::string::npos && r.err.find("no audio") != std::string::npos, r.err.c_str());
    }
  }

  // A portrait phone video stored sideways with rotation metadata is upright
  // everywhere: probe, frame, the maps of localize and the index's embeddings.
  void portraitPhoneVideoIsUpright() {
    const QStringList source = {"-f", "lavfi", "-i", "testsrc2=s=120x160:r=25:d=3", "-f", "lavfi", "-i",
                                "sine=f=1000:d=3:sample_rate=48000", "-shortest"};
    const QStringList lossless = {"-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", "-c:a", "aac"};
    const fs::path clips = dir_ / "phone";
    fs::create_directories(clips);
    const fs::path upright = clips / "upright.mp4", sideways = clips / "sideways.mp4", rotated = clips / "rotated.mp4";
    ff(source + lossless + QStringList{q(upright)});
    ff(source + QStringList{"-vf", "transpose=2"} + lossless + QStringList{q(sideways)});
    // FFmpeg writes the display matrix only when copying; its "rotate" tag counts counter-clockwise here.
    ff({"-i", q(sideways), "-c", "copy", "-metadata:s:v:0", "rotate=270", q(rotated)});
    // The fixture is what a phone makes: FFmpeg itself shows it upright.
    QVERIFY(psnr(ffmpegFrame(rotated, 25, "rotated"), ffmpegFrame(upright, 25, "upright")) >= 35);

    const json j = probe(rotated);
    QCOMPARE(j["video"]["width"].get<int>(), 120);
    QCOMPARE(j["video"]["height"].get<int>(), 160);
    QVERIFY(psnr(cliFrame(rotated, 1.0, "rotated"), ffmpegFrame(upright, 25, "upright")) >= 35);

    auto maps = [&](const fs::path& media) {
      const fs::path npy = dir_ / (media.stem().string() + "-maps.npy");
      const auto r = runCli({"localize", q(media), "--out", q(dir_ / "phone-out.mp4"), "--maps", q(npy), "--device", "cpu"});
      return r.exitCode == 0 ? readNpy(npy) : NpyArray{};
    };
    const NpyArray up = maps(upright), rot = maps(rotated), side = maps(sideways);
    QCOMPARE(up.shape, (std::vector<int64_t>{75, 14, 14}));
    QVERIFY2(maxAbsDiff(up, rot) < 0.02, std::to_string(maxAbsDiff(up, rot)).c_str());
    QVERIFY2(maxAbsDiff(up, side) > 0.1, "the sideways picture should give other maps (the test could not fail)");

    const fs::path index = dir_ / "phone-index";
    auto r = runCli({"index", q(clips), "--model", q(resourceDir() / "models" / "ave"), "--out", q(index), "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    r = runCli({"search", q(index), "--frame", q(upright) + "@1.5", "--in", "image", "--k", "9", "--json", "--device", "cpu"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    double rotatedScore = -1, bestSideways = -1;
    const json found = json::parse(r.out);
    for (const json& hit : found["results"]) {
      const std::string clip = hit["clip"];
      const double score = hit["score"];
      if (clip == "rotated.mp4" && std::fabs(hit["time"].get<double>() - 1.5) < 1e-6) rotatedScore = score;
      if (clip == "sideways.mp4") bestSideways = std::max(bestSideways, score);
    }
    QVERIFY2(rotatedScore > 0.999, std::to_string(rotatedScore).c_str());
    QVERIFY2(bestSideways < rotatedScore - 0.02, std::to_string(bestSideways).c_str());
  }

  // Anamorphic DV (720x480 pixels shown 16:9): frame gives the displayed
  // picture, as FFmpeg scales it to its display aspect.
  void nonSquarePixelsAreShownAtTheirAspect() {
    const fs::path file = dir_ / "anamorphic-dv.mp4";
    ff({"-f", "lavfi", "-i", "testsrc2=s=720x480:r=25:d=1", "-f", "lavfi", "-i", "sine=d=1", "-shortest", "-vf",
        "setsar=32/27", "-c:v", "libx264", "-c:a", "aac", q(file)});
    const json j = probe(file);
    QCOMPARE(j["video"]["width"].get<int>(), 853);
    QCOMPARE(j["video"]["height"].get<int>(), 480);
    const fs::path ref = dir_ / "anamorphic-ffmpeg.png";
    ff({"-i", q(file), "-vf", "select=eq(n\\,12),scale=853:480:flags=bicubic+accurate_rnd+full_chroma_int,setsar=1",
        "-frames:v", "1", q(ref)});
    const double db = psnr(cliFrame(file, 0.5, "anamorphic"), media::readImage(ref));
    QVERIFY2(db >= 35, std::to_string(db).c_str());
  }

  // Variable frame rate (a screen capture): the frame shown at t is the last
  // one whose timestamp is <= t, by FFmpeg's own list of timestamps.
  void variableFrameRateShowsTheFrameWhoseSpanHoldsTheTime() {
    const fs::path file = dir_ / "vfr.mkv";
    // 25 fps for 1 s, then 5 fps, then 50 fps.
    ff({"-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-f", "lavfi", "-i", "sine=f=900:d=3", "-shortest", "-vf",
        "setpts='if(lt(N,25),N/25,if(lt(N,35),1+(N-25)/5,3+(N-35)/50))/TB'", "-fps_mode", "vfr", "-c:v", "libx264",
        "-c:a", "aac", q(file)});
    const auto r = test::runProgram(ffprobe_, {"-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time",
                                               "-of", "csv=p=0", q(file)});
    QCOMPARE(r.exitCode, 0);
    std::vector<double> expected;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) expected.push_back(std::stod(line));
    QVERIFY(expected.size() > 50);
    media::MediaReader reader(file.string());
    const auto& times = reader.frameTimestamps();
    QCOMPARE(times.size(), expected.size());
    // The container starts at 0 (the audio does), so both count from the same origin.
    for (size_t i = 0; i < times.size(); ++i)
      QVERIFY2(std::fabs(times[i] - expected[i]) < 1e-3, (std::to_string(times[i]) + " vs " + std::to_string(expected[i])).c_str());
    for (double t : {0.5, 1.05, 1.19, 1.21, 2.99, 3.011, 3.5}) {
      const auto after = std::upper_bound(times.begin(), times.end(), t);
      const int want = static_cast<int>(after - times.begin()) - 1;
      const double db = psnr(cliFrame(file, t, "vfr"), ffmpegFrame(file, want, "vfr"));
      QVERIFY2(db >= 35, (std::to_string(t) + " s: " + std::to_string(db) + " dB from frame " + std::to_string(want)).c_str());
    }
  }

  // What FFmpeg cannot use as picture or sound gets the one-line error naming the file.
  void unusableFilesNameTheFile() {
    const fs::path srt = dir_ / "words.srt", subtitles = dir_ / "only-subtitles.mkv";
    std::ofstream(srt) << "1\n00:00:00,000 --> 00:00:01,000\nhello\n";
    ff({"-i", q(srt), q(subtitles)});
    for (const QStringList& args : {QStringList{"probe", q(subtitles)}, QStringList{"frame", q(subtitles), "--at", "0", "-o", q(dir_ / "s.png")},
                                   QStringList{"localize", q(subtitles), "--out", q(dir_ / "s.mp4"), "--device", "cpu"}}) {
      const auto r = runCli(args);
      QVERIFY2(!r.crashed && r.exitCode == 1, r.err.c_str());
      QVERIFY2(r.err.find("soundspot-cli: error: " + subtitles.string()) != std::string::npos, r.err.c_str());
    }
  }
};

SOUNDSPOT_TEST(TestCliRealWorldMedia)
#include "test_cli_real_world_media.moc"
