// A plain folder of videos as training data: what is listed, how files are
// split (stably, by path), and the fingerprint that changes with the files.
#include "core/common/AtomicFile.h"
#include "core/data/MediaFolder.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <map>

using namespace soundspot;
using namespace soundspot::data;

namespace {

void touch(const std::filesystem::path& p, const std::string& bytes = "x") {
  std::filesystem::create_directories(p.parent_path());
  writeFileAtomically(p, bytes);
}

std::map<std::string, std::string> splits(const Dataset& ds) {
  std::map<std::string, std::string> out;
  for (const auto& c : ds.clips) out[c.id] = c.split;
  return out;
}

}  // namespace

class TestMediaFolder : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void listsVideosRecursivelyAndSkipsTheRest() {
    const auto dir = test::freshTempDir("media-folder");
    touch(dir / "a.mp4");
    touch(dir / "sub" / "deeper" / "b.MKV");
    touch(dir / ".hidden" / "c.mp4");
    touch(dir / ".d.mp4");
    touch(dir / "notes.txt");
    touch(dir / "out" / "e.mp4");
    const MediaListing l = listMediaFiles(dir, {dir / "out"});
    QCOMPARE(l.files.size(), size_t{2});
    QCOMPARE(l.files[0], dir / "a.mp4");
    QCOMPARE(l.files[1], dir / "sub" / "deeper" / "b.MKV");
    QCOMPARE(l.ignored, size_t{1});
    const Dataset ds = openDatasetOrFolder(dir, {dir / "out"});
    QVERIFY(ds.plainFolder);
    QCOMPARE(ds.clips[1].id, std::string("sub/deeper/b.MKV"));
    QCOMPARE(ds.source(), ds.dir);
  }

  void splitDependsOnThePathAloneSoAddingFilesMovesNothing() {
    const auto dir = test::freshTempDir("media-folder-split");
    for (int i = 0; i < 40; ++i) touch(dir / ("clip-" + std::to_string(i) + ".mp4"));
    const auto before = splits(folderDataset(dir));
    for (int i = 40; i < 120; ++i) touch(dir / "more" / ("clip-" + std::to_string(i) + ".mp4"));
    const auto after = splits(folderDataset(dir));
    QCOMPARE(after.size(), size_t{120});
    for (const auto& [id, split] : before) QCOMPARE(after.at(id), split);
    int val = 0;
    for (const auto& [id, split] : after) {
      QVERIFY(split == "train" || split == "val");
      val += split == "val";
    }
    // About 10 % validation (binomial: 12 expected; 3..25 is far outside 3 sigma).
    QVERIFY2(val >= 3 && val <= 25, std::to_string(val).c_str());
  }

  void fingerprintChangesWithTheFiles() {
    const auto dir = test::freshTempDir("media-folder-hash");
    touch(dir / "a.mp4", "aaaa");
    touch(dir / "b.mp4", "bbbb");
    const std::string h1 = fileListHash(folderDataset(dir));
    QCOMPARE(fileListHash(folderDataset(dir)), h1);
    touch(dir / "b.mp4", "bbbbbb");  // rewritten with another size
    const std::string h2 = fileListHash(folderDataset(dir));
    QVERIFY(h2 != h1);
    touch(dir / "c.mp4");
    QVERIFY(fileListHash(folderDataset(dir)) != h2);
  }

  void aDatasetFolderStaysADatasetFolder() {
    const auto dir = test::freshTempDir("media-folder-dataset");
    touch(dir / "a.mp4");
    touch(dir / "dataset.json", R"({"format": "soundspot-dataset/1", "clips": [{"id": "x", "media": "a.mp4", "split": "test"}]})");
    const Dataset ds = openDatasetOrFolder(dir);
    QVERIFY(!ds.plainFolder);
    QCOMPARE(ds.clips.size(), size_t{1});
    QCOMPARE(ds.clips[0].split, std::string("test"));
  }
};
SOUNDSPOT_TEST(TestMediaFolder)
#include "test_media_folder.moc"
