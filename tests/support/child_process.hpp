#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cdpd::test {

/// A program started by a test: stdout and stderr go to one log file, the
/// process is killed (SIGKILL) if the test forgets to stop it.
class child_process {
public:
  /// Starts `argv[0]` with `argv`; `env` entries ("K=V") are added to the
  /// test's own environment. Throws std::runtime_error when it cannot start.
  child_process(std::vector<std::string> argv,
                std::vector<std::string> env = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const { return pid_; }

  /// Sends a signal (SIGTERM by default).
  void signal(int sig) const;

  /// Waits for the exit; the exit code, 128+signal when killed, or nullopt
  /// when it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  /// Everything the process printed so far.
  std::string output() const;

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_path_;
};

/// Polls `pred` every 50 ms until it holds or `timeout` passes.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout);

} // namespace cdpd::test

#include <thread>

template <class Pred>
bool cdpd::test::wait_until(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
}
