// Atomic writes of files and folders: the old version stays whole until the
// new one replaces it, a failed write leaves nothing behind, and what a
// killed writer left (name.tmp-PID-N of a process that is gone) is cleared.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

using namespace soundspot;
namespace fs = std::filesystem;

namespace {

// A process id that no longer runs (a child that has exited and been reaped).
pid_t deadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

int temporaries(const fs::path& folder) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(folder))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

}  // namespace

class TestAtomicFile : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void folderIsReplacedKeepingOtherFiles() {
    const fs::path root = test::freshTempDir("atomic");
    const fs::path dir = root / "model";
    fs::create_directories(dir / "checkpoint");
    writeFileAtomically(dir / "weights.bin", "old");
    writeFileAtomically(dir / "metrics.jsonl", "{}\n");
    writeFileAtomically(dir / "checkpoint" / "state.json", "{\"step\":4}");
    writeFolderAtomically(dir, "model folder", [](const fs::path& tmp) { writeFileAtomically(tmp / "weights.bin", "new"); },
                          OtherFiles::Keep);
    QCOMPARE(readFile(dir / "weights.bin"), std::string("new"));
    QCOMPARE(readFile(dir / "metrics.jsonl"), std::string("{}\n"));
    QCOMPARE(readFile(dir / "checkpoint" / "state.json"), std::string("{\"step\":4}"));
    QCOMPARE(temporaries(root), 0);
    // Without Keep only what the writer wrote is there.
    writeFolderAtomically(dir, "model folder", [](const fs::path& tmp) { writeFileAtomically(tmp / "weights.bin", "newer"); });
    QVERIFY(!fs::exists(dir / "metrics.jsonl") && !fs::exists(dir / "checkpoint"));
    QCOMPARE(temporaries(root), 0);
  }

  void aFailedWriteLeavesTheOldVersionAndNoTemporary() {
    const fs::path root = test::freshTempDir("atomic");
    const fs::path dir = root / "index";
    writeFolderAtomically(dir, "index", [](const fs::path& tmp) { writeFileAtomically(tmp / "a", "1"); });
    bool threw = false;
    try {
      writeFolderAtomically(dir, "index", [](const fs::path& tmp) {
        writeFileAtomically(tmp / "a", "2");
        throw Error((tmp / "b").string(), "disk full");
      });
    } catch (const Error&) {
      threw = true;
    }
    QVERIFY(threw);
    QCOMPARE(readFile(dir / "a"), std::string("1"));
    QCOMPARE(temporaries(root), 0);
  }

  void whatAKilledWriterLeftIsCleared() {
    const fs::path root = test::freshTempDir("atomic");
    const std::string dead = std::to_string(deadPid()), alive = std::to_string(::getppid());
    fs::create_directories(root / ("checkpoint.tmp-" + dead + "-0"));
    writeFileAtomically(root / ("checkpoint.tmp-" + dead + "-0") / "half.bin", "x");
    fs::create_directories(root / ("checkpoint.tmp-" + alive + "-0"));  // another live writer's: left alone
    writeFileAtomically(root / ("card.json.tmp-" + dead + "-7"), "half");
    writeFolderAtomically(root / "checkpoint", "checkpoint", [](const fs::path& tmp) { writeFileAtomically(tmp / "s", "1"); });
    writeFileAtomically(root / "card.json", "{}");
    QVERIFY(!fs::exists(root / ("checkpoint.tmp-" + dead + "-0")));
    QVERIFY(!fs::exists(root / ("card.json.tmp-" + dead + "-7")));
    QVERIFY(fs::exists(root / ("checkpoint.tmp-" + alive + "-0")));
    QCOMPARE(readFile(root / "checkpoint" / "s"), std::string("1"));
  }
};

SOUNDSPOT_TEST(TestAtomicFile)
#include "test_atomic_file.moc"
