// The daemon's webhook workers: endpoints made through its API, events
// committed in PostgreSQL, and a kill -9 of cdpd in the middle of sending:
// after a restart every event arrives, in order, the only repeats being
// the one POST that was answered but not recorded when the process died.
#include <csignal>
#include <iostream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/integration/webhooks/receiver_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class webhook_node : public ::testing::Test {
protected:
  void start_cdpd() {
    daemon = cdpd::test::start_cdpd(
        port, {"--postgres.url=" + db.url(),
               "--state.dir=" + state.path() + "/cdpd", "--log.level=warn",
               "--webhooks.allow-http=true", "--webhooks.allow-private=true",
               "--webhooks.lease=3s", "--webhooks.poll-interval=50ms",
               "--webhooks.retry-backoff=50ms", "--webhooks.batch-size=20"});
    ASSERT_TRUE(wait_ready_status(port, 200, 60s)) << daemon->output();
  }

  std::vector<std::string> event_ids() {
    pqxx::connection conn{db.conninfo()};
    pqxx::work tx{conn};
    std::vector<std::string> ids;
    for (const auto& row :
         tx.exec("SELECT id FROM events WHERE type = 'segment.created'"
                 " ORDER BY seq"))
      ids.push_back(row[0].as<std::string>());
    return ids;
  }

  pg_test_db db;
  temp_state_dir state;
  uint16_t port = free_port();
  std::unique_ptr<child_process> daemon;
};

TEST_F(webhook_node, KillNineMidDeliveryLosesNothing) {
  webhook_receiver receiver{free_port(), state.path(), {"--delay=0.005"}};
  receiver.start();
  start_cdpd();
  auto made = http_call(port, "POST", "/api/webhooks",
                        json{{"url", receiver.url("/n")},
                             {"event_types", json::array({"segment.created"})}}
                            .dump(),
                        {{"Content-Type", "application/json"}});
  ASSERT_EQ(made.status, 201) << made.body;
  receiver.add_secret("/n", json::parse(made.body)["secret"]);
  {
    pqxx::connection conn{db.conninfo()};
    pqxx::work tx{conn};
    tx.exec0("INSERT INTO segments (name) SELECT 'node ' || g"
             " FROM generate_series(1, 600) g");
    tx.commit();
  }
  auto delivered = [&] {
    std::set<std::string> ids;
    for (const auto& r : receiver.receipts())
      if (r.event == "deliver")
        ids.insert(r.id);
    return ids.size();
  };
  ASSERT_TRUE(wait_until([&] { return delivered() >= 100; }, 120s));
  daemon->signal(SIGKILL);
  daemon->wait(10s);
  auto at_kill = delivered();
  EXPECT_LT(at_kill, 600u) << "the kill came too late to mean anything";
  start_cdpd();
  ASSERT_TRUE(wait_until([&] { return delivered() >= 600; }, 120s));
  auto events = event_ids();
  ASSERT_EQ(events.size(), 600u);
  std::size_t next = 0;
  std::size_t duplicates = 0;
  std::set<std::string> seen;
  for (const auto& r : receiver.receipts()) {
    EXPECT_NE(r.event, "bad");
    if (r.event != "deliver")
      continue;
    if (next < events.size() && r.id == events[next]) {
      seen.insert(r.id);
      ++next;
    } else {
      EXPECT_TRUE(seen.count(r.id) != 0) << r.id << " came out of order";
      ++duplicates;
    }
  }
  EXPECT_EQ(next, events.size());
  EXPECT_LE(duplicates, 1u);
  EXPECT_TRUE(wait_until(
      [&] {
        pqxx::connection conn{db.conninfo()};
        pqxx::work tx{conn};
        return tx.exec1("SELECT count(*) FROM webhook_deliveries WHERE status"
                        " = 'delivered'")[0]
                   .as<int64_t>() == 600;
      },
      30s));
  auto metrics = http_call(port, "GET", "/metrics");
  EXPECT_NE(metrics.body.find("cdpd_webhook_deliveries_total"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("cdpd_webhook_outbox_lag_seconds"),
            std::string::npos);
  std::cout << "kill -9 after " << at_kill << " of 600 events; " << duplicates
            << " sent twice\n";
}

} // namespace
