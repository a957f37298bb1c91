// The CPU's bf16 instructions read from /proc/cpuinfo: the trainer warns
// and `bench train` reports when bf16 autocast would be emulated.
#include "core/nn/Device.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <sstream>

using namespace soundspot;

namespace {

bool hasBf16(const std::string& cpuinfo) {
  std::istringstream in(cpuinfo);
  return nn::cpuinfoHasNativeBf16(in);
}

}  // namespace

class TestDevice : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void nativeBf16FromCpuinfo() {
    const std::string head = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n";
    QVERIFY(!hasBf16(head + "flags\t\t: fpu sse2 avx avx2 fma\nbugs\t\t: sysret_ss_attrs\n"));
    QVERIFY(hasBf16(head + "flags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"));
    QVERIFY(hasBf16(head + "flags\t\t: fpu avx2 amx_bf16 amx_tile\n"));
    // Whole flags only, and only the flags line.
    QVERIFY(!hasBf16(head + "flags\t\t: fpu avx512_bf16x avx2\n"));
    QVERIFY(!hasBf16(head + "model name\t: avx512_bf16 edition\nflags\t\t: fpu avx2\n"));
    QVERIFY(!hasBf16(""));
  }
};

SOUNDSPOT_TEST(TestDevice)
#include "test_device.moc"
