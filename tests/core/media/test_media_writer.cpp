// MediaWriter round trips (frames and tone come back), odd sizes, atomicity.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/media/ImageFile.h"
#include "core/media/MediaReader.h"
#include "core/media/MediaWriter.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/TestRegistry.h"

#include <QImage>
#include <QtTest/QtTest>

#include <cmath>
#include <cstring>

using namespace soundspot;

namespace {
size_t filesIn(const std::filesystem::path& dir) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) { (void)e; ++n; }
  return n;
}
}  // namespace

class TestMediaWriter : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void roundTrip48k() {
    const auto dir = test::freshTempDir("media-writer");
    const auto path = dir / "out.mp4";
    test::makeIndexedClip(path, 2.0, 30, 80, 48, 48000, 440.0);
    QCOMPARE(filesIn(dir), size_t(1));  // no temporary left behind
    media::MediaReader r(path.string());
    QCOMPARE(r.info().frameCount, int64_t(60));
    QCOMPARE(r.info().audioSampleRate, 48000);
    for (int k : {0, 1, 29, 45, 59}) QCOMPARE(test::decodeFrameIndex(r.frameAt(k / 30.0)), k);
    // 440 Hz: count zero crossings over 1 s (880 expected).
    const auto a = r.audio(0.5, 1.0);
    int crossings = 0;
    for (size_t i = 1; i < a.size(); ++i) crossings += (a[i - 1] < 0) != (a[i] < 0);
    QVERIFY2(std::abs(crossings - 880) <= 2, std::to_string(crossings).c_str());
  }

  void oddSizeIsPaddedToEven() {
    const auto dir = test::freshTempDir("media-writer");
    const auto path = dir / "odd.mp4";
    test::makeIndexedClip(path, 1.0, 10, 63, 47);
    media::MediaReader r(path.string());
    QCOMPARE(r.info().width, 64);
    QCOMPARE(r.info().height, 48);
    const auto f = r.frameAt(0.75);
    // The padded column/row repeat the edge, so the index survives.
    QCOMPARE(f.index, int64_t(7));
    media::RgbFrame cropped;
    cropped.width = 63;
    cropped.height = 47;
    for (int y = 0; y < 47; ++y)
      cropped.rgb.insert(cropped.rgb.end(), f.rgb.begin() + y * 64 * 3, f.rgb.begin() + y * 64 * 3 + 63 * 3);
    QCOMPARE(test::decodeFrameIndex(cropped), 7);
  }

  void unfinishedWriterLeavesNoFile() {
    const auto dir = test::freshTempDir("media-writer");
    const auto path = dir / "unfinished.mp4";
    {
      media::MediaWriter w(path.string(), 32, 32, 10);
      const auto f = test::drawIndexFrame(1, 32, 32);
      for (int i = 0; i < 5; ++i) w.addFrame(f.rgb.data());
      std::vector<float> tone(4800, 0.1f);
      w.addAudio(tone.data(), tone.size());
    }
    QVERIFY(!std::filesystem::exists(path));
    QCOMPARE(filesIn(dir), size_t(0));
  }

  void rejectsBadArguments() {
    const auto dir = test::freshTempDir("media-writer");
    QVERIFY_THROWS_EXCEPTION(Error, media::MediaWriter((dir / "a.mp4").string(), 0, 10, 25));
    QVERIFY_THROWS_EXCEPTION(Error, media::MediaWriter((dir / "b.mp4").string(), 10, 10, 0));
    media::MediaWriter w((dir / "c.mp4").string(), 16, 16, 10);
    const auto f = test::drawIndexFrame(0, 16, 16);
    w.addFrame(f.rgb.data(), 0.5);
    QVERIFY_THROWS_EXCEPTION(Error, w.addFrame(f.rgb.data(), 0.4));  // time going backwards
    QVERIFY_THROWS_EXCEPTION(Error, media::MediaWriter((dir / "missing-folder" / "d.mp4").string(), 16, 16, 10));
  }
};
SOUNDSPOT_TEST(TestMediaWriter)

class TestImageFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pngRoundTripIsExact() {
    const auto dir = test::freshTempDir("image");
    media::RgbFrame f;
    f.width = 37;
    f.height = 21;
    for (int i = 0; i < f.width * f.height * 3; ++i) f.rgb.push_back(static_cast<uint8_t>((i * 37) % 256));
    media::writePng(dir / "a.png", f);
    QCOMPARE(filesIn(dir), size_t(1));
    const auto g = media::readImage(dir / "a.png");
    QCOMPARE(g.width, 37);
    QCOMPARE(g.height, 21);
    QVERIFY(g.rgb == f.rgb);
  }

  void pngAndJpegAgreeWithQt() {
    // Qt's own image codecs are the independent reference.
    const auto dir = test::freshTempDir("image");
    QImage q(40, 30, QImage::Format_RGB888);
    for (int y = 0; y < 30; ++y)
      for (int x = 0; x < 40; ++x) q.setPixelColor(x, y, x < 20 ? QColor(230, 40, 40) : QColor(20, 60, 220));
    QVERIFY(q.save(QString::fromStdString((dir / "q.jpg").string()), "JPG", 95));
    const auto j = media::readImage(dir / "q.jpg");
    QCOMPARE(j.width, 40);
    QCOMPARE(j.height, 30);
    auto px = [&](int x, int y, int c) { return int(j.rgb[(size_t(y) * 40 + x) * 3 + c]); };
    QVERIFY(std::abs(px(5, 15, 0) - 230) < 12 && std::abs(px(5, 15, 2) - 40) < 12);
    QVERIFY(std::abs(px(35, 15, 0) - 20) < 12 && std::abs(px(35, 15, 2) - 220) < 12);

    const auto f = test::drawIndexFrame(0xA5C3, 64, 48);
    media::writePng(dir / "w.png", f);
    QImage back(QString::fromStdString((dir / "w.png").string()));
    QCOMPARE(back.width(), 64);
    back = back.convertToFormat(QImage::Format_RGB888);
    for (int y = 0; y < 48; ++y)
      QVERIFY(std::memcmp(back.constScanLine(y), f.rgb.data() + y * 64 * 3, 64 * 3) == 0);

    const auto fake = dir / "fake.jpg";
    writeFileAtomically(fake, std::string("\xff\xd8\xff\xe0garbage", 11));
    QVERIFY_THROWS_EXCEPTION(Error, media::readImage(fake));
  }

  void badImagesNameTheFile() {
    const auto dir = test::freshTempDir("image");
    for (const char* name : {"missing.png", "text.png"}) {
      if (std::string(name) == "text.png") writeFileAtomically(dir / name, "hello");
      try {
        media::readImage(dir / name);
        QFAIL(name);
      } catch (const Error& e) {
        QVERIFY2(std::string(e.what()).find(name) != std::string::npos, e.what());
      }
    }
    media::RgbFrame f;
    f.width = 8;
    f.height = 8;
    f.rgb.assign(8 * 8 * 3, 128);
    media::writePng(dir / "t.png", f);
    auto bytes = readFile(dir / "t.png");
    bytes.resize(bytes.size() / 2);
    writeFileAtomically(dir / "half.png", bytes);
    QVERIFY_THROWS_EXCEPTION(Error, media::readImage(dir / "half.png"));
  }
};
SOUNDSPOT_TEST(TestImageFile)
#include "test_media_writer.moc"
