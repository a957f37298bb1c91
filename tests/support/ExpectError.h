#pragma once
// expectError(f, words): f must throw soundspot::Error whose message names
// `words` (a file, a field, the problem); a QtTest failure otherwise.
#include "core/common/Error.h"

#include <QtTest/QtTest>

#include <string>

namespace soundspot::test {

template <typename F>
void expectError(F&& f, const std::string& mustMention) {
  try {
    f();
  } catch (const Error& e) {
    QVERIFY2(std::string(e.what()).find(mustMention) != std::string::npos, e.what());
    return;
  }
  QFAIL(("no Error thrown (expected one mentioning " + mustMention + ")").c_str());
}

}  // namespace soundspot::test
