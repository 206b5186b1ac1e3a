// Contract tests of /api/flows (with steps) and /api/campaigns.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class flows_campaigns_api : public api_fixture {};

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

json two_steps() {
  return json::array({{{"step_type", "WAIT"},
                       {"config", {{"duration_days", 3}}},
                       {"step_order", 2}},
                      {{"step_type", "SEND_EMAIL"},
                       {"config", {{"subject", "Hi"}, {"body_text", "Hello"}}},
                       {"step_order", 1},
                       {"next_step_id", "ignored"}}});
}

TEST_F(flows_campaigns_api, FlowCreateChainsStepsInOrder) {
  auto segment = make_segment("VIP");
  auto flow = call_json("POST", "/api/flows/",
                        {{"segment_id", segment},
                         {"name", "Welcome"},
                         {"entry_condition_type", "signup"},
                         {"entry_condition", ""},
                         {"steps", two_steps()}},
                        200);
  auto id = flow["id"].get<std::string>();
  EXPECT_TRUE(looks_like_uuid(id));
  EXPECT_EQ(flow["entry_condition"], "");
  EXPECT_FALSE(flow.contains("steps"));
  auto steps = call_json("GET", "/api/flows/" + id + "/steps", nullptr, 200);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0]["step_type"], "SEND_EMAIL");
  EXPECT_EQ(steps[0]["config"]["subject"], "Hi");
  EXPECT_EQ(steps[0]["next_step_id"], steps[1]["id"]);
  EXPECT_TRUE(steps[1]["next_step_id"].is_null());
  EXPECT_EQ(steps[1]["config"]["duration_days"], 3);
  for (auto path : {"/api/flows/", "/api/flows"})
    EXPECT_EQ(call_json("GET", path, nullptr, 200).size(), 1u);
  EXPECT_EQ(call_json("GET", "/api/flows/" + id, nullptr, 200), flow);
  EXPECT_EQ(
      call_json("GET", "/api/flows/" + missing_id + "/steps", nullptr, 200),
      json::array());
}

TEST_F(flows_campaigns_api, FlowErrors) {
  for (auto segment : {missing_id, std::string{}}) {
    auto reply =
        call("POST", "/api/flows/", json{{"segment_id", segment}}.dump());
    EXPECT_EQ(reply.status, 404);
    EXPECT_EQ(body_of(reply)["detail"], "Segment not found");
  }
  auto segment = make_segment("S");
  auto bad_step =
      call("POST", "/api/flows/",
           json{{"segment_id", segment}, {"steps", {{{"step_type", "WAIT"}}}}}
               .dump());
  ASSERT_EQ(bad_step.status, 422);
  auto detail = body_of(bad_step)["detail"];
  ASSERT_EQ(detail.size(), 2u);
  EXPECT_EQ(detail[0]["loc"], json({"body", "steps", 0, "config"}));
  EXPECT_EQ(detail[1]["loc"], json({"body", "steps", 0, "step_order"}));
  for (auto [method, path] :
       {std::pair{"GET", "/api/flows/" + missing_id},
        std::pair{"PUT", "/api/flows/" + missing_id},
        std::pair{"DELETE", "/api/flows/" + missing_id}}) {
    auto reply = call(method, path, method == std::string{"PUT"} ? "{}" : "");
    EXPECT_EQ(reply.status, 404) << method;
    EXPECT_EQ(body_of(reply)["detail"], "Flow not found");
  }
}

TEST_F(flows_campaigns_api, UnknownPlaceholdersAreRefusedWhenSaved) {
  auto segment = make_segment("S");
  auto step = [](const std::string& subject, const std::string& body) {
    return json{{"step_type", "SEND_EMAIL"},
                {"step_order", 1},
                {"config", {{"subject", subject}, {"body_text", body}}}};
  };
  auto refused =
      call("POST", "/api/flows/",
           json{{"segment_id", segment},
                {"steps", {step("Hi {{first_name}}", "Dear {{ name }},")}}}
               .dump());
  ASSERT_EQ(refused.status, 422);
  auto detail = body_of(refused)["detail"];
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["loc"],
            json({"body", "steps", 0, "config", "body_text"}));
  EXPECT_NE(detail[0]["msg"].get<std::string>().find("unknown placeholder "
                                                     "'name'"),
            std::string::npos)
      << detail;
  EXPECT_NE(detail[0]["msg"].get<std::string>().find("first_name"),
            std::string::npos);
  EXPECT_EQ(sql_value("SELECT count(*) FROM flows"), "0");

  auto flow = call_json(
      "POST", "/api/flows/",
      json{{"segment_id", segment},
           {"steps", {step("Hi {{ first_name }}", "{{unsubscribe_url}}")}}},
      200);
  auto id = flow["id"].get<std::string>();
  auto bad = call("POST", "/api/flows/" + id + "/steps",
                  step("{{coupon}}", "x").dump());
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(body_of(bad)["detail"][0]["loc"],
            json({"body", "config", "subject"}));
  auto unclosed = call("POST", "/api/flows/" + id + "/steps",
                       step("Hi", "Dear {{first_name").dump());
  EXPECT_EQ(unclosed.status, 422);
}

TEST_F(flows_campaigns_api, FlowUpdateStepsAndDelete) {
  auto segment = make_segment("S");
  auto id = call_json("POST", "/api/flows/",
                      {{"segment_id", segment}, {"name", "A"}}, 200)["id"]
                .get<std::string>();
  auto updated =
      call_json("PUT", "/api/flows/" + id,
                {{"name", "B"}, {"entry_condition_type", "signup"}}, 200);
  EXPECT_EQ(updated["name"], "B");
  auto step = call_json(
      "POST", "/api/flows/" + id + "/steps",
      {{"step_type", "EXIT"}, {"config", json::object()}, {"step_order", 1}},
      200);
  auto sid = step["id"].get<std::string>();
  EXPECT_EQ(step["flow_id"], id);
  auto replaced = call_json("PUT", "/api/flows/" + id + "/steps/" + sid,
                            {{"step_type", "SEND_PUSH"},
                             {"config", {{"title", "T"}, {"message", "M"}}},
                             {"step_order", 5}},
                            200);
  EXPECT_EQ(replaced["step_type"], "SEND_PUSH");
  EXPECT_EQ(replaced["step_order"], 5);
  auto other =
      call_json("POST", "/api/flows/", {{"segment_id", segment}}, 200)["id"]
          .get<std::string>();
  auto wrong_flow = call("DELETE", "/api/flows/" + other + "/steps/" + sid);
  EXPECT_EQ(wrong_flow.status, 404);
  EXPECT_EQ(body_of(wrong_flow)["detail"], "Flow step not found");
  auto no_flow = call(
      "POST", "/api/flows/" + missing_id + "/steps",
      json{{"step_type", "EXIT"}, {"config", json::object()}, {"step_order", 1}}
          .dump());
  EXPECT_EQ(no_flow.status, 404);
  EXPECT_EQ(body_of(no_flow)["detail"], "Flow not found");
  EXPECT_EQ(
      call_json("DELETE", "/api/flows/" + id + "/steps/" + sid, nullptr, 200),
      json({{"message", "Flow step deleted successfully"}}));
  call_json(
      "POST", "/api/flows/" + id + "/steps",
      {{"step_type", "EXIT"}, {"config", json::object()}, {"step_order", 1}},
      200);
  EXPECT_EQ(call_json("DELETE", "/api/flows/" + id, nullptr, 200),
            json({{"message", "Flow deleted successfully"}}));
  EXPECT_EQ(sql_value("SELECT count(*) FROM flow_steps"), "0");
}

TEST_F(flows_campaigns_api, CampaignCreateDefaultsAndDates) {
  auto segment = make_segment("S");
  auto c = call_json("POST", "/api/campaigns/",
                     {{"segment_id", segment},
                      {"name", "Spring"},
                      {"start_time", "2024-04-01T09:30:00Z"},
                      {"start_date", "2024-04-01"},
                      {"start_time_of_day", "09:30"}},
                     200);
  EXPECT_EQ(c["status"], "draft");
  EXPECT_TRUE(c["flow_id"].is_null());
  EXPECT_EQ(c["start_time"], "2024-04-01T09:30:00");
  EXPECT_EQ(c["start_date"], "2024-04-01T00:00:00");
  EXPECT_EQ(c["start_time_of_day"], "09:30");
  auto id = c["id"].get<std::string>();
  // The edit round trip sends start_date back as a date-time: kept.
  auto edited = call_json(
      "PUT", "/api/campaigns/" + id,
      {{"start_date", "2024-04-01T00:00:00"}, {"description", "d"}}, 200);
  EXPECT_EQ(edited["start_date"], "2024-04-01T00:00:00");
  EXPECT_EQ(edited["description"], "d");
  auto garbage = call_json("PUT", "/api/campaigns/" + id,
                           {{"start_time", "not a time"}}, 200);
  EXPECT_TRUE(garbage["start_time"].is_null());
  for (auto path : {"/api/campaigns/", "/api/campaigns"})
    EXPECT_EQ(call_json("GET", path, nullptr, 200).size(), 1u);
  EXPECT_EQ(call_json("GET", "/api/campaigns/" + id + "/", nullptr, 200),
            garbage);
}

TEST_F(flows_campaigns_api, CampaignErrorsStatusFlowAndDelete) {
  auto segment = make_segment("S");
  auto no_segment =
      call("POST", "/api/campaigns/",
           json{{"segment_id", missing_id}, {"name", "x"}}.dump());
  EXPECT_EQ(no_segment.status, 404);
  EXPECT_EQ(body_of(no_segment)["detail"], "Segment not found");
  auto no_flow =
      call("POST", "/api/campaigns/",
           json{{"segment_id", segment}, {"name", "x"}, {"flow_id", missing_id}}
               .dump());
  EXPECT_EQ(no_flow.status, 404);
  EXPECT_EQ(body_of(no_flow)["detail"], "Flow not found");
  EXPECT_EQ(
      call("POST", "/api/campaigns/", json{{"segment_id", segment}}.dump())
          .status,
      422);

  auto id = call_json("POST", "/api/campaigns/",
                      {{"segment_id", segment}, {"name", "C"}}, 200)["id"]
                .get<std::string>();
  auto status = call_json(
      "PUT", "/api/campaigns/" + id + "/status?status=active", nullptr, 200);
  EXPECT_EQ(status["status"], "active");
  auto invalid = call("PUT", "/api/campaigns/" + id + "/status?status=running");
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(body_of(invalid)["detail"],
            "Invalid status. Must be: draft, active, paused, or completed");
  auto missing_param = call("PUT", "/api/campaigns/" + id + "/status");
  EXPECT_EQ(missing_param.status, 422);
  EXPECT_EQ(body_of(missing_param)["detail"][0]["loc"],
            json({"query", "status"}));
  auto unknown =
      call("PUT", "/api/campaigns/" + missing_id + "/status?status=running");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(body_of(unknown)["detail"], "Campaign not found");

  auto no_flow_yet = call("GET", "/api/campaigns/" + id + "/flow");
  EXPECT_EQ(no_flow_yet.status, 404);
  EXPECT_EQ(body_of(no_flow_yet)["detail"],
            "No flow associated with this campaign");
  auto flow = call_json("POST", "/api/flows/", {{"segment_id", segment}}, 200);
  call_json("PUT", "/api/campaigns/" + id, {{"flow_id", flow["id"]}}, 200);
  EXPECT_EQ(call_json("GET", "/api/campaigns/" + id + "/flow", nullptr, 200),
            flow);
  EXPECT_EQ(call("GET", "/api/campaigns/" + missing_id + "/flow").status, 404);

  EXPECT_EQ(call_json("DELETE", "/api/campaigns/" + id, nullptr, 200),
            json({{"message", "Campaign deleted successfully"}}));
  EXPECT_EQ(sql_value("SELECT count(*) FROM flows"), "1"); // flow kept
  auto gone = call("DELETE", "/api/campaigns/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(body_of(gone)["detail"], "Campaign not found");
  EXPECT_EQ(call("GET", "/api/campaigns/" + id).status, 404);
}

} // namespace
