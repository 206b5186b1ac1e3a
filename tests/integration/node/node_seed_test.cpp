// `cdpd seed` end to end: demo data through the real binary, refused on a
// non-empty database, replaced with --force, then served by the API.
#include <csignal>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<child_process> seed(const pg_test_db& db,
                                    std::vector<std::string> extra) {
  std::vector<std::string> argv{cdpd_binary(), "seed",
                                "--postgres.url=" + db.url()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<child_process>(std::move(argv));
}

int count(const pg_test_db& db, const std::string& table) {
  pqxx::connection c{db.conninfo()};
  pqxx::nontransaction tx{c};
  return tx.exec1("SELECT count(*) FROM " + c.quote_name(table))[0].as<int>();
}

} // namespace

TEST(NodeSeed, SeedsRefusesThenForcesAndTheApiServesTheData) {
  pg_test_db db;
  auto first = seed(db, {"--customers", "300", "--orders", "900"});
  ASSERT_EQ(first->wait(120s), 0) << first->output();
  EXPECT_EQ(count(db, "customers"), 300);
  EXPECT_EQ(count(db, "orders"), 900);
  EXPECT_EQ(count(db, "segments"), 8);
  EXPECT_NE(first->output().find("seed orders"), std::string::npos)
      << "progress is logged";

  auto again = seed(db, {"--customers", "50"});
  EXPECT_EQ(again->wait(60s), 1) << again->output();
  EXPECT_EQ(count(db, "customers"), 300) << "nothing changed";

  auto forced = seed(db, {"--customers", "50", "--orders", "100", "--force"});
  ASSERT_EQ(forced->wait(60s), 0) << forced->output();
  EXPECT_EQ(count(db, "customers"), 50);

  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + db.url()});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  auto users = http_call(port, "GET", "/api/users/?limit=10");
  EXPECT_EQ(users.status, 200);
  EXPECT_EQ(nlohmann::json::parse(users.body).size(), 10u);
  auto segments =
      nlohmann::json::parse(http_call(port, "GET", "/api/segments").body);
  ASSERT_EQ(segments.size(), 8u);
  auto id = segments[0]["id"].get<std::string>();
  auto counted = http_call(port, "GET", "/api/segments/" + id + "/count");
  EXPECT_EQ(counted.status, 200) << counted.body;
  auto dashboard = nlohmann::json::parse(
      http_call(port, "GET", "/api/metrics/dashboard").body);
  EXPECT_EQ(dashboard["total_customers"], 50);
  EXPECT_EQ(dashboard["total_orders"], 100);
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}
