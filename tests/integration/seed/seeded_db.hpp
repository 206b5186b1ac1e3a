#pragma once

#include <string>

#include <pqxx/connection>

#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// A fresh database with every embedded migration applied and one open
/// connection; dropped when the object goes away.
class migrated_db {
public:
  /// Creates and migrates the database; throws when either fails.
  migrated_db();

  /// The open connection.
  pqxx::connection& conn() { return conn_; }

  /// The single value of a one-row, one-column query, as text ("" for NULL).
  std::string value(const std::string& sql);

  /// The single value of a one-row, one-column query, as an integer.
  long long count(const std::string& sql);

private:
  pg_test_db db_;
  pqxx::connection conn_;
};

} // namespace cdpd::test
