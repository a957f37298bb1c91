#pragma once
// Registers a Qt Test class so that the shared test main can run it by name:
//   class TestFoo : public QObject { Q_OBJECT ... };
//   SOUNDSPOT_TEST(TestFoo)          // at the start of a line, after the class
//   #include "test_foo.moc"
// `test_core_media TestFoo [qtest args]` runs one class; no argument runs all.
#include <QObject>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace soundspot::test {

using TestFactory = std::function<std::unique_ptr<QObject>()>;
struct TestEntry {
  std::string name;
  TestFactory make;
};
std::vector<TestEntry>& testRegistry();

struct TestRegistration {
  TestRegistration(const char* name, TestFactory f) { testRegistry().push_back({name, std::move(f)}); }
};

}  // namespace soundspot::test

#define SOUNDSPOT_TEST(Class)                                                  \
  static ::soundspot::test::TestRegistration soundspotTestReg_##Class(        \
      #Class, [] { return std::unique_ptr<QObject>(new Class); });
