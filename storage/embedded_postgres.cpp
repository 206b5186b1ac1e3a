#include "storage/embedded_postgres.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include <libpq-fe.h>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "storage/child_process.hpp"
#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"

namespace cdpd::storage {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* binaries_root = "/usr/lib/postgresql";
constexpr const char* database_name = "cdpd";
constexpr auto initdb_timeout = 120s;
constexpr auto stop_timeout = 30s;
constexpr auto kill_timeout = 10s;
constexpr auto ping_interval = 50ms;
constexpr int port_attempts = 5;
constexpr std::size_t quoted_log_lines = 15;

caf::error failed(std::string text) {
  return make_error(errc::embedded_failed, std::move(text));
}

/// "15" -> {15}, "9.6" -> {9, 6}; nullopt for anything else.
std::optional<std::vector<int>> parse_version(const std::string& text) {
  std::vector<int> parts;
  int current = -1;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      current = (current < 0 ? 0 : current * 10) + (c - '0');
    } else if (c == '.' && current >= 0) {
      parts.push_back(current);
      current = -1;
    } else {
      return std::nullopt;
    }
  }
  if (current < 0)
    return std::nullopt;
  parts.push_back(current);
  return parts;
}

bool is_executable(const fs::path& file) {
  return ::access(file.c_str(), X_OK) == 0;
}

caf::expected<fs::path> find_binaries() {
  std::optional<std::vector<int>> best_version;
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator{binaries_root, ec}) {
    auto version = parse_version(entry.path().filename().string());
    auto bin = entry.path() / "bin";
    if (!version || !is_executable(bin / "postgres") ||
        !is_executable(bin / "initdb"))
      continue;
    if (!best_version || *version > *best_version) {
      best_version = version;
      best = bin;
    }
  }
  if (!best_version)
    return failed(std::string{"no PostgreSQL server binaries under "} +
                  binaries_root +
                  "/*/bin; install them (apt-get install postgresql) or "
                  "set postgres.url to an existing server");
  return best;
}

bool can_bind(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

caf::expected<uint16_t> pick_port() {
  // Below 32768, the kernel's ephemeral range, so client sockets in
  // TIME_WAIT never block the server's port.
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> dist(20000, 32000);
  for (int i = 0; i < 200; ++i) {
    auto port = static_cast<uint16_t>(dist(rng));
    if (can_bind(port))
      return port;
  }
  return failed("no free port on 127.0.0.1 in 20000-32000");
}

std::uintmax_t file_size_or_zero(const fs::path& file) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

/// The last lines written to `file` after byte `offset`.
std::string tail(const fs::path& file, std::uintmax_t offset) {
  std::ifstream in{file};
  if (!in)
    return "(no log at " + file.string() + ")";
  in.seekg(static_cast<std::streamoff>(offset));
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (lines.size() > quoted_log_lines)
      lines.pop_front();
  }
  if (lines.empty())
    return "(" + file.string() + " is empty)";
  std::string text;
  for (const auto& l : lines)
    text += "\n  " + l;
  return text;
}

std::string read_from(const fs::path& file, std::uintmax_t offset) {
  std::ifstream in{file};
  in.seekg(static_cast<std::streamoff>(offset));
  return {std::istreambuf_iterator<char>{in}, {}};
}

/// A conninfo value in single quotes with \ and ' escaped.
std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "'";
}

/// Opens (creating) a log file for a child's output, owned by the account
/// the child runs as so it could also reopen it.
caf::expected<int> open_log(const fs::path& file, bool truncate,
                            const std::optional<internal::account>& owner) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND);
  int fd = ::open(file.c_str(), flags, 0600);
  if (fd < 0)
    return failed("cannot open " + file.string() + ": " + std::strerror(errno));
  if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) {
    int err = errno;
    ::close(fd);
    return failed("cannot hand " + file.string() + " to user " + owner->name +
                  ": " + std::strerror(err));
  }
  return fd;
}

caf::error run_initdb(const fs::path& bin, const fs::path& state_dir,
                      const fs::path& data_dir,
                      const std::optional<internal::account>& as) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    return failed("cannot create " + data_dir.string() + ": " + ec.message());
  if (::chmod(data_dir.c_str(), 0700) != 0 ||
      (as && ::chown(data_dir.c_str(), as->uid, as->gid) != 0))
    return failed("cannot prepare " + data_dir.string() + ": " +
                  std::strerror(errno));
  auto log_file = state_dir / "postgres-initdb.log";
  auto log = open_log(log_file, true, std::nullopt);
  if (!log)
    return std::move(log.error());
  internal::spawn_spec spec;
  spec.argv = {(bin / "initdb").string(),
               "-D",
               data_dir.string(),
               "-A",
               "trust",
               "-U",
               "postgres",
               "-E",
               "UTF8",
               "--locale=C.UTF-8"};
  spec.output_fd = *log;
  spec.run_as = as;
  spec.die_with_parent = true;
  auto pid = internal::spawn(spec);
  ::close(*log);
  if (!pid)
    return std::move(pid.error());
  auto status = internal::wait_for_exit(*pid, initdb_timeout);
  if (!status) {
    ::kill(*pid, SIGKILL);
    internal::wait_for_exit(*pid, kill_timeout);
    return failed("initdb did not finish within " +
                  std::to_string(initdb_timeout.count()) + " s; see " +
                  log_file.string());
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
    return failed("initdb " + data_dir.string() + " failed (" +
                  internal::describe_wait_status(*status) +
                  "); last lines of " + log_file.string() + ":" +
                  tail(log_file, 0));
  return {};
}

void stop_process(pid_t pid) {
  ::kill(pid, SIGINT);
  if (internal::wait_for_exit(pid, stop_timeout))
    return;
  ::kill(pid, SIGKILL);
  internal::wait_for_exit(pid, kill_timeout);
}

enum class start_outcome { ready, port_taken, failed };

struct start_attempt {
  start_outcome outcome = start_outcome::failed;
  pid_t pid = 0;
  caf::error error;
};

start_attempt start_server(const fs::path& bin, const fs::path& data_dir,
                           uint16_t port, std::chrono::milliseconds timeout,
                           const std::optional<internal::account>& as) {
  start_attempt result;
  auto log_file = data_dir / "server.log";
  auto offset = file_size_or_zero(log_file);
  auto log = open_log(log_file, false, as);
  if (!log) {
    result.error = std::move(log.error());
    return result;
  }
  internal::spawn_spec spec;
  spec.argv = {(bin / "postgres").string(),
               "-D",
               data_dir.string(),
               "-p",
               std::to_string(port),
               "-c",
               "listen_addresses=127.0.0.1",
               "-k",
               data_dir.string(),
               "-c",
               "fsync=on"};
  spec.output_fd = *log;
  spec.run_as = as;
  spec.die_with_parent = true;
  spec.own_process_group = true;
  auto pid = internal::spawn(spec);
  ::close(*log);
  if (!pid) {
    result.error = std::move(pid.error());
    return result;
  }
  result.pid = *pid;
  // Ping through the Unix socket in our own data folder: only our server
  // can answer there, whatever else listens on the TCP port.
  auto ping_conninfo = "host=" + quoted(data_dir.string()) +
                       " port=" + std::to_string(port) +
                       " user=postgres dbname=postgres connect_timeout=2";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = internal::wait_for_exit(*pid, 0ms)) {
      auto written = read_from(log_file, offset);
      if (written.find("lock file \"postmaster.pid\" already exists") !=
          std::string::npos) {
        result.error = failed(
            "another PostgreSQL already runs on " + data_dir.string() +
            " (is another cdpd using the same state.dir?); stop it or choose "
            "another state.dir. Last lines of server.log:" +
            tail(log_file, offset));
        return result;
      }
      if (written.find("could not bind") != std::string::npos ||
          written.find("could not create any TCP/IP sockets") !=
              std::string::npos) {
        result.outcome = start_outcome::port_taken;
        result.error = failed("port " + std::to_string(port) +
                              " on 127.0.0.1 is taken; last lines of "
                              "server.log:" +
                              tail(log_file, offset));
        return result;
      }
      result.error =
          failed("PostgreSQL exited during start-up (" +
                 internal::describe_wait_status(*status) + "); last lines of " +
                 log_file.string() + ":" + tail(log_file, offset));
      return result;
    }
    if (PQping(ping_conninfo.c_str()) == PQPING_OK) {
      result.outcome = start_outcome::ready;
      return result;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      stop_process(*pid);
      result.error =
          failed("PostgreSQL did not accept connections within " +
                 std::to_string(timeout.count()) +
                 " ms (raise postgres.startup-timeout?); last lines of " +
                 log_file.string() + ":" + tail(log_file, offset));
      return result;
    }
    std::this_thread::sleep_for(ping_interval);
  }
}

caf::error create_database(const fs::path& data_dir, uint16_t port) {
  try {
    pqxx::connection conn{"host=" + quoted(data_dir.string()) +
                          " port=" + std::to_string(port) +
                          " user=postgres dbname=postgres"};
    pqxx::nontransaction tx{conn};
    auto found = tx.exec(std::string{"SELECT 1 FROM pg_database "
                                     "WHERE datname = '"} +
                         database_name + "'");
    if (found.empty())
      tx.exec(std::string{"CREATE DATABASE "} + database_name);
    return {};
  } catch (const std::exception& e) {
    return failed(
        std::string{"cannot create database "} + database_name +
        " in the embedded PostgreSQL: " + internal::one_line(e.what()));
  }
}

} // namespace

embedded_postgres::embedded_postgres(fs::path data_dir, uint16_t port,
                                     pid_t pid)
    : data_dir_(std::move(data_dir)), port_(port), pid_(pid) {}

embedded_postgres::~embedded_postgres() {
  stop();
}

caf::expected<std::unique_ptr<embedded_postgres>>
embedded_postgres::start(embedded_postgres_options options) {
  if (options.state_dir.empty())
    return failed("no state folder given for the embedded PostgreSQL");
  std::error_code ec;
  auto state_dir = fs::absolute(options.state_dir, ec);
  if (ec)
    return failed("cannot resolve " + options.state_dir.string() + ": " +
                  ec.message());
  if (!fs::exists(state_dir, ec)) {
    fs::create_directories(state_dir, ec);
    if (ec)
      return failed("cannot create state folder " + state_dir.string() + ": " +
                    ec.message());
    // PostgreSQL may run as another user: it must be able to enter.
    fs::permissions(state_dir, fs::perms{0755}, ec);
  }
  auto bin = find_binaries();
  if (!bin)
    return std::move(bin.error());
  std::optional<internal::account> as;
  if (::geteuid() == 0) {
    auto pg_user = internal::lookup_account("postgres");
    if (!pg_user)
      return failed("cdpd runs as root and PostgreSQL refuses to, but there "
                    "is no \"postgres\" user to run it as; install the "
                    "postgresql package or run cdpd as a normal user");
    if (!internal::can_access_as(*pg_user, state_dir, X_OK))
      return failed("the postgres user cannot reach the state folder " +
                    state_dir.string() +
                    " (it or a parent folder is not searchable by that "
                    "user, e.g. under /root or a 0700 temporary folder); "
                    "choose one it can reach, e.g. state.dir=/var/lib/cdpd");
    as = std::move(*pg_user);
  }
  auto data_dir = state_dir / "postgres";
  if (!fs::exists(data_dir / "PG_VERSION", ec)) {
    if (auto err = run_initdb(*bin, state_dir, data_dir, as))
      return err;
  }
  int attempts = options.port == 0 ? port_attempts : 1;
  caf::error last_error;
  for (int i = 0; i < attempts; ++i) {
    uint16_t port = options.port;
    if (port == 0) {
      auto picked = pick_port();
      if (!picked)
        return std::move(picked.error());
      port = *picked;
    }
    auto attempt =
        start_server(*bin, data_dir, port, options.start_timeout, as);
    if (attempt.outcome == start_outcome::ready) {
      std::unique_ptr<embedded_postgres> server{
          new embedded_postgres(data_dir, port, attempt.pid)};
      if (auto err = create_database(data_dir, port))
        return err; // the server's destructor stops it
      return server;
    }
    last_error = std::move(attempt.error);
    if (attempt.outcome != start_outcome::port_taken)
      break;
  }
  return last_error;
}

std::string embedded_postgres::url() const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" +
         database_name;
}

bool embedded_postgres::running() {
  if (exited_ || pid_ <= 0)
    return false;
  if (internal::wait_for_exit(pid_, 0ms))
    exited_ = true;
  return !exited_;
}

void embedded_postgres::stop() {
  if (exited_ || pid_ <= 0)
    return;
  stop_process(pid_);
  exited_ = true;
}

} // namespace cdpd::storage
