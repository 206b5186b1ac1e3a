#include "storage/node_registry.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::storage {
namespace {

TEST(NodeRegistry, RegisterUpsertsAndListShowsTheLatest) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  ASSERT_TRUE(migrate(conn, embedded_migrations()));
  auto first = register_node(conn, "node-a", "127.0.0.1:18080", "0.1.0");
  ASSERT_TRUE(first) << describe(first.error());
  ASSERT_TRUE(register_node(conn, "node-b", "127.0.0.1:18081", "0.1.0"));
  auto again = register_node(conn, "node-a", "127.0.0.1:18090", "0.2.0");
  ASSERT_TRUE(again) << describe(again.error());
  auto nodes = list_nodes(conn);
  ASSERT_TRUE(nodes) << describe(nodes.error());
  ASSERT_EQ(nodes->size(), 2u);
  auto a = std::find_if(nodes->begin(), nodes->end(),
                        [](const auto& n) { return n.node_id == "node-a"; });
  ASSERT_NE(a, nodes->end());
  EXPECT_EQ(a->http_address, "127.0.0.1:18090");
  EXPECT_EQ(a->version, "0.2.0");
  auto now = std::chrono::system_clock::now();
  EXPECT_LT(a->started_at, now + std::chrono::minutes{5});
  EXPECT_GT(a->started_at, now - std::chrono::minutes{5});
}

TEST(NodeRegistry, TouchNeedsARegisteredNode) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  ASSERT_TRUE(migrate(conn, embedded_migrations()));
  ASSERT_TRUE(register_node(conn, "node-a", "127.0.0.1:18080", "0.1.0"));
  auto touched = touch_node(conn, "node-a");
  EXPECT_TRUE(touched) << describe(touched.error());
  auto unknown = touch_node(conn, "node-z");
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(unknown.error() == errc::query_failed);
  EXPECT_NE(describe(unknown.error()).find("node-z"), std::string::npos);
}

TEST(NodeRegistry, WithoutTheMigrationItIsAQueryError) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto result = register_node(conn, "node-a", "127.0.0.1:18080", "0.1.0");
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::query_failed);
  EXPECT_NE(describe(result.error()).find("42P01"), std::string::npos)
      << describe(result.error());
}

} // namespace
} // namespace cdpd::storage
