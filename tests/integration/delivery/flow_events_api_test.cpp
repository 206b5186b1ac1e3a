#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/delivery/enroller.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;

/// POST /api/events, the events cdpd's own write paths record, and
/// GET /api/flows/{id}/runs, with enrolment rounds between requests.
class FlowEventsApi : public cdpd::test::api_fixture {
protected:
  /// A flow entered by `type` on the segment of customers in CA with one
  /// SEND_EMAIL step; returns its id.
  std::string make_flow(const std::string& type) {
    auto segment = make_segment("in CA " + type);
    sql_value("UPDATE segments SET definition = '{\"criteria\":[{\"field\":"
              "\"shipping_state\",\"operator\":\"eq\",\"value\":\"CA\"}]}'"
              " WHERE id = '" +
              segment + "' RETURNING id");
    auto flow = call_json(
        "POST", "/api/flows/",
        {{"segment_id", segment},
         {"name", type},
         {"entry_condition_type", type},
         {"steps",
          json::array(
              {{{"step_type", "SEND_EMAIL"},
                {"step_order", 1},
                {"config", {{"subject", "Hi"}, {"body_text", "One"}}}}})}},
        200);
    return flow["id"].get<std::string>();
  }

  /// Enrols every waiting event.
  void enrol() {
    if (!pool) {
      st::pg_pool_options o;
      o.url = db.conninfo();
      o.size = 2;
      pool = std::make_shared<st::pg_pool>(o, nullptr);
    }
    dl::enroller_options o;
    o.pool = pool;
    for (;;) {
      auto done = dl::run_enrol_round(o);
      ASSERT_TRUE(done);
      if (done->events == 0)
        return;
    }
  }

  int64_t runs_of(const std::string& flow) {
    return std::stoll(sql_value(
        "SELECT count(*) FROM flow_runs WHERE flow_id = '" + flow + "'"));
  }

  json order(const std::string& user, const std::string& status) {
    return call_json("POST", "/api/orders/",
                     {{"user_id", user},
                      {"order_status", status},
                      {"total_amount", 10.5},
                      {"channel", "web"},
                      {"items", json::array()}},
                     200);
  }

  std::shared_ptr<st::pg_pool> pool;
};

TEST_F(FlowEventsApi, PostedEventsAreValidatedRecordedAndEnrol) {
  auto flow = make_flow("cart_abandoned");
  auto user = make_user("ada@example.org")["id"].get<std::string>();

  auto accepted = call_json("POST", "/api/events",
                            {{"customer_id", user},
                             {"type", "cart_abandoned"},
                             {"properties", {{"cart", 3}}},
                             {"occurred_at", "2026-01-02T03:04:05Z"}},
                            202);
  EXPECT_EQ(accepted["type"], "cart_abandoned");
  EXPECT_EQ(accepted["customer_id"], user);
  ASSERT_TRUE(accepted["id"].is_number_integer());
  auto id = std::to_string(accepted["id"].get<int64_t>());
  EXPECT_EQ(sql_value("SELECT properties->>'cart' || ' ' || occurred_at"
                      " FROM customer_events WHERE id = " +
                      id),
            "3 2026-01-02 03:04:05");

  auto problem = [&](const json& body, int status) {
    return call_json("POST", "/api/events", body, status);
  };
  auto missing = problem(json::object(), 422);
  EXPECT_EQ(missing["detail"].size(), 2u) << missing.dump();
  auto bad_id = problem({{"customer_id", "nope"}, {"type", "x"}}, 422);
  EXPECT_EQ(bad_id["detail"][0]["loc"], json::array({"body", "customer_id"}));
  auto unknown = problem(
      {{"customer_id", "00000000-0000-0000-0000-000000000000"}, {"type", "x"}},
      404);
  EXPECT_EQ(unknown["detail"], "User not found");
  auto empty = problem({{"customer_id", user}, {"type", ""}}, 422);
  EXPECT_EQ(empty["detail"][0]["loc"], json::array({"body", "type"}));
  problem({{"customer_id", user}, {"type", std::string(65, 't')}}, 422);
  call_json("POST", "/api/events",
            {{"customer_id", user}, {"type", std::string(64, 't')}}, 202);
  auto props = problem(
      {{"customer_id", user}, {"type", "x"}, {"properties", json::array()}},
      422);
  EXPECT_EQ(props["detail"][0]["loc"], json::array({"body", "properties"}));
  auto when = problem(
      {{"customer_id", user}, {"type", "x"}, {"occurred_at", "yesterday"}},
      422);
  EXPECT_EQ(when["detail"][0]["loc"], json::array({"body", "occurred_at"}));

  enrol();
  EXPECT_EQ(runs_of(flow), 1);

  auto runs = call("GET", "/api/flows/" + flow + "/runs");
  ASSERT_EQ(runs.status, 200) << runs.body;
  auto list = body_of(runs);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["customer_id"], user);
  EXPECT_EQ(list[0]["event_id"], accepted["id"]);
  EXPECT_EQ(list[0]["status"], "active");
  EXPECT_EQ(list[0]["deliveries"]["pending"], 1);
  EXPECT_EQ(list[0]["deliveries"]["sent"], 0);
}

TEST_F(FlowEventsApi, WritePathsRecordSignupAndOrderEvents) {
  auto signup = make_flow("signup");
  auto first = make_flow("first_purchase");
  auto completed = make_flow("order_completed");
  auto user = make_user("grace@example.org")["id"].get<std::string>();
  order(user, "pending");
  order(user, "completed");
  order(user, "Completed");
  EXPECT_EQ(sql_value("SELECT string_agg(type, ',' ORDER BY id)"
                      " FROM customer_events"),
            "signup,first_purchase,order_completed,order_completed");
  enrol();
  EXPECT_EQ(runs_of(signup), 1);
  EXPECT_EQ(runs_of(first), 1);
  EXPECT_EQ(runs_of(completed), 2);
}

TEST_F(FlowEventsApi, RunListsArePagedAndFiltered) {
  auto flow = make_flow("signup");
  for (int i = 0; i < 3; ++i)
    make_user("u" + std::to_string(i) + "@example.org");
  enrol();
  sql_value("UPDATE flow_runs SET status = 'exited', exit_reason = 'left"
            " segment' WHERE id = (SELECT min(id::text)::uuid FROM flow_runs)"
            " RETURNING id");

  auto first = call("GET", "/api/flows/" + flow + "/runs?limit=2");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(body_of(first).size(), 2u);
  EXPECT_EQ(first.header("x-total-count"), "3");
  auto cursor = first.header("x-next-cursor");
  ASSERT_FALSE(cursor.empty());
  auto rest =
      call("GET", "/api/flows/" + flow + "/runs?limit=2&cursor=" + cursor);
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(body_of(rest).size(), 1u);
  EXPECT_TRUE(rest.header("x-next-cursor").empty());

  auto exited = call("GET", "/api/flows/" + flow + "/runs?status=exited");
  ASSERT_EQ(exited.status, 200);
  auto list = body_of(exited);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["exit_reason"], "left segment");

  EXPECT_EQ(call("GET", "/api/flows/" + flow + "/runs?status=done").status,
            422);
  EXPECT_EQ(call("GET", "/api/flows/00000000-0000-0000-0000-000000000000/runs")
                .status,
            404);
}

} // namespace
