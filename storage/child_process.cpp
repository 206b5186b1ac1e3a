#include "storage/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "storage/errc.hpp"

namespace cdpd::storage::internal {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds{10};

/// What the child reports through the close-on-exec pipe when it fails.
struct child_failure {
  int stage;
  int error;
};

constexpr int stage_setup = 1;
constexpr int stage_switch_user = 2;
constexpr int stage_exec = 3;

const char* stage_name(int stage) {
  switch (stage) {
  case stage_switch_user:
    return "switching user";
  case stage_exec:
    return "exec";
  default:
    return "setting up the child";
  }
}

[[noreturn]] void child_fail(int pipe_fd, int stage) {
  child_failure failure{stage, errno};
  auto ignored = ::write(pipe_fd, &failure, sizeof failure);
  static_cast<void>(ignored);
  ::_exit(127);
}

/// Only async-signal-safe calls from here on: the parent may have threads.
bool become(const account& who) {
  return ::setgroups(who.groups.size(), who.groups.data()) == 0 &&
         ::setgid(who.gid) == 0 && ::setuid(who.uid) == 0;
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &dfl, nullptr);
}

void mark_descriptors_cloexec(int from, int open_max) {
  if (::close_range(static_cast<unsigned>(from), ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return;
  for (int fd = from; fd < open_max; ++fd)
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

} // namespace

caf::expected<account> lookup_account(const std::string& name) {
  std::vector<char> buffer(16 * 1024);
  passwd pw{};
  passwd* found = nullptr;
  int rc =
      ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
  if (rc != 0 || found == nullptr)
    return make_error(errc::embedded_failed,
                      "there is no user \"" + name + "\" on this system");
  account result{name, pw.pw_uid, pw.pw_gid, {}};
  int count = 32;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  while (::getgrouplist(name.c_str(), pw.pw_gid, groups.data(), &count) < 0)
    groups.resize(static_cast<std::size_t>(count));
  groups.resize(static_cast<std::size_t>(count));
  result.groups = std::move(groups);
  return result;
}

caf::expected<pid_t> spawn(const spawn_spec& spec) {
  // Everything the child needs is prepared here: after fork() it must not
  // allocate (another thread may hold the malloc lock).
  std::vector<char*> argv;
  for (const auto& arg : spec.argv)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  auto fail = [&](const std::string& what) {
    return make_error(errc::embedded_failed,
                      "cannot start " + spec.argv.front() + ": " + what);
  };
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0)
    return fail(std::string{"open /dev/null: "} + std::strerror(errno));
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(devnull);
    return fail(std::string{"pipe: "} + std::strerror(errno));
  }
  int output = spec.output_fd >= 0 ? spec.output_fd : devnull;
  auto open_max =
      static_cast<int>(std::min<long>(::sysconf(_SC_OPEN_MAX), 65536));
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(devnull);
    ::close(report[0]);
    ::close(report[1]);
    return fail(std::string{"fork: "} + std::strerror(err));
  }
  if (pid == 0) {
    ::close(report[0]);
    if (spec.own_process_group && ::setpgid(0, 0) != 0)
      child_fail(report[1], stage_setup);
    if (::dup2(devnull, STDIN_FILENO) < 0 ||
        ::dup2(output, STDOUT_FILENO) < 0 || ::dup2(output, STDERR_FILENO) < 0)
      child_fail(report[1], stage_setup);
    if (spec.run_as && !become(*spec.run_as))
      child_fail(report[1], stage_switch_user);
    // After the user switch: changing credentials clears the death signal.
    if (spec.die_with_parent) {
      if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        child_fail(report[1], stage_setup);
      if (::getppid() != parent)
        ::_exit(1);
    }
    reset_signals();
    if (::chdir("/") != 0)
      child_fail(report[1], stage_setup);
    mark_descriptors_cloexec(STDERR_FILENO + 1, open_max);
    ::execv(argv[0], argv.data());
    child_fail(report[1], stage_exec);
  }
  ::close(report[1]);
  ::close(devnull);
  child_failure failure{};
  ssize_t got;
  do {
    got = ::read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return fail(std::string{stage_name(failure.stage)} + ": " +
                std::strerror(failure.error));
  }
  return pid;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t rc = ::waitpid(pid, &status, WNOHANG);
    if (rc == pid)
      return status;
    // ECHILD: someone else reaped it (or SIGCHLD is ignored); it is gone.
    if (rc < 0 && errno != EINTR)
      return 0;
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(poll_interval);
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

bool can_access_as(const account& who, const std::filesystem::path& path,
                   int mode) {
  std::string target = path.string();
  pid_t pid = ::fork();
  if (pid < 0)
    return false;
  if (pid == 0) {
    if (!become(who))
      ::_exit(2);
    ::_exit(::access(target.c_str(), mode) == 0 ? 0 : 1);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace cdpd::storage::internal
