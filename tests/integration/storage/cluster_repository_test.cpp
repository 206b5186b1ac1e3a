#include "storage/repositories/cluster_repository.hpp"

#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::storage {
namespace {

using namespace std::chrono_literals;

const member_row* find(const std::vector<member_row>& rows,
                       const std::string& name) {
  for (const auto& r : rows)
    if (r.name == name)
      return &r;
  return nullptr;
}

TEST(ClusterRepository, EachJoinIsANewIncarnationAndOnlyItRenews) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  ASSERT_TRUE(migrate(conn, embedded_migrations()));
  member_endpoint a{"node-a", "127.0.0.1", 7001, "127.0.0.1:8001"};
  auto first = join_cluster(conn, a, 4s);
  ASSERT_TRUE(first) << describe(first.error());
  auto second = join_cluster(conn, a, 4s);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  // The replaced incarnation renews nothing: it is fenced.
  EXPECT_EQ(renew_membership(conn, "node-a", *first, 4s), false);
  EXPECT_EQ(renew_membership(conn, "node-a", *second, 4s), true);
  auto rows = list_members(conn);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_TRUE(rows->front().live);
  EXPECT_EQ(rows->front().incarnation, *second);
  EXPECT_EQ(rows->front().port, 7001);
}

TEST(ClusterRepository, AnExpiredLeaseIsNotRenewed) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  ASSERT_TRUE(migrate(conn, embedded_migrations()));
  auto inc = join_cluster(conn, {"node-a", "127.0.0.1", 7001, "h:1"}, 50ms);
  ASSERT_TRUE(inc);
  std::this_thread::sleep_for(100ms);
  auto rows = list_members(conn);
  ASSERT_TRUE(rows);
  EXPECT_FALSE(find(*rows, "node-a")->live);
  EXPECT_EQ(renew_membership(conn, "node-a", *inc, 4s), false);
}

TEST(ClusterRepository, LeavingAndLosingTheSessionEndTheLease) {
  test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  ASSERT_TRUE(migrate(conn, embedded_migrations()));
  auto b = join_cluster(conn, {"node-b", "127.0.0.1", 7002, "h:2"}, 1min);
  ASSERT_TRUE(b);
  int64_t c = 0;
  {
    pqxx::connection other{db.conninfo()};
    auto joined =
        join_cluster(other, {"node-c", "127.0.0.1", 7003, "h:3"}, 1min);
    ASSERT_TRUE(joined);
    c = *joined;
    // node-c's membership connection is open: its lease stays.
    EXPECT_EQ(expire_if_disconnected(conn, "node-c", c,
                                     membership_session_name("node-c", c)),
              false);
  }
  // Its connection is gone: the lease ends now (the backend may take a
  // moment to leave pg_stat_activity).
  bool expired = false;
  for (int i = 0; i < 50 && !expired; ++i) {
    auto r = expire_if_disconnected(conn, "node-c", c,
                                    membership_session_name("node-c", c));
    ASSERT_TRUE(r) << describe(r.error());
    expired = *r;
    if (!expired)
      std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(expired);
  ASSERT_TRUE(leave_cluster(conn, "node-b", *b));
  auto rows = list_members(conn);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_FALSE(find(*rows, "node-b")->live);
  EXPECT_TRUE(find(*rows, "node-b")->left);
  EXPECT_FALSE(find(*rows, "node-c")->live);
  EXPECT_FALSE(find(*rows, "node-c")->left);
  EXPECT_EQ(renew_membership(conn, "node-b", *b, 1min), false);
}

} // namespace
} // namespace cdpd::storage
