// Decoded clips kept on disk: a second decode reads them back bit for bit, a
// changed or damaged file is decoded again, and clips that cannot train
// (shorter than 1 s, no audio) are refused with the file named.
#include "core/common/Error.h"
#include "core/data/ClipCache.h"
#include "core/data/ClipDiskCache.h"
#include "tests/support/Fixtures.h"
#include "tests/support/MediaFixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;
using namespace soundspot::data;

namespace {

std::vector<Clip> makeClips(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<Clip> clips;
  double tone = 500;
  for (const char* id : {"a", "b", "c"}) {
    Clip c;
    c.id = id;
    c.media = dir / (std::string(id) + ".mp4");
    test::makeIndexedClip(c.media, 2.0, 10, 64, 48, 48000, tone);
    tone += 1000;
    clips.push_back(c);
  }
  return clips;
}

void compareClips(const CachedClip& x, const CachedClip& y) {
  QVERIFY(x.ok && y.ok);
  QCOMPARE(x.duration, y.duration);
  QCOMPARE(x.frameTimes, y.frameTimes);
  QCOMPARE(x.frames, y.frames);
  QCOMPARE(x.audio, y.audio);
}

}  // namespace

class TestClipDiskCache : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void secondDecodeReadsTheCache() {
    const auto dir = test::freshTempDir("clip-disk-cache");
    const auto clips = makeClips(dir / "media");
    const ClipDiskCache disk(dir / "cache");
    ClipCache first(clips, 6);
    first.setDiskCache(&disk);
    first.decodeAll(2);
    QCOMPARE(first.diskHits(), size_t{0});
    ClipCache second(clips, 6);
    second.setDiskCache(&disk);
    second.decodeAll(2);
    QCOMPARE(second.diskHits(), size_t{3});
    for (size_t i = 0; i < clips.size(); ++i) compareClips(first[i], second[i]);
    // Another frame budget is another entry.
    QVERIFY(!disk.load(clips[0], 4));
  }

  void changedFileIsDecodedAgain() {
    const auto dir = test::freshTempDir("clip-disk-cache-change");
    auto clips = makeClips(dir / "media");
    const ClipDiskCache disk(dir / "cache");
    ClipCache first(clips, 6);
    first.setDiskCache(&disk);
    first.decodeAll(1);
    // Rewrite b with another tone and length; keep the mtime moving forward even on coarse clocks.
    test::makeIndexedClip(clips[1].media, 3.0, 10, 64, 48, 48000, 7000);
    std::filesystem::last_write_time(clips[1].media, std::filesystem::last_write_time(clips[1].media) + std::chrono::seconds(5));
    QVERIFY(!disk.load(clips[1], 6));
    ClipCache second(clips, 6);
    second.setDiskCache(&disk);
    second.decodeAll(1);
    QCOMPARE(second.diskHits(), size_t{2});
    compareClips(second[1], ClipCache::decode(clips[1], 6));
    QVERIFY(second[1].duration > 2.5);
    // ... and the entry was rewritten.
    QVERIFY(disk.load(clips[1], 6).has_value());
  }

  void damagedEntryIsIgnored() {
    const auto dir = test::freshTempDir("clip-disk-cache-damage");
    const auto clips = makeClips(dir / "media");
    const ClipDiskCache disk(dir / "cache");
    disk.store(clips[0], 6, ClipCache::decode(clips[0], 6));
    QVERIFY(disk.load(clips[0], 6).has_value());
    const auto entry = disk.entryPath(clips[0], 6);
    test::flipByte(entry, std::filesystem::file_size(entry) - 100);  // inside the audio
    QVERIFY(!disk.load(clips[0], 6).has_value());
    std::filesystem::resize_file(entry, 40);  // truncated
    QVERIFY(!disk.load(clips[0], 6).has_value());
  }

  void unwritableCacheOnlyWarns() {
    const auto dir = test::freshTempDir("clip-disk-cache-readonly");
    const auto clips = makeClips(dir / "media");
    test::makeIndexedClip(dir / "file", 1.0, 10, 32, 32);  // a file where the cache folder should be
    const ClipDiskCache disk(dir / "file" / "cache");
    ClipCache cache(clips, 4);
    cache.setDiskCache(&disk);
    cache.decodeAll(1);
    QCOMPARE(cache.usable().size(), size_t{3});
  }

  void clipsThatCannotTrainAreRefusedByName() {
    const auto dir = test::freshTempDir("clip-too-short");
    Clip shortClip{"short", dir / "short.mp4"};
    test::makeIndexedClip(shortClip.media, 0.6, 10, 64, 48);
    Clip silent{"silent", dir / "silent.mp4"};
    test::makeNoAudioClip(silent.media, 2.0, 10, 64, 48);
    for (const auto& [clip, problem] : {std::pair{shortClip, "shorter than 1 s"}, std::pair{silent, "no audio stream"}}) {
      try {
        ClipCache::decode(clip, 4);
        QFAIL("expected an error");
      } catch (const Error& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(clip.media.string()) != std::string::npos && what.find(problem) != std::string::npos, what.c_str());
      }
    }
  }
};
SOUNDSPOT_TEST(TestClipDiskCache)
#include "test_clip_disk_cache.moc"
