#pragma once
// One exception type for every user-facing failure: it names the file (or
// other subject) and the problem, so the CLI can print one clear line and the
// viewer can show it in a message box.
#include <stdexcept>
#include <string>

namespace soundspot {

class Error : public std::runtime_error {
 public:
  Error(std::string subject, std::string problem)
      : std::runtime_error(subject.empty() ? problem : subject + ": " + problem),
        subject_(std::move(subject)), problem_(std::move(problem)) {}
  const std::string& subject() const { return subject_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string subject_;
  std::string problem_;
};

// Bad arguments or input the user gave (exit code 2) vs failure while doing
// the work (exit code 1).
class UsageError : public Error {
 public:
  using Error::Error;
};

}  // namespace soundspot
