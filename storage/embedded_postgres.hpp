#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <caf/expected.hpp>

namespace cdpd::storage {

/// Where the embedded PostgreSQL keeps its data and how long it may take.
struct embedded_postgres_options {
  std::filesystem::path state_dir; ///< data goes to state_dir/postgres
  uint16_t port = 0; ///< names the socket file only (no TCP); 0: 5432
  std::chrono::milliseconds start_timeout{30'000};
};

/// A private PostgreSQL server run from the system's binaries
/// (/usr/lib/postgresql/<newest>/bin) as a child process of cdpd: the
/// zero-configuration database. Listens on no TCP port: only on a Unix
/// socket inside its 0700 data folder, with scram-sha-256 passwords. cdpd
/// connects as role `cdpd` (no superuser; owns database `cdpd`); the
/// passwords of `cdpd` and of the superuser `postgres` are random, kept in
/// state_dir/postgres.pgpass (0600, libpq's passfile format). A data folder
/// from before (trust, TCP, everything owned by `postgres`) is upgraded on
/// its first start: passwords set, role created, objects handed over.
///
/// As root, initdb and postgres run as the `postgres` user (PostgreSQL
/// refuses root), so the state folder must be reachable by that user.
/// The server gets SIGTERM when the thread that called start() ends (Linux
/// parent-death signal), so an orphan never outlives cdpd: call start() from
/// a thread that lives as long as the server (e.g. main).
/// Not thread-safe; owned by one component.
class embedded_postgres {
public:
  /// Finds the binaries, runs initdb on first use, starts the server, waits
  /// until it accepts connections; on first use (or without the password
  /// file) also sets up the roles and database `cdpd`, then locks it down.
  /// Fails with errc::embedded_failed saying why: no binaries, no
  /// `postgres` user, a state folder `postgres` cannot reach, initdb failed,
  /// another server already runs on this data folder, the server exited or
  /// did not answer within start_timeout (quoting server.log).
  static caf::expected<std::unique_ptr<embedded_postgres>>
  start(embedded_postgres_options options);

  /// Stops the server (see stop()).
  ~embedded_postgres();

  embedded_postgres(const embedded_postgres&) = delete;
  embedded_postgres& operator=(const embedded_postgres&) = delete;

  /// Keyword conninfo for role `cdpd` on database `cdpd` through the socket,
  /// with the password file (no password in the string itself).
  std::string url() const;

  /// The same for the superuser on database `postgres` (tests, repairs).
  std::string superuser_url() const;

  /// state_dir/postgres
  const std::filesystem::path& data_dir() const noexcept { return data_dir_; }

  /// The socket's number (its file is data_dir/.s.PGSQL.<port>).
  uint16_t port() const noexcept { return port_; }

  /// The postmaster's process id; stays readable after stop().
  pid_t pid() const noexcept { return pid_; }

  /// Whether the server process still runs (reaps it if it has exited).
  bool running();

  /// Fast shutdown: SIGINT, then waits up to 30 s for the server to exit,
  /// then SIGKILL. Idempotent.
  void stop();

private:
  embedded_postgres(std::filesystem::path data_dir,
                    std::filesystem::path passfile, uint16_t port, pid_t pid);

  std::filesystem::path data_dir_;
  std::filesystem::path passfile_;
  uint16_t port_;
  pid_t pid_;
  bool exited_ = false;
};

} // namespace cdpd::storage
