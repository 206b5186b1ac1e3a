#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/campaigns/campaign_host.hpp"
#include "actors/delivery/dispatcher.hpp"
#include "net/api/delivery_routes.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;

namespace live = cdpd::actors::campaigns;

/// The campaign routes with execution, through the campaign host and its
/// actors: lifecycle refusals (409), the `execution` block, and a
/// dispatcher round between two requests.
class CampaignLifecycleApi : public cdpd::test::api_fixture {
protected:
  // No request is in flight yet, so the router may still take routes.
  CampaignLifecycleApi() {
    cdpd::net::api::add_delivery_routes(*routes, *sys);
    live::campaign_host_options o;
    o.campaign.wait_day = 1h;
    host = live::spawn_campaign_host(*sys, o);
    sys->registry().put(live::campaign_host_key,
                        caf::actor_cast<caf::strong_actor_ptr>(host));
  }

  ~CampaignLifecycleApi() override {
    sys->registry().erase(live::campaign_host_key);
    caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
  }

  /// Waits until the campaign's actor has started it.
  bool started(const std::string& id) {
    return cdpd::test::wait_until(
        [&] {
          return sql_value("SELECT coalesce(exec_phase, '') FROM campaigns"
                           " WHERE id = '" +
                           id + "'") == "sending";
        },
        10s);
  }

  /// A campaign on a segment of two opted-in customers in CA, with the
  /// flow SEND, WAIT 1, SEND; returns its id.
  std::string make_campaign() {
    make_user("ada@example.org");
    make_user("grace@example.org");
    auto segment = make_segment("CA");
    sql_value("UPDATE segments SET definition = '{\"criteria\":[{\"field\":"
              "\"shipping_state\",\"operator\":\"eq\",\"value\":\"CA\"}]}'"
              " RETURNING id");
    auto flow = call_json(
        "POST", "/api/flows/",
        {{"segment_id", segment},
         {"name", "Two mails"},
         {"steps",
          json::array(
              {{{"step_type", "SEND_EMAIL"},
                {"step_order", 1},
                {"config",
                 {{"subject", "Hi {{first_name}}"}, {"body_text", "One"}}}},
               {{"step_type", "WAIT"},
                {"step_order", 2},
                {"config", {{"duration_days", 1}}}},
               {{"step_type", "SEND_EMAIL"},
                {"step_order", 3},
                {"config", {{"subject", "Again"}, {"body_text", "Two"}}}}})}},
        200);
    auto campaign = call_json(
        "POST", "/api/campaigns/",
        {{"segment_id", segment}, {"flow_id", flow["id"]}, {"name", "Spring"}},
        200);
    return campaign["id"].get<std::string>();
  }

  json set_status(const std::string& id, const std::string& status,
                  int expected) {
    return call_json("PUT", "/api/campaigns/" + id + "/status?status=" + status,
                     nullptr, expected);
  }

  /// One dispatcher round on the test database that sends nothing out.
  dl::round_result round() {
    if (!pool) {
      st::pg_pool_options o;
      o.url = db.conninfo();
      o.size = 2;
      pool = std::make_shared<st::pg_pool>(o, nullptr);
    }
    dl::dispatcher_options o;
    o.pool = pool;
    o.send = [](const st::claimed_delivery& d) {
      dl::send_outcome out;
      out.message_id = "<" + d.idempotency_key + "@test>";
      return out;
    };
    // Reported to the host as the node's dispatchers report: GET answers a
    // live campaign's counts from its actor.
    o.report = [this](const live::campaign_report& r) {
      caf::anon_send(host, live::campaign_report_atom::value, r);
    };
    return dl::run_round(o);
  }

  std::shared_ptr<st::pg_pool> pool;
  live::campaign_host host;
};

TEST_F(CampaignLifecycleApi, DeliveriesAndDeadLettersAreListedAndReplayed) {
  auto id = make_campaign();
  set_status(id, "active", 200);
  ASSERT_TRUE(started(id));
  ASSERT_EQ(round().sent, 2);
  auto all =
      call_json("GET", "/api/campaigns/" + id + "/deliveries", nullptr, 200);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0]["status"], "sent");
  EXPECT_TRUE(all[0]["message_id"].is_string());
  auto pending = call_json(
      "GET", "/api/campaigns/" + id + "/deliveries?status=pending&limit=1",
      nullptr, 200);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["step_index"], 3);
  EXPECT_EQ(
      call("GET", "/api/campaigns/" + id + "/deliveries?status=lost").status,
      422);
  EXPECT_EQ(call("GET", "/api/campaigns/00000000-0000-0000-0000-000000000000"
                        "/deliveries")
                .status,
            404);

  EXPECT_EQ(sql_value("WITH u AS (UPDATE deliveries SET status = 'dead',"
                      " last_error = 'refused' WHERE step_index = 3"
                      " RETURNING id) SELECT count(*) FROM u"),
            "2");
  auto dead = call_json("GET", "/api/dead-letters", nullptr, 200);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0]["last_error"], "refused");
  EXPECT_EQ(call("POST", "/api/dead-letters/replay", "{}").status, 422);
  auto one = call_json("POST", "/api/dead-letters/replay",
                       {{"ids", json::array({dead[0]["id"]})}}, 200);
  EXPECT_EQ(one["replayed"], 1);
  // The replay told the campaign's actor, whose counts the API shows: the
  // rows made dead behind its back and the one replayed.
  auto counts = call_json("GET", "/api/campaigns/" + id, nullptr,
                          200)["execution"]["counts"];
  EXPECT_EQ(counts["dead"], 1) << counts;
  EXPECT_EQ(counts["pending"], 1) << counts;
  auto rest =
      call_json("POST", "/api/dead-letters/replay", {{"campaign_id", id}}, 200);
  EXPECT_EQ(rest["replayed"], 1);
  EXPECT_TRUE(call_json("GET", "/api/dead-letters", nullptr, 200).empty());
  EXPECT_EQ(sql_value("SELECT count(*) FROM deliveries"
                      " WHERE status = 'pending' AND attempts = 0"),
            "2");
}

TEST_F(CampaignLifecycleApi, StatusChangesFollowTheLifecycle) {
  auto id = make_campaign();
  auto draft = call_json("GET", "/api/campaigns/" + id, nullptr, 200);
  EXPECT_EQ(draft["status"], "draft");
  EXPECT_TRUE(draft["execution"]["phase"].is_null());
  EXPECT_EQ(draft["execution"]["counts"], json({{"audience", 0},
                                                {"pending", 0},
                                                {"sent", 0},
                                                {"failed", 0},
                                                {"dead", 0},
                                                {"opened", 0},
                                                {"clicked", 0},
                                                {"unsubscribed", 0}}));

  EXPECT_EQ(set_status(id, "paused", 409)["detail"],
            "Only an active campaign can be paused");
  EXPECT_EQ(set_status(id, "completed", 409)["detail"],
            "A draft campaign cannot be completed");

  EXPECT_EQ(set_status(id, "active", 200)["status"], "active");
  ASSERT_TRUE(started(id));
  auto r = round();
  EXPECT_EQ(r.sent, 2); // the first step; the second waits a day
  auto sending = call_json("GET", "/api/campaigns/" + id, nullptr, 200);
  EXPECT_EQ(sending["execution"]["phase"], "sending");
  EXPECT_TRUE(sending["execution"]["started_at"].is_string());
  EXPECT_EQ(sending["execution"]["counts"]["audience"], 4);
  EXPECT_EQ(sending["execution"]["counts"]["sent"], 2);
  EXPECT_EQ(sending["execution"]["counts"]["pending"], 2);

  EXPECT_EQ(set_status(id, "draft", 409)["detail"],
            "A campaign that started sending cannot return to draft");
  auto paused = set_status(id, "paused", 200);
  EXPECT_EQ(paused["status"], "paused");
  EXPECT_EQ(paused["execution"]["paused_reason"], "paused by a user");
  // The body's status goes through the same rules.
  auto resumed =
      call_json("PUT", "/api/campaigns/" + id, {{"status", "active"}}, 200);
  EXPECT_EQ(resumed["status"], "active");
  EXPECT_TRUE(resumed["execution"]["paused_reason"].is_null());

  auto done = set_status(id, "completed", 200);
  EXPECT_EQ(done["execution"]["phase"], "done");
  EXPECT_EQ(set_status(id, "active", 409)["detail"],
            "Campaign is completed; its status cannot change");
  auto list = call_json("GET", "/api/campaigns/", nullptr, 200);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["execution"]["counts"]["sent"], 2);
  EXPECT_EQ(list[0]["status"], "completed");
}

TEST_F(CampaignLifecycleApi, EditingTheStartOfAWaitingCampaignReschedulesIt) {
  auto id = make_campaign();
  call_json("PUT", "/api/campaigns/" + id,
            {{"start_date", "2099-01-01"}, {"start_time_of_day", "09:30"}},
            200);
  auto waiting = set_status(id, "active", 200);
  EXPECT_EQ(waiting["execution"]["phase"], "waiting");
  EXPECT_EQ(waiting["execution"]["scheduled_at"], "2099-01-01T09:30:00");

  // The start moves to now: the answer already shows the new schedule,
  // and the campaign starts.
  auto edited = call_json("PUT", "/api/campaigns/" + id,
                          {{"start_date", ""}, {"name", "Spring, now"}}, 200);
  EXPECT_EQ(edited["name"], "Spring, now");
  ASSERT_TRUE(edited["execution"]["scheduled_at"].is_string()) << edited;
  EXPECT_LT(edited["execution"]["scheduled_at"].get<std::string>(),
            "2099-01-01");
  EXPECT_TRUE(started(id));
}

} // namespace
