#include "storage/migrations.hpp"

#include <latch>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::storage {
namespace {

int count_rows(pqxx::connection& conn, const std::string& sql) {
  pqxx::work tx{conn};
  return tx.exec1(sql)[0].as<int>();
}

bool table_exists(pqxx::connection& conn, const std::string& table) {
  pqxx::work tx{conn};
  return tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0]
      .as<bool>();
}

std::vector<migration> three_tables() {
  return {{1, "alpha", "CREATE TABLE alpha (id int PRIMARY KEY);"},
          {2, "beta",
           "CREATE TABLE beta (id int PRIMARY KEY);\n"
           "INSERT INTO beta VALUES (1), (2);"},
          {3, "gamma", "CREATE TABLE gamma (id int);"}};
}

TEST(Migrate, AppliesEachMigrationOnceInVersionOrder) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = three_tables();
  std::swap(set[0], set[2]); // order of the input must not matter
  auto first = migrate(conn, set);
  ASSERT_TRUE(first) << describe(first.error());
  EXPECT_EQ(first->applied, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(first->already_applied, 0);
  EXPECT_EQ(count_rows(conn, "SELECT count(*) FROM beta"), 2);
  auto second = migrate(conn, set);
  ASSERT_TRUE(second) << describe(second.error());
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->already_applied, 3);
  EXPECT_EQ(count_rows(conn, "SELECT count(*) FROM beta"), 2);
  pqxx::work tx{conn};
  auto rows = tx.exec("SELECT version, name, checksum FROM schema_migrations "
                      "ORDER BY version");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][1].as<std::string>(), "beta");
  EXPECT_EQ(rows[1][2].as<std::string>(), sql_checksum(three_tables()[1].sql));
}

TEST(Migrate, AddsOnlyNewMigrations) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = three_tables();
  auto older = std::vector<migration>{set[0], set[1]};
  ASSERT_TRUE(migrate(conn, older));
  auto report = migrate(conn, set);
  ASSERT_TRUE(report) << describe(report.error());
  EXPECT_EQ(report->applied, std::vector<int>{3});
  EXPECT_EQ(report->already_applied, 2);
}

TEST(Migrate, RefusesAChangedMigrationAndAppliesNothing) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = three_tables();
  ASSERT_TRUE(migrate(conn, {set[0], set[1]}));
  set[0].sql = "CREATE TABLE alpha (id bigint PRIMARY KEY);";
  auto result = migrate(conn, set);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::migration_changed);
  auto text = describe(result.error());
  EXPECT_NE(text.find("migration 0001_alpha.sql was changed after it was "
                      "applied (checksum " +
                      sql_checksum(set[0].sql).substr(0, 12)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("restore the file or add a new migration"),
            std::string::npos)
      << text;
  EXPECT_FALSE(table_exists(conn, "gamma"));
  EXPECT_EQ(count_rows(conn, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST(Migrate, FailingSqlRollsEverythingBack) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = three_tables();
  set[1].sql = "CREATE TABLE beta (id int);\nSELECT no_such_function();";
  auto result = migrate(conn, set);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::migration_failed);
  auto text = describe(result.error());
  EXPECT_NE(text.find("migration 0002_beta.sql failed"), std::string::npos)
      << text;
  EXPECT_NE(text.find("no_such_function"), std::string::npos) << text;
  EXPECT_NE(text.find("SQLSTATE 42883"), std::string::npos) << text;
  EXPECT_FALSE(table_exists(conn, "alpha"));
  EXPECT_FALSE(table_exists(conn, "beta"));
  EXPECT_FALSE(table_exists(conn, "schema_migrations"));
  // The connection is still usable and a fixed set applies cleanly.
  auto fixed = migrate(conn, three_tables());
  ASSERT_TRUE(fixed) << describe(fixed.error());
  EXPECT_EQ(fixed->applied.size(), 3u);
}

TEST(Migrate, RejectsDuplicateVersions) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = three_tables();
  set[2].version = 2;
  auto result = migrate(conn, set);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::migration_invalid);
  EXPECT_FALSE(table_exists(conn, "schema_migrations"));
}

TEST(Migrate, ConcurrentCallersApplyEachMigrationOnce) {
  test::pg_test_db db;
  auto set = three_tables();
  // A slow first migration keeps the lock held while the other caller
  // arrives, so the test exercises the waiting path.
  set[0].sql += "\nSELECT pg_sleep(0.5);";
  std::latch go{2};
  caf::expected<migrate_report> results[2] = {migrate_report{},
                                              migrate_report{}};
  std::vector<std::thread> callers;
  for (int i = 0; i < 2; ++i)
    callers.emplace_back([&, i] {
      pqxx::connection conn{db.conninfo()};
      go.arrive_and_wait();
      results[i] = migrate(conn, set);
    });
  for (auto& t : callers)
    t.join();
  ASSERT_TRUE(results[0]) << describe(results[0].error());
  ASSERT_TRUE(results[1]) << describe(results[1].error());
  auto applied = results[0]->applied.size() + results[1]->applied.size();
  EXPECT_EQ(applied, 3u);
  EXPECT_EQ(results[0]->already_applied + results[1]->already_applied, 3);
  pqxx::connection conn{db.conninfo()};
  EXPECT_EQ(count_rows(conn, "SELECT count(*) FROM schema_migrations"), 3);
  EXPECT_EQ(count_rows(conn, "SELECT count(*) FROM beta"), 2);
}

TEST(Migrate, EmbeddedSetCreatesTheNodesTable) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto set = embedded_migrations();
  auto report = migrate(conn, set);
  ASSERT_TRUE(report) << describe(report.error());
  ASSERT_FALSE(report->applied.empty());
  EXPECT_EQ(report->applied.front(), 1);
  EXPECT_TRUE(table_exists(conn, "nodes"));
  auto again = migrate(conn, set);
  ASSERT_TRUE(again) << describe(again.error());
  EXPECT_EQ(again->already_applied, static_cast<int>(set.size()));
}

} // namespace
} // namespace cdpd::storage
