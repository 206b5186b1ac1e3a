#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// Versioned schema migrations: numbered SQL files applied in order, each
/// exactly once, recorded with a checksum in the table schema_migrations.
namespace cdpd::storage {

/// One migration file, e.g. 0001_nodes.sql -> {1, "nodes", "<sql>"}.
struct migration {
  int version = 0;  ///< the file's four-digit number, at least 1
  std::string name; ///< the part between "NNNN_" and ".sql"
  std::string sql;  ///< the file's contents, run as one script
};

/// What migrate() did.
struct migrate_report {
  std::vector<int> applied; ///< versions applied by this call, in order
  int already_applied = 0;  ///< migrations that were already recorded
};

/// The migrations compiled into this binary from storage/migrations/*.sql,
/// sorted by version.
std::vector<migration> embedded_migrations();

/// The file name a migration came from: "0001_nodes.sql".
std::string file_name(const migration& m);

/// Splits "0001_nodes.sql" into {1, "nodes", ""}. Names must be four digits
/// (not 0000), an underscore, [a-z0-9_]+, ".sql". Fails with
/// errc::migration_invalid naming the file and the rule.
caf::expected<migration> parse_migration_file_name(std::string_view file);

/// Reads every *.sql file in `dir` (any case; other files are ignored),
/// sorted by version. Fails with errc::migration_invalid when the folder
/// cannot be read, a .sql file is badly named, or two files share a version.
caf::expected<std::vector<migration>>
load_migrations(const std::filesystem::path& dir);

/// Lowercase hex SHA-256 of a migration's SQL, as stored in
/// schema_migrations.checksum.
std::string sql_checksum(std::string_view sql);

/// Brings the database up to date in ONE transaction: takes a fixed advisory
/// lock (concurrent callers wait, then find the work done), creates
/// schema_migrations if missing, then for each migration in version order
/// either checks the recorded checksum or runs the SQL and records it.
///
/// Fails, with nothing applied, with errc::migration_changed when an applied
/// file's checksum differs, errc::migration_failed naming the file and
/// PostgreSQL's message when a migration's SQL fails, errc::migration_invalid
/// for duplicate or non-positive versions, or the pool's connection errors
/// (errc::connection_lost, errc::query_failed, errc::statement_timeout).
/// Recorded versions unknown to `migrations` are left alone (a newer cdpd
/// applied them). Statements run under the connection's statement_timeout.
caf::expected<migrate_report> migrate(pqxx::connection& conn,
                                      const std::vector<migration>& migrations);

} // namespace cdpd::storage
