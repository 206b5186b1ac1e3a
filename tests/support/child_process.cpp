#include "tests/support/child_process.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cdpd::test {

child_process::child_process(std::vector<std::string> argv,
                             std::vector<std::string> env) {
  char tmpl[] = "/tmp/cdpd-child-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  log_path_ = tmpl;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fd, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The test runner may block signals; the child must see SIGTERM.
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> all_env;
  for (char** e = environ; *e != nullptr; ++e)
    all_env.emplace_back(*e);
  for (auto& e : env)
    all_env.push_back(e);
  std::vector<char*> envp;
  for (auto& e : all_env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  int rc =
      posix_spawn(&pid_, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fd);
  if (rc != 0)
    throw std::runtime_error("cannot start " + argv[0]);
}

child_process::~child_process() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::unlink(log_path_.c_str());
}

void child_process::signal(int sig) const {
  if (!status_)
    ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
  if (status_)
    return status_;
  auto done = wait_until(
      [&] {
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) != pid_)
          return false;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return true;
      },
      timeout);
  return done ? status_ : std::nullopt;
}

std::string child_process::output() const {
  std::ifstream in{log_path_};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace cdpd::test
