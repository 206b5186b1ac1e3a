#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/pg_pool.hpp"

/// Getting a PostgreSQL that cdpd can use: the configured one, or the
/// embedded one when `postgres.url` is empty; then the schema migrations.
namespace cdpd::app {

struct database {
  /// Set when cdpd runs its own PostgreSQL; stopping it is the owner's job.
  std::unique_ptr<storage::embedded_postgres> embedded;
  std::string write_url; ///< postgres.url, or the embedded server's
};

/// Pool options for one-off work on the primary (migrations, seeding): one
/// connection and no statement timeout, since that work may take minutes.
storage::pg_pool_options one_off_pool_options(const config::settings& s,
                                              const database& db,
                                              std::string name);

/// The state directory: `state.dir`, or /var/lib/cdpd as root, else
/// ~/.local/state/cdpd.
std::string state_directory(const config::settings& s);

/// Resolves the database, starting the embedded PostgreSQL if needed.
caf::expected<database> open_database(const config::settings& s);

/// Waits up to `postgres.startup-timeout` for the primary to answer, then
/// applies the embedded migrations under the advisory lock.
caf::expected<void> wait_and_migrate(const config::settings& s,
                                     const database& db);

} // namespace cdpd::app
