// Campaign actors in the real daemon: status changes through the HTTP API
// reach the campaign host behind its supervision proxy, the actors show in
// /admin/campaigns and /metrics, and a campaign runs to completion.
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::http_call;
using cdpd::test::wait_until;
using nlohmann::json;

json get_json(uint16_t port, const std::string& target) {
  return json::parse(http_call(port, "GET", target).body, nullptr, false);
}

/// The node's campaign actor of `id` per /admin/campaigns; null for none.
json actor_of(uint16_t port, const std::string& id) {
  auto body = get_json(port, "/admin/campaigns");
  if (body.is_object() && body.contains("campaigns"))
    for (auto& c : body["campaigns"])
      if (c["id"] == id)
        return c;
  return nullptr;
}

TEST(CampaignNode, StatusChangesGoThroughTheCampaignActors) {
  cdpd::test::delivery_test_db db;
  db.add_customers(5, "CA");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  auto later = db.add_campaign(segment, flow);
  auto now = db.add_campaign(segment, flow);
  db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc')"
            "::date + 2 WHERE id = '" +
            later + "'");

  cdpd::test::temp_state_dir state;
  auto port = cdpd::test::free_port();
  auto daemon = cdpd::test::start_cdpd(
      port, {"--postgres.url=" + db.url(), "--state.dir=" + state.path(),
             "--log.level=warn", "--admin.enabled", "--email.provider=outbox",
             "--delivery.poll-interval=100ms"});
  ASSERT_TRUE(cdpd::test::wait_ready_status(port, 200, 60s))
      << daemon->output();
  auto status = [&](const std::string& id, const std::string& to) {
    return http_call(port, "PUT",
                     "/api/campaigns/" + id + "/status?status=" + to);
  };

  // Refused moves answer 409 with the lifecycle's reason.
  auto refused = status(later, "paused");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(json::parse(refused.body)["detail"],
            "Only an active campaign can be paused");
  EXPECT_EQ(status(later, "bogus").status, 400);

  auto active = status(later, "active");
  ASSERT_EQ(active.status, 200) << active.body;
  EXPECT_EQ(json::parse(active.body)["status"], "active");
  ASSERT_TRUE(wait_until(
      [&] { return actor_of(port, later).value("step", "") == "waiting"; },
      10s))
      << get_json(port, "/admin/campaigns").dump() << daemon->output();
  EXPECT_GT(actor_of(port, later)["next_timer_ms"].get<int64_t>(),
            24 * 3'600'000);
  auto metrics = http_call(port, "GET", "/metrics").body;
  EXPECT_NE(metrics.find("cdpd_campaign_actors{phase=\"waiting\"} 1"),
            std::string::npos)
      << metrics;
  auto tree = get_json(port, "/admin/actors");
  ASSERT_TRUE(tree.contains("campaigns")) << tree.dump();
  EXPECT_EQ(tree["campaigns"].size(), 1u);

  auto paused = status(later, "paused");
  ASSERT_EQ(paused.status, 200) << paused.body;
  EXPECT_EQ(json::parse(paused.body)["execution"]["paused_reason"],
            "paused by a user");
  EXPECT_EQ(actor_of(port, later)["step"], "paused");

  // One that starts now runs to completion, and its actor goes away.
  ASSERT_EQ(status(now, "active").status, 200);
  ASSERT_TRUE(wait_until(
      [&] {
        return get_json(port, "/api/campaigns/" + now)["status"] == "completed";
      },
      30s))
      << daemon->output();
  auto done = get_json(port, "/api/campaigns/" + now);
  EXPECT_EQ(done["execution"]["counts"]["sent"], 5);
  EXPECT_EQ(done["execution"]["phase"], "done");
  EXPECT_TRUE(wait_until([&] { return actor_of(port, now).is_null(); }, 5s));

  ASSERT_EQ(status(later, "completed").status, 200);
  EXPECT_TRUE(wait_until([&] { return actor_of(port, later).is_null(); }, 5s));
  EXPECT_EQ(status(later, "active").status, 409);
}

} // namespace
