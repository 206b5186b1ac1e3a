// A campaign sent by three cluster nodes through the http provider to the
// fault tests' email sink (flaky_sink.py, which journals every arrival by
// idempotency key): one node is killed with SIGKILL while it holds claimed
// rows. The others release those rows as soon as its membership ends, not
// when their delivery lease (60 s here) runs out, and the campaign
// completes with every row sent once. The time from the kill to the last
// of its rows leaving `sending` is printed.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/delivery_faults/sink_support.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::wait_until;
using steady = std::chrono::steady_clock;

constexpr int audience = 1200;

struct node {
  std::string name;
  uint16_t http = 0;
  std::unique_ptr<cdpd::test::child_process> process;
};

TEST(ClusterFailover, AKilledNodesClaimedRowsAreResumedByTheOthers) {
  cdpd::test::delivery_test_db db;
  db.add_customers(audience, "CA");
  auto segment = db.add_segment("CA");
  auto campaign = db.add_campaign(
      segment,
      db.add_flow(segment, {{"SEND_EMAIL", "Hello {{first_name}}", "Hi", 0}}));
  cdpd::test::temp_state_dir dir;
  cdpd::test::email_sink sink{
      cdpd::test::free_port(), dir.path() + "/journal", {"--delay=0.02"}};
  sink.start();

  std::vector<node> nodes(3);
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto& n = nodes[i];
    n.name = "n" + std::to_string(i + 1);
    n.http = cdpd::test::free_port();
    auto cluster = cdpd::test::free_port();
    n.process = cdpd::test::start_cdpd(
        n.http, {"--postgres.url=" + db.url(),
                 "--state.dir=" + dir.path() + "/" + n.name, "--log.level=warn",
                 "--email.provider=http", "--email.http-url=" + sink.url(),
                 "--email.timeout=5s",
                 // The default lease: a dead node's rows would wait a minute.
                 "--delivery.lease=60s", "--delivery.poll-interval=100ms",
                 "--delivery.dispatchers=1", "--delivery.batch-size=20",
                 "--delivery.pause-failures=0", "--cluster.name=" + n.name,
                 "--cluster.port=" + std::to_string(cluster)});
  }
  for (auto& n : nodes)
    ASSERT_TRUE(cdpd::test::wait_ready_status(n.http, 200, 60s))
        << n.process->output();

  auto count = [&](const std::string& where) {
    return db.count("SELECT count(*) FROM deliveries WHERE campaign_id = '" +
                    campaign + "' AND " + where);
  };
  auto started = cdpd::test::http_call(nodes[0].http, "PUT",
                                       "/api/campaigns/" + campaign +
                                           "/status?status=active");
  ASSERT_EQ(started.status, 200) << started.body;

  // At about 30%, kill a node (not n1) that holds claimed rows.
  ASSERT_TRUE(wait_until(
      [&] { return sink.read().total_delivered() >= audience * 3 / 10; }, 60s));
  std::string victim;
  ASSERT_TRUE(wait_until(
      [&] {
        victim = db.scalar(
            "SELECT coalesce(max(claimed_by), '') FROM deliveries"
            " WHERE status = 'sending' AND claimed_by NOT LIKE 'n1:%'");
        return !victim.empty();
      },
      10s));
  auto victim_name = victim.substr(0, victim.find(':'));
  auto held = count("status = 'sending' AND claimed_by = '" + victim + "'");
  auto t0 = steady::now();
  for (auto& n : nodes)
    if (n.name == victim_name)
      n.process->signal(SIGKILL);
  EXPECT_TRUE(wait_until(
      [&] {
        return count("status = 'sending' AND claimed_by = '" + victim + "'") ==
               0;
      },
      7s))
      << nodes[0].process->output();
  std::printf("[figure] kill -9 of %s holding %lld claimed rows: all resumed "
              "after %.3f s\n",
              victim_name.c_str(), static_cast<long long>(held),
              std::chrono::duration<double>(steady::now() - t0).count());

  ASSERT_TRUE(wait_until(
      [&] {
        return db.scalar("SELECT status FROM campaigns WHERE id = '" +
                         campaign + "'") == "completed";
      },
      90s))
      << nodes[0].process->output();
  EXPECT_EQ(count("status = 'sent'"), audience);
  EXPECT_EQ(count("status <> 'sent'"), 0);
  auto seen = sink.read();
  EXPECT_EQ(seen.total_delivered(), static_cast<size_t>(audience));
  for (const auto& [key, times] : seen.delivered)
    EXPECT_EQ(times, 1) << key;
  for (const auto& [key, ids] : seen.message_ids)
    EXPECT_EQ(ids.size(), 1u) << "Message-ID changed for " << key;
  // A row in flight at the kill may reach the provider again, with the
  // same key, which the provider deduplicates.
  std::printf("[figure] repeated arrivals of a delivered key: %d\n",
              seen.duplicates);
}

} // namespace
