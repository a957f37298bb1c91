// The class mapping file parser (core/data/ClassMapping.h): the project's own
// file, and malformed files (the fuzzer's findings among them) rejected with
// an Error naming the file, the class and the item.
#include "core/common/AtomicFile.h"
#include "core/common/Error.h"
#include "core/data/ClassMapping.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

using namespace soundspot;
using namespace soundspot::data;

namespace {

const std::filesystem::path kSource = SOUNDSPOT_SOURCE_DIR;

void expectError(const std::string& text, const std::string& mustMention) {
  try {
    parseClassMapping(text, "classes.json");
  } catch (const Error& e) {
    const std::string what = e.what();
    QVERIFY2(what.find("classes.json") != std::string::npos, what.c_str());
    QVERIFY2(what.find(mustMention) != std::string::npos, what.c_str());
    return;
  }
  QFAIL(("accepted: " + text).c_str());
}

std::string oneItem(const std::string& item) { return R"({"classes": {"Dog": [)" + item + "]}}"; }

}  // namespace

class TestClassMapping : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesTheProjectFile() {
    const auto mapping = readClassMapping(kSource / "resources/data/object-classes.json");
    QVERIFY(mapping.classes.size() >= 25);
    size_t soundfonts = 0;
    for (const auto& [label, items] : mapping.classes) {
      QVERIFY2(!items.empty(), label.c_str());
      for (const auto& it : items) {
        QVERIFY(it.kind == "pair" || it.kind == "image" || it.kind == "sound");
        if (it.source != "soundfont") continue;
        ++soundfonts;
        QVERIFY(it.entry.at("program").is_number_integer());
      }
    }
    QVERIFY(soundfonts > 0);
  }

  // fuzz_class_mapping's findings (tests/fuzz/regressions/fuzz_class_mapping):
  // each used to escape as a JSON library exception instead of an Error.
  void fuzzFindingsAreErrors() {
    const auto dir = kSource / "tests/fuzz/regressions/fuzz_class_mapping";
    int files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
      ++files;
      QVERIFY_THROWS_EXCEPTION(Error, parseClassMapping(readFile(f.path()), f.path().string()));
    }
    QVERIFY(files > 0);
    // The first finding, reduced: an entry whose "item" key was mangled.
    expectError(oneItem(R"({"source": "lmms", "kind": "sound", "i  tem": "drums/snare_acoustic01.ogg"})"),
                "class 'Dog' item 0: 'item' must be a string");
  }

  void malformedFilesNameClassAndItem() {
    expectError("[1, 2]", "missing 'classes' object");
    expectError(R"({"classes": {"Dog": {"source": "qabcs"}}})", "class 'Dog': must be a list");
    expectError(oneItem(R"("qabcs/dog")"), "item 0: must be an object");
    expectError(oneItem(R"({"source": 7, "kind": "pair", "item": "dog"})"), "'source' must be a string");
    expectError(oneItem(R"({"source": "qabcs", "kind": "both", "item": "dog"})"), "'kind' is 'both'");
    // SoundFont presets: the renderer allocates note_seconds x notes of audio.
    const std::string sf = R"({"source": "soundfont", "kind": "sound", "item": "x", "font": "F.sf2", )";
    expectError(oneItem(sf + R"("note_seconds": -1})"), "'note_seconds'");
    expectError(oneItem(sf + R"("program": 1e30})"), "'program'");
    expectError(oneItem(sf + R"("notes": [60, 300]})"), "'notes'");
    expectError(oneItem(R"({"source": "soundfont", "kind": "sound", "item": "x"})"), "'font'");
    expectError(oneItem(R"({"source": "qabcs", "kind": "pair", "item": "dog"}, {"source": "qabcs", "kind": "image", "item": "dog"})"),
                "'qabcs/dog' is listed twice");
    expectError(oneItem(R"({"source": "tuxpaint", "kind": "image", "item": "a/dog", "drawing": "yes"})"),
                "'drawing' must be true or false");
  }
};
SOUNDSPOT_TEST(TestClassMapping)
#include "test_class_mapping.moc"
