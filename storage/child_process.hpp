#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

/// Starting and reaping child processes for the embedded PostgreSQL. Private
/// to storage/.
namespace cdpd::storage::internal {

/// An account to run a child as, resolved before fork() because the child
/// may only call async-signal-safe functions.
struct account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups; ///< supplementary groups (as initgroups would)
};

/// Looks up a user and its groups. Fails with errc::embedded_failed.
caf::expected<account> lookup_account(const std::string& name);

/// What to start.
struct spawn_spec {
  std::vector<std::string> argv;  ///< argv[0] is an absolute path
  int output_fd = -1;             ///< stdout and stderr; -1: /dev/null
  std::optional<account> run_as;  ///< switch user (needs root)
  bool die_with_parent = false;   ///< SIGTERM when the spawning thread dies
  bool own_process_group = false; ///< keep terminal signals (Ctrl-C) away
};

/// Forks and execs `spec`. The child gets /dev/null as stdin, an empty
/// signal mask, default signal actions, "/" as working directory and no
/// inherited descriptors besides 0-2. Fails with errc::embedded_failed when
/// fork, the user switch or exec fails (the child is reaped then).
caf::expected<pid_t> spawn(const spawn_spec& spec);

/// Reaps `pid` if it has exited within `timeout` and returns its wait
/// status; std::nullopt while it still runs.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

/// "exit code 1" or "killed by signal 9" for a wait status.
std::string describe_wait_status(int status);

/// Whether `who` may access `path` with `mode` (e.g. X_OK), tested in a
/// short-lived child that takes on the account, so ACLs and groups count.
bool can_access_as(const account& who, const std::filesystem::path& path,
                   int mode);

} // namespace cdpd::storage::internal
