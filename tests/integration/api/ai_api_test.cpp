// Contract tests of the AI routes (eca2-api-contract.md rows 22-25 and
// section 3.6) on the offline engine.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class ai_api : public api_fixture {};

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

TEST_F(ai_api, BuildsACheckedSegmentTheSegmentRoutesAccept) {
  auto answer = call_json(
      "POST", "/api/ai/segments/build",
      {{"prompt", "Texas customers who spent over $500 or have more than 5 "
                  "orders"}},
      200);
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["logical_operator"], "AND");
  ASSERT_EQ(answer["criteria"].size(), 2u);
  EXPECT_EQ(answer["criteria"][0]["value"], "TX");
  EXPECT_EQ(answer["dropped"], json::array());
  EXPECT_TRUE(answer["explanation"].is_string());
  // What the Segments page does next: save it.
  call_json("POST", "/api/segments/",
            {{"name", "Generated"},
             {"definition",
              {{"logical_operator", answer["logical_operator"]},
               {"criteria", answer["criteria"]}}}},
            200);
}

TEST_F(ai_api, RefusesWithEmptyCriteriaRatherThanGuessing) {
  auto answer = call_json("POST", "/api/ai/segments/build",
                          {{"prompt", "customers aged over 30"}}, 200);
  EXPECT_EQ(answer["criteria"], json::array());
  EXPECT_NE(answer["explanation"].get<std::string>().find("age"),
            std::string::npos);
  EXPECT_EQ(answer["engine"], "offline");
}

TEST_F(ai_api, CapsPromptsAndValidatesBodies) {
  auto at_cap = call("POST", "/api/ai/segments/build",
                     json{{"prompt", std::string(2000, 'a')}}.dump());
  EXPECT_EQ(at_cap.status, 200);
  auto over = call("POST", "/api/ai/segments/build",
                   json{{"prompt", std::string(2001, 'a')}}.dump());
  ASSERT_EQ(over.status, 422);
  EXPECT_EQ(body_of(over)["detail"][0]["loc"], json::array({"body", "prompt"}));
  EXPECT_EQ(call("POST", "/api/ai/segments/build", "{}").status, 422);
  EXPECT_EQ(call("POST", "/api/ai/chat", "not json").status, 422);
  EXPECT_EQ(
      call("POST", "/api/ai/chat",
           json{{"prompt", "hi"}, {"context", std::string(2001, 'c')}}.dump())
          .status,
      422);
  EXPECT_EQ(
      call("POST", "/api/ai/flows/generate-content",
           json{{"segment_description", "VIP"}, {"step_type", "WAIT"}}.dump())
          .status,
      422);
}

TEST_F(ai_api, GeneratesAFlowTheFlowRoutesAccept) {
  auto segment = call_json(
      "POST", "/api/segments/",
      {{"name", "Lapsed"},
       {"definition",
        {{"logical_operator", "AND"},
         {"criteria", json::array({{{"field", "days_since_last_order"},
                                    {"operator", "gt"},
                                    {"value", 90}}})}}}},
      200)["id"];
  auto flow = call_json("POST", "/api/ai/flows/generate-from-segment",
                        {{"segment_id", segment}}, 200);
  EXPECT_EQ(flow["engine"], "offline");
  EXPECT_EQ(flow["entry_condition_type"], "order_completed");
  EXPECT_NE(flow["name"].get<std::string>().find("Lapsed"), std::string::npos);
  ASSERT_GE(flow["steps"].size(), 3u);
  // What the Flows page does next: save it with its steps.
  call_json("POST", "/api/flows/",
            {{"segment_id", segment},
             {"name", flow["name"]},
             {"entry_condition_type", flow["entry_condition_type"]},
             {"entry_condition", flow["entry_condition"]},
             {"steps", flow["steps"]}},
            200);
  auto missing = call("POST", "/api/ai/flows/generate-from-segment",
                      json{{"segment_id", missing_id}}.dump());
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["detail"], "Segment not found");
}

TEST_F(ai_api, GeneratesACampaignWithASendTimeAndReason) {
  auto segment = make_segment("VIP Customers");
  auto flow =
      call_json("POST", "/api/flows/",
                {{"segment_id", segment}, {"name", "VIP journey"}}, 200)["id"];
  auto campaign = call_json("POST", "/api/ai/campaigns/generate",
                            {{"segment_id", segment}, {"flow_id", flow}}, 200);
  EXPECT_EQ(campaign["engine"], "offline");
  EXPECT_EQ(campaign["start_time_of_day"], "19:00");
  EXPECT_FALSE(
      campaign["time_recommendation_reason"].get<std::string>().empty());
  EXPECT_NE(campaign["description"].get<std::string>().find("VIP journey"),
            std::string::npos);
  // An unknown flow is ignored; an unknown segment is 404.
  call_json("POST", "/api/ai/campaigns/generate",
            {{"segment_id", segment}, {"flow_id", missing_id}}, 200);
  EXPECT_EQ(call("POST", "/api/ai/campaigns/generate",
                 json{{"segment_id", missing_id}}.dump())
                .status,
            404);
}

TEST_F(ai_api, ChatAnswersWithACampaignAndACheckedSegment) {
  auto answer = call_json(
      "POST", "/api/ai/chat",
      {{"prompt", "What should I send to opted in customers in Florida?"}},
      200);
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_TRUE(answer["segment_description"].is_string());
  for (const auto* key : {"subject", "send_time", "send_date"})
    EXPECT_TRUE(answer["campaign"][key].is_string()) << key;
  EXPECT_EQ(answer["campaign"]["content_ideas"].size(), 3u);
  EXPECT_EQ(answer["segment"]["criteria"].size(), 2u);
  EXPECT_EQ(answer["segment"]["dropped"], json::array());
}

TEST_F(ai_api, GeneratesStepContent) {
  auto content = call_json("POST", "/api/ai/flows/generate-content",
                           {{"segment_description", "New customers"},
                            {"step_type", "SEND_EMAIL"},
                            {"step_number", 2}},
                           200);
  EXPECT_EQ(content["engine"], "offline");
  for (const auto* key : {"subject", "body_text", "tone"})
    EXPECT_FALSE(content[key].get<std::string>().empty()) << key;
}

} // namespace
