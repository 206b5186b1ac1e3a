#pragma once

#include <string>

#include <pqxx/connection>

#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// A fresh test database with every embedded migration applied, and one
/// connection to it. Fails the test when migrating fails.
class auth_test_db {
public:
  auth_test_db();

  /// The connection tests run their calls on.
  pqxx::connection& conn() { return conn_; }

  /// The conninfo of the database, for further connections.
  const std::string& conninfo() const { return db_.conninfo(); }

private:
  pg_test_db db_;
  pqxx::connection conn_;
};

} // namespace cdpd::test
