// freeLoopbackPort hands out a port that can then be bound on 127.0.0.1.
#include "core/common/FreePort.h"
#include "tests/support/TestRegistry.h"

#include <QtTest/QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

class TestFreePort : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void portCanBeBound() {
    const int port = soundspot::freeLoopbackPort();
    QVERIFY2(port > 0 && port < 65536, std::to_string(port).c_str());
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(s >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const int bound = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::close(s);
    QCOMPARE(bound, 0);
  }
};

SOUNDSPOT_TEST(TestFreePort)
#include "test_free_port.moc"
