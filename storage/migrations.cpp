#include "storage/migrations.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <openssl/evp.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"

namespace cdpd::storage {

namespace {

/// pg_advisory_xact_lock key shared by every cdpd: the bytes of "cdpdmigr".
constexpr const char* migration_lock_key = "7161972884060596082";

constexpr std::size_t checksum_shown = 12;

std::string short_sum(const std::string& sum) {
  return sum.substr(0, checksum_shown) + "...";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

caf::error check_versions(const std::vector<migration>& migrations) {
  std::set<int> seen;
  for (const auto& m : migrations) {
    if (m.version < 1)
      return make_error(errc::migration_invalid, "migration \"" + m.name +
                                                     "\" has version " +
                                                     std::to_string(m.version) +
                                                     "; versions start at 1");
    if (!seen.insert(m.version).second)
      return make_error(errc::migration_invalid,
                        "two migrations share version " +
                            std::to_string(m.version) + " (one is " +
                            file_name(m) + "); renumber one of them");
  }
  return {};
}

} // namespace

std::string file_name(const migration& m) {
  char number[16];
  std::snprintf(number, sizeof number, "%04d", m.version);
  return std::string{number} + "_" + m.name + ".sql";
}

caf::expected<migration> parse_migration_file_name(std::string_view file) {
  auto bad = [&](const char* why) {
    return make_error(errc::migration_invalid,
                      "bad migration file name \"" + std::string{file} +
                          "\": " + why +
                          " (expected NNNN_name.sql, e.g. 0002_orders.sql)");
  };
  constexpr std::string_view suffix = ".sql";
  if (file.size() < 4 + 1 + 1 + suffix.size() ||
      file.substr(file.size() - suffix.size()) != suffix)
    return bad("too short or not ending in .sql");
  for (std::size_t i = 0; i < 4; ++i)
    if (file[i] < '0' || file[i] > '9')
      return bad("it must start with four digits");
  if (file[4] != '_')
    return bad("the four digits must be followed by '_'");
  auto name = file.substr(5, file.size() - 5 - suffix.size());
  if (!std::all_of(name.begin(), name.end(), is_name_char))
    return bad("the name may only hold a-z, 0-9 and '_'");
  migration result;
  result.version = std::stoi(std::string{file.substr(0, 4)});
  if (result.version == 0)
    return bad("version 0000 is reserved; start at 0001");
  result.name = std::string{name};
  return result;
}

caf::expected<std::vector<migration>>
load_migrations(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::vector<migration> result;
  std::error_code ec;
  fs::directory_iterator it{dir, ec};
  if (ec)
    return make_error(errc::migration_invalid,
                      "cannot read migrations folder " + dir.string() + ": " +
                          ec.message());
  for (const auto& entry : it) {
    // ".SQL" counts too, so a misnamed file is reported, not skipped.
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (ext != ".sql" || entry.is_directory(ec))
      continue;
    auto parsed = parse_migration_file_name(entry.path().filename().string());
    if (!parsed)
      return std::move(parsed.error());
    std::ifstream in{entry.path(), std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
      return make_error(errc::migration_invalid,
                        "cannot read migration " + entry.path().string());
    parsed->sql = text.str();
    result.push_back(std::move(*parsed));
  }
  if (auto err = check_versions(result))
    return err;
  std::sort(result.begin(), result.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  return result;
}

std::string sql_checksum(std::string_view sql) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(sql.data(), sql.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

caf::expected<migrate_report>
migrate(pqxx::connection& conn, const std::vector<migration>& migrations) {
  if (auto err = check_versions(migrations))
    return err;
  std::vector<const migration*> ordered;
  for (const auto& m : migrations)
    ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(),
            [](auto* a, auto* b) { return a->version < b->version; });
  migrate_report report;
  try {
    pqxx::work tx{conn, "cdpd_migrate"};
    tx.exec(std::string{"SELECT pg_advisory_xact_lock("} + migration_lock_key +
            ")");
    tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version int PRIMARY KEY,"
            " name text NOT NULL,"
            " checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
    std::map<int, std::string> recorded;
    for (const auto& row : tx.exec("SELECT version, checksum "
                                   "FROM schema_migrations"))
      recorded.emplace(row[0].as<int>(), row[1].as<std::string>());
    for (const auto* m : ordered) {
      auto sum = sql_checksum(m->sql);
      if (auto it = recorded.find(m->version); it != recorded.end()) {
        if (it->second != sum)
          return make_error(errc::migration_changed,
                            "migration " + file_name(*m) +
                                " was changed after it was applied (checksum " +
                                short_sum(sum) +
                                " != " + short_sum(it->second) +
                                "); restore the file or add a new migration");
        ++report.already_applied;
        continue;
      }
      try {
        tx.exec(m->sql);
      } catch (const pqxx::sql_error& e) {
        auto failure =
            internal::translate_pg_exception(std::current_exception());
        if (failure.discard_connection)
          return std::move(failure.error);
        std::string text =
            "migration " + file_name(*m) +
            " failed, nothing was applied: " + internal::one_line(e.what());
        if (!e.sqlstate().empty())
          text += " (SQLSTATE " + e.sqlstate() + ")";
        return make_error(errc::migration_failed, std::move(text));
      }
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) "
                     "VALUES ($1, $2, $3)",
                     m->version, m->name, sum);
      report.applied.push_back(m->version);
    }
    tx.commit();
  } catch (...) {
    return std::move(
        internal::translate_pg_exception(std::current_exception()).error);
  }
  return report;
}

} // namespace cdpd::storage
