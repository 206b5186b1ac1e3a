#include "storage/embedded_postgres.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
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
constexpr const char* app_role = "cdpd";
constexpr const char* superuser = "postgres";
constexpr auto initdb_timeout = 120s;
constexpr auto stop_timeout = 30s;
constexpr auto kill_timeout = 10s;
constexpr auto ping_interval = 50ms;
constexpr uint16_t default_socket_port = 5432;
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
  spec.argv = {(bin / "initdb").string(), "-D", data_dir.string(),
               // No server runs until start() has written its own
               // pg_hba.conf; nothing may log in before that.
               "-A", "reject", "-U", "postgres", "-E", "UTF8",
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

struct start_attempt {
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
  // No TCP at all: the only way in is the socket inside the 0700 data
  // folder, which only the server's account (and root) can enter.
  spec.argv = {(bin / "postgres").string(),
               "-D",
               data_dir.string(),
               "-p",
               std::to_string(port),
               "-c",
               "listen_addresses=",
               "-k",
               data_dir.string(),
               "-c",
               "unix_socket_permissions=0700",
               "-c",
               "password_encryption=scram-sha-256",
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
  auto ping_conninfo = "host=" + quoted(data_dir.string()) +
                       " port=" + std::to_string(port) +
                       " dbname=postgres connect_timeout=2";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto status = internal::wait_for_exit(*pid, 0ms)) {
      result.pid = 0;
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
      result.error =
          failed("PostgreSQL exited during start-up (" +
                 internal::describe_wait_status(*status) + "); last lines of " +
                 log_file.string() + ":" + tail(log_file, offset));
      return result;
    }
    if (PQping(ping_conninfo.c_str()) == PQPING_OK)
      return result;
    if (std::chrono::steady_clock::now() >= deadline) {
      stop_process(*pid);
      result.pid = 0;
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

/// pg_hba.conf, rewritten before every start so an old data folder (trust
/// on TCP) is upgraded too. `bootstrap` lets only the superuser in without
/// a password, through the private socket, while start() sets the
/// passwords: whoever can reach that socket can read the data files anyway.
caf::error write_hba(const fs::path& data_dir, bool bootstrap,
                     const std::optional<internal::account>& as) {
  auto fd = open_log(data_dir / "pg_hba.conf", true, as);
  if (!fd)
    return std::move(fd.error());
  std::string text = "# Written by cdpd at every start; edits are lost.\n";
  text += bootstrap ? "local all postgres trust\n"
                    : "local all all scram-sha-256\n";
  bool ok = ::write(*fd, text.data(), text.size()) ==
            static_cast<ssize_t>(text.size());
  ::close(*fd);
  if (!ok)
    return failed("cannot write " + (data_dir / "pg_hba.conf").string());
  return {};
}

std::string conninfo(const fs::path& data_dir, uint16_t port,
                     const std::string& user, const std::string& dbname,
                     const fs::path& passfile) {
  return "host=" + quoted(data_dir.string()) + " port=" + std::to_string(port) +
         " dbname=" + dbname + " user=" + user +
         " passfile=" + quoted(passfile.string());
}

caf::expected<std::string> random_password() {
  unsigned char bytes[24];
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
    return failed(std::string{"no random bytes for a password: "} +
                  std::strerror(errno));
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  for (auto b : bytes) {
    text += digits[b >> 4];
    text += digits[b & 15];
  }
  return text;
}

/// Hands every object the superuser owns in the current database to the
/// application role (data folders from before the role existed).
constexpr const char* hand_over_objects = R"sql(
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace
           WHERE nspowner = 'postgres'::regrole
             AND nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO cdpd', r.nspname);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS name,
                  CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                    WHEN 'm' THEN 'MATERIALIZED VIEW'
                    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relowner = 'postgres'::regrole
             AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
             AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
             -- serial and identity sequences follow their table
             AND NOT EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_class'::regclass
                               AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO cdpd', r.kind, r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE p.proowner = 'postgres'::regrole
             AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO cdpd', r.name);
  END LOOP;
  FOR r IN SELECT t.oid::regtype AS name
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE t.typowner = 'postgres'::regrole AND t.typtype IN ('e', 'd')
             AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO cdpd', r.name);
  END LOOP;
END $$)sql";

/// Gives the superuser a password, creates (or resets) the application
/// role, makes it the owner of database cdpd and everything in it, and only
/// then writes both passwords to `passfile` (0600, libpq's .pgpass format),
/// so an interrupted run is simply repeated at the next start.
caf::error set_up_roles(const fs::path& data_dir, uint16_t port,
                        const fs::path& passfile) {
  auto su_password = random_password();
  auto app_password = random_password();
  if (!su_password)
    return std::move(su_password.error());
  if (!app_password)
    return std::move(app_password.error());
  try {
    auto base = "host=" + quoted(data_dir.string()) +
                " port=" + std::to_string(port) + " user=" + superuser;
    {
      pqxx::connection conn{base + " dbname=postgres"};
      pqxx::nontransaction tx{conn};
      auto role_sql = std::string{" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                                  "NOREPLICATION NOBYPASSRLS PASSWORD "} +
                      tx.quote(*app_password);
      if (tx.exec(std::string{"SELECT 1 FROM pg_roles WHERE rolname = "} +
                  tx.quote(app_role))
              .empty())
        tx.exec(std::string{"CREATE ROLE "} + app_role + role_sql);
      else
        tx.exec(std::string{"ALTER ROLE "} + app_role + role_sql);
      if (tx.exec(std::string{"SELECT 1 FROM pg_database WHERE datname = "} +
                  tx.quote(database_name))
              .empty())
        tx.exec(std::string{"CREATE DATABASE "} + database_name + " OWNER " +
                app_role);
      else
        tx.exec(std::string{"ALTER DATABASE "} + database_name + " OWNER TO " +
                app_role);
      tx.exec(std::string{"ALTER ROLE "} + superuser + " PASSWORD " +
              tx.quote(*su_password));
    }
    pqxx::connection conn{base + " dbname=" + database_name};
    pqxx::nontransaction tx{conn};
    tx.exec(hand_over_objects);
  } catch (const std::exception& e) {
    return failed("cannot set up the roles of the embedded PostgreSQL: " +
                  internal::one_line(e.what()));
  }
  auto temp = passfile;
  temp += ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return failed("cannot write " + temp.string() + ": " +
                  std::strerror(errno));
  auto text = std::string{"*:*:*:"} + superuser + ":" + *su_password +
              "\n*:*:*:" + app_role + ":" + *app_password + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), passfile.c_str()) != 0)
    return failed("cannot write " + passfile.string() + ": " +
                  std::strerror(errno));
  return {};
}

/// Makes the server read the final pg_hba.conf and waits until a login
/// without a password is refused.
caf::error lock_down(const std::string& superuser_conninfo,
                     std::chrono::steady_clock::time_point deadline) {
  try {
    pqxx::connection conn{superuser_conninfo};
    pqxx::nontransaction{conn}.exec("SELECT pg_reload_conf()");
  } catch (const std::exception& e) {
    return failed("cannot reload the embedded PostgreSQL's pg_hba.conf: " +
                  internal::one_line(e.what()));
  }
  auto without_password = superuser_conninfo + " passfile=/nonexistent/pgpass";
  for (;;) {
    auto* conn = PQconnectdb(without_password.c_str());
    bool refused = PQstatus(conn) != CONNECTION_OK;
    PQfinish(conn);
    if (refused)
      return {};
    if (std::chrono::steady_clock::now() >= deadline)
      return failed("the embedded PostgreSQL still lets the superuser in "
                    "without a password after reloading pg_hba.conf");
    std::this_thread::sleep_for(ping_interval);
  }
}

} // namespace

embedded_postgres::embedded_postgres(fs::path data_dir, fs::path passfile,
                                     uint16_t port, pid_t pid)
    : data_dir_(std::move(data_dir)), passfile_(std::move(passfile)),
      port_(port), pid_(pid) {}

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
  auto passfile = state_dir / "postgres.pgpass";
  bool fresh = !fs::exists(data_dir / "PG_VERSION", ec);
  if (fresh) {
    if (auto err = run_initdb(*bin, state_dir, data_dir, as))
      return err;
  }
  uint16_t port = options.port == 0 ? default_socket_port : options.port;
  // A server already on this folder would answer on the same socket; and
  // its pg_hba.conf must not be touched.
  if (fs::exists(data_dir / "postmaster.pid", ec) &&
      PQping(
          conninfo(data_dir, port, app_role, "postgres", passfile).c_str()) ==
          PQPING_OK)
    return failed("another PostgreSQL already runs on " + data_dir.string() +
                  " (is another cdpd using the same state.dir?); stop it or "
                  "choose another state.dir");
  bool set_up = fresh || !fs::exists(passfile, ec);
  if (auto err = write_hba(data_dir, set_up, as))
    return err;
  auto attempt = start_server(*bin, data_dir, port, options.start_timeout, as);
  if (attempt.error)
    return std::move(attempt.error);
  std::unique_ptr<embedded_postgres> server{
      new embedded_postgres(data_dir, passfile, port, attempt.pid)};
  if (set_up) {
    auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    if (auto err = set_up_roles(data_dir, port, passfile))
      return err; // the server's destructor stops it
    if (auto err = write_hba(data_dir, false, as))
      return err;
    if (auto err = lock_down(server->superuser_url(), deadline))
      return err;
  }
  return server;
}

std::string embedded_postgres::url() const {
  return conninfo(data_dir_, port_, app_role, database_name, passfile_);
}

std::string embedded_postgres::superuser_url() const {
  return conninfo(data_dir_, port_, superuser, "postgres", passfile_);
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
