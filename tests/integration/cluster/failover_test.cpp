// A campaign sent by three cluster nodes through the http provider to the
// fault tests' email sink (flaky_sink.py, which journals every arrival by
// idempotency key): at about 30% one node is killed with SIGKILL while it
// holds claimed rows, at about 60% another is frozen with SIGSTOP for 8 s
// while it holds some. The others release those rows as soon as the
// member's lease ends, not when their delivery lease (60 s here) runs out;
// the frozen node wakes up fenced and sends none of the rows it had
// claimed (they went out from the others meanwhile), so only a send in
// flight at the freeze or the kill may reach the provider twice. The
// campaign completes with every row sent once. The times from the kill
// and the freeze to the last of the member's rows leaving `sending` are
// printed.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/integration/cluster/cluster_support.hpp"
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

TEST(ClusterFailover, AKilledAndAFrozenNodesRowsAreResumedByTheOthers) {
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

  auto nodes = cdpd::test::start_cluster(
      db.url(), 3,
      {"--log.level=warn", "--email.provider=http",
       "--email.http-url=" + sink.url(), "--email.timeout=5s",
       // The default lease: a lost node's rows would wait a minute.
       "--delivery.lease=60s", "--delivery.poll-interval=100ms",
       "--delivery.dispatchers=1", "--delivery.batch-size=20",
       "--delivery.pause-failures=0"});
  if (::testing::Test::HasFailure())
    return;

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

  // At about 60%, freeze the other survivor (not n1) while it holds
  // claimed rows, for 8 s: its lease ends, the others release its rows.
  ASSERT_TRUE(wait_until(
      [&] { return sink.read().total_delivered() >= audience * 6 / 10; }, 60s));
  std::string frozen_tag;
  ASSERT_TRUE(wait_until(
      [&] {
        frozen_tag =
            db.scalar("SELECT coalesce(max(claimed_by), '') FROM deliveries"
                      " WHERE status = 'sending' AND claimed_by NOT LIKE 'n1:%'"
                      " AND claimed_by NOT LIKE '" +
                      victim_name + ":%'");
        return !frozen_tag.empty();
      },
      10s));
  auto frozen_name = frozen_tag.substr(0, frozen_tag.find(':'));
  cdpd::test::cluster_node* frozen = nullptr;
  for (auto& n : nodes)
    if (n.name == frozen_name)
      frozen = &n;
  ASSERT_NE(frozen, nullptr);
  held = count("status = 'sending' AND claimed_by = '" + frozen_tag + "'");
  auto duplicates_before = sink.read().duplicates;
  t0 = steady::now();
  frozen->process->signal(SIGSTOP);
  EXPECT_TRUE(wait_until(
      [&] {
        return count("status = 'sending' AND claimed_by = '" + frozen_tag +
                     "'") == 0;
      },
      7s))
      << nodes[0].process->output();
  std::printf("[figure] SIGSTOP of %s holding %lld claimed rows: all resumed "
              "after %.3f s\n",
              frozen_name.c_str(), static_cast<long long>(held),
              std::chrono::duration<double>(steady::now() - t0).count());
  std::this_thread::sleep_until(t0 + 8s);
  frozen->process->signal(SIGCONT);

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
  // A row in flight at the kill or the freeze may reach the provider
  // again, with the same key, which the provider deduplicates; the frozen
  // node sends none of the rest of its claimed rows when it wakes up (it
  // is fenced), which the others sent meanwhile.
  std::printf("[figure] repeated arrivals of a delivered key: %d (%d after "
              "the freeze)\n",
              seen.duplicates, seen.duplicates - duplicates_before);
  EXPECT_LE(seen.duplicates - duplicates_before, 1);
  EXPECT_LE(seen.duplicates, 2);
}

} // namespace
