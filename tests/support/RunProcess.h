#pragma once
// Runs a program as a user would (the built soundspot-cli, an installed
// copy, a packaging tool) and keeps what it printed and how it ended.
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <string>

namespace soundspot::test {

struct ProcessResult {
  int exitCode = -1;
  bool crashed = false;   // killed by a signal, or by the timeout
  std::string out, err;
};

inline ProcessResult runProgram(const QString& program, const QStringList& args, int timeoutMs = 120000,
                                const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
                                const QString& workingDir = {}) {
  QProcess p;
  p.setProcessEnvironment(env);
  if (!workingDir.isEmpty()) p.setWorkingDirectory(workingDir);
  p.start(program, args);
  ProcessResult r;
  const bool finished = p.waitForFinished(timeoutMs);
  if (!finished) {
    p.kill();
    p.waitForFinished();
  }
  r.crashed = !finished || p.exitStatus() != QProcess::NormalExit;
  r.exitCode = p.exitCode();
  r.out = p.readAllStandardOutput().toStdString();
  r.err = p.readAllStandardError().toStdString();
  return r;
}

#ifdef SOUNDSPOT_CLI_PATH
inline ProcessResult runCli(const QStringList& args, int timeoutMs = 120000) {
  return runProgram(QStringLiteral(SOUNDSPOT_CLI_PATH), args, timeoutMs);
}
#endif

}  // namespace soundspot::test
