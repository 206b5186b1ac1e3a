#include "apps/cdpd/database_bootstrap.hpp"

#include <cstdlib>
#include <thread>
#include <unistd.h>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::app {

namespace {

/// Pause between start-up attempts to reach PostgreSQL.
constexpr auto startup_retry_interval = std::chrono::milliseconds{250};

} // namespace

std::string state_directory(const config::settings& s) {
  if (!s.state.dir.empty())
    return s.state.dir;
  if (::geteuid() == 0)
    return "/var/lib/cdpd";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.local/state/cdpd";
}

caf::expected<database> open_database(const config::settings& s) {
  database db;
  if (s.postgres.url.empty()) {
    storage::embedded_postgres_options options;
    options.state_dir = state_directory(s);
    options.port = s.postgres.embedded_port;
    auto started = storage::embedded_postgres::start(options);
    if (!started)
      return std::move(started.error());
    db.embedded = std::move(*started);
    db.write_url = db.embedded->url();
    spdlog::info("embedded PostgreSQL running: data in {}, Unix socket only "
                 "(number {}), role cdpd",
                 db.embedded->data_dir().string(), db.embedded->port());
  } else {
    db.write_url = s.postgres.url;
  }
  return db;
}

storage::pg_pool_options one_off_pool_options(const config::settings& s,
                                              const database& db,
                                              std::string name) {
  auto options = storage::write_pool_options(s.postgres, db.write_url);
  options.name = std::move(name);
  options.size = 1;
  options.statement_timeout = config::millis{0};
  return options;
}

caf::expected<void> wait_and_migrate(const config::settings& s,
                                     const database& db) {
  storage::pg_pool pool{one_off_pool_options(s, db, "migrate"), nullptr};
  auto deadline = std::chrono::steady_clock::now() + s.postgres.startup_timeout;
  for (int attempt = 1;; ++attempt) {
    auto probe = pool.run(
        [](pqxx::connection& c) {
          pqxx::nontransaction tx{c};
          tx.exec("SELECT 1");
          return 1;
        },
        true);
    if (probe)
      break;
    if (std::chrono::steady_clock::now() >= deadline)
      return std::move(probe.error());
    if (attempt == 1)
      spdlog::warn("waiting up to {} ms for PostgreSQL: {}",
                   s.postgres.startup_timeout.count(),
                   storage::describe(probe.error()));
    std::this_thread::sleep_for(startup_retry_interval);
  }
  auto report = pool.run([](pqxx::connection& c) {
    return storage::migrate(c, storage::embedded_migrations());
  });
  if (!report)
    return std::move(report.error());
  auto& applied = report->applied;
  if (applied.empty())
    spdlog::info("schema up to date ({} migrations)", report->already_applied);
  else
    spdlog::info("applied {} migrations, {} were already applied",
                 applied.size(), report->already_applied);
  return caf::expected<void>{};
}

} // namespace cdpd::app
