// Campaign actors in a cluster: each live campaign has one actor, on the
// member that rendezvous hashing gives "campaign:<id>"; a status change
// asked of another member is forwarded there. The owner of a campaign due
// at T is killed at T - 1 s: a survivor takes the campaign over and starts
// it by T + 5 s, and every recipient is sent exactly once. And
// email.rate-per-second holds for the cluster, not per member: the three
// members' dispatchers all ask the one limiter host of the provider's key.
// The figures are printed.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/cluster/rendezvous.hpp"
#include "tests/integration/cluster/cluster_support.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::cluster_node;
using cdpd::test::http_call;
using cdpd::test::wait_until;
using nlohmann::json;

constexpr int audience = 60;

/// A draft campaign of one email to `recipients` customers; its id.
std::string one_step_campaign(cdpd::test::delivery_test_db& db,
                              int recipients) {
  db.add_customers(recipients, "CA");
  auto segment = db.add_segment("CA");
  return db.add_campaign(
      segment, db.add_flow(segment, {{"SEND_EMAIL", "Hello", "Hi", 0}}));
}

/// Whether `n` runs an actor for campaign `id` (GET /admin/campaigns).
bool runs_actor(const cluster_node& n, const std::string& id) {
  try {
    auto body = json::parse(
        http_call(n.http, "GET", "/admin/campaigns", {}, {}, 2s).body, nullptr,
        false);
    if (body.is_object())
      for (auto& c : body["campaigns"])
        if (c["id"] == id)
          return true;
  } catch (const std::exception&) {
  }
  return false;
}

TEST(ClusterCampaigns, OneActorPerCampaignAndADueStartSurvivesItsOwner) {
  cdpd::test::delivery_test_db db;
  auto campaign = one_step_campaign(db, audience);
  auto nodes = cdpd::test::start_cluster(
      db.url(), 3,
      {"--log.level=info", "--delivery.timezone=UTC",
       "--delivery.poll-interval=100ms", "--delivery.dispatchers=1",
       "--delivery.pause-failures=0"});
  if (::testing::Test::HasFailure())
    return;
  ASSERT_TRUE(cdpd::test::wait_until_formed(nodes));

  std::vector<std::string> names{"n1", "n2", "n3"};
  auto owner_index = static_cast<std::size_t>(
      cdpd::actors::cluster::rendezvous_owner("campaign:" + campaign, names));
  auto& owner = nodes[owner_index];
  auto& other = nodes[(owner_index + 1) % 3];

  // Due in 8 s, to the second, in UTC; made live through a member that
  // does not own it.
  db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc'"
            " + interval '8 seconds')::date, start_time_of_day ="
            " to_char(now() AT TIME ZONE 'utc' + interval '8 seconds',"
            " 'HH24:MI:SS') WHERE id = '" +
            campaign + "'");
  auto made_live =
      http_call(other.http, "PUT",
                "/api/campaigns/" + campaign + "/status?status=active");
  ASSERT_EQ(made_live.status, 200) << made_live.body;
  EXPECT_TRUE(runs_actor(owner, campaign)) << owner.process->output();
  for (auto& n : nodes) {
    if (&n != &owner) {
      EXPECT_FALSE(runs_actor(n, campaign)) << n.name;
    }
  }
  // Any member answers for it: the view comes from the owner's actor.
  auto seen = json::parse(
      http_call(other.http, "GET", "/api/campaigns/" + campaign).body);
  EXPECT_EQ(seen["status"], "active") << seen.dump();

  // Kill the owner one second before the start.
  auto due_in_ms = db.count("SELECT (extract(epoch FROM scheduled_at -"
                            " (now() AT TIME ZONE 'utc')) * 1000)::bigint"
                            " FROM campaigns WHERE id = '" +
                            campaign + "'");
  ASSERT_GT(due_in_ms, 1500) << "the start came too soon to kill before it";
  std::this_thread::sleep_for(std::chrono::milliseconds{due_in_ms - 1000});
  owner.process->signal(SIGKILL);

  ASSERT_TRUE(wait_until(
      [&] {
        return db.scalar("SELECT started_at IS NOT NULL FROM campaigns"
                         " WHERE id = '" +
                         campaign + "'") == "t";
      },
      15s))
      << other.process->output();
  auto late_ms = db.count("SELECT (extract(epoch FROM started_at -"
                          " scheduled_at) * 1000)::bigint FROM campaigns"
                          " WHERE id = '" +
                          campaign + "'");
  std::printf("[figure] campaign due at T, its owner %s killed at T - 1 s: "
              "started %lld ms after T by a survivor\n",
              owner.name.c_str(), static_cast<long long>(late_ms));
  EXPECT_LT(late_ms, 5000);

  ASSERT_TRUE(wait_until(
      [&] {
        return db.scalar("SELECT status FROM campaigns WHERE id = '" +
                         campaign + "'") == "completed";
      },
      60s))
      << other.process->output();
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE campaign_id = '" +
                     campaign + "' AND status = 'sent'"),
            audience);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE campaign_id = '" +
                     campaign + "'"),
            audience);
}

TEST(ClusterCampaigns, TheProviderRateHoldsForTheWholeCluster) {
  constexpr int recipients = 120;
  constexpr int per_second = 20;
  cdpd::test::delivery_test_db db;
  auto campaign = one_step_campaign(db, recipients);
  auto nodes = cdpd::test::start_cluster(
      db.url(), 3,
      {"--log.level=warn", "--email.provider=outbox",
       "--email.rate-per-second=" + std::to_string(per_second),
       "--delivery.poll-interval=100ms", "--delivery.dispatchers=2",
       "--delivery.batch-size=5"});
  if (::testing::Test::HasFailure())
    return;
  ASSERT_TRUE(cdpd::test::wait_until_formed(nodes));

  auto made_live =
      http_call(nodes[0].http, "PUT",
                "/api/campaigns/" + campaign + "/status?status=active");
  ASSERT_EQ(made_live.status, 200) << made_live.body;
  ASSERT_TRUE(wait_until(
      [&] {
        return db.count("SELECT count(*) FROM deliveries WHERE status ="
                        " 'sent'") == recipients;
      },
      60s));
  std::vector<std::filesystem::file_time_type> times;
  std::vector<int> per_node;
  for (auto& n : nodes) {
    auto mine = cdpd::test::outbox_write_times(n.state->path() + "/outbox");
    per_node.push_back(static_cast<int>(mine.size()));
    times.insert(times.end(), mine.begin(), mine.end());
  }
  ASSERT_EQ(times.size(), static_cast<std::size_t>(recipients));
  auto [first, last] = std::minmax_element(times.begin(), times.end());
  auto spread = std::chrono::duration<double>(*last - *first).count();
  std::printf("[figure] %d messages at email.rate-per-second=%d from three "
              "members (%d, %d, %d): %.2f s, %.1f a second\n",
              recipients, per_second, per_node[0], per_node[1], per_node[2],
              spread, (recipients - 1) / spread);
  // At 20 a second the cluster needs about 6 s; three members throttled
  // apart would take about 2.
  EXPECT_GE(spread, 5.0);
  // Every member sent some: the test is about members sharing one rate.
  for (auto n : per_node)
    EXPECT_GT(n, 0);
}

} // namespace
