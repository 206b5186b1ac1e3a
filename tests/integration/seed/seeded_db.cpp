#include "tests/integration/seed/seeded_db.hpp"

#include <stdexcept>

#include <pqxx/nontransaction>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"

namespace cdpd::test {

migrated_db::migrated_db() : conn_{db_.conninfo()} {
  auto migrated = storage::migrate(conn_, storage::embedded_migrations());
  if (!migrated)
    throw std::runtime_error("migrate failed: " +
                             storage::describe(migrated.error()));
}

std::string migrated_db::value(const std::string& sql) {
  pqxx::nontransaction tx{conn_};
  auto field = tx.exec1(sql)[0];
  return field.is_null() ? std::string{} : field.as<std::string>();
}

long long migrated_db::count(const std::string& sql) {
  pqxx::nontransaction tx{conn_};
  return tx.exec1(sql)[0].as<long long>();
}

} // namespace cdpd::test
