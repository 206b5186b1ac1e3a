#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "actors/ai/ai_metrics.hpp"
#include "actors/ai/offline/answers.hpp"
#include "actors/ai/offline/segment_reader.hpp"
#include "actors/ai/provider_reply.hpp"
#include "actors/ai/segment_check.hpp"
#include "storage/segments/definition.hpp"

namespace cdpd::actors::ai {
namespace {

using nlohmann::json;

// Sentences the engine must not turn into a segment: a wrong segment is
// worse than none, so each gives an empty criteria list and says why.
TEST(offline_reader, refuses_what_the_data_cannot_express) {
  for (const auto* sentence : {
           "customers aged over 30",
           "California customers older than 40",
           "women who spent over $500",
           "customers in Austin",
           "customers who clicked our last email",
           "people who abandoned their cart",
           "customers with more than 100 loyalty points",
           "loyal customers",
           "our best customers in Texas",
           "recently active customers",
           "customers over 500",
           "show me 42",
           "hello there",
           "",
           "customers who left a review",
           "Canadian customers who spent over $100",
       }) {
    SCOPED_TRACE(sentence);
    auto reading = offline::read_segment(sentence);
    EXPECT_TRUE(reading.definition["criteria"].empty())
        << reading.definition.dump();
    EXPECT_FALSE(reading.explanation.empty());
  }
}

TEST(offline_reader, names_what_it_refused) {
  auto reading = offline::read_segment("customers aged over 30");
  EXPECT_NE(reading.explanation.find("age"), std::string::npos)
      << reading.explanation;
  reading = offline::read_segment("customers over 500");
  EXPECT_NE(reading.explanation.find("500"), std::string::npos)
      << reading.explanation;
}

TEST(offline_reader, is_deterministic_and_always_parses) {
  for (const auto* sentence :
       {"VIPs: more than 10 orders or over $2000 spent",
        "customers in Texas who spent over $500 or have more than 5 orders",
        "customers who have never bought beauty products",
        "last ordered more than 120 days ago"}) {
    SCOPED_TRACE(sentence);
    auto a = offline::read_segment(sentence);
    auto b = offline::read_segment(sentence);
    EXPECT_EQ(a.definition, b.definition);
    EXPECT_TRUE(storage::segments::parse_definition(a.definition).ok());
    EXPECT_FALSE(a.definition["criteria"].empty());
  }
}

TEST(offline_reader, or_binds_tighter_than_and) {
  auto def = offline::read_segment(
                 "customers in Texas who spent over $500 or have more than 5 "
                 "orders")
                 .definition;
  EXPECT_EQ(def["logical_operator"], "AND");
  ASSERT_EQ(def["criteria"].size(), 2U);
  EXPECT_EQ(def["criteria"][1]["logical_operator"], "OR");
}

TEST(segment_check, drops_criteria_the_language_refuses_and_says_why) {
  auto answer = json::parse(R"({"logical_operator": "or", "criteria": [
      {"field": "total_order_value", "operator": "gt", "value": 500},
      {"field": "age", "operator": "gt", "value": 30},
      {"field": "order_count", "operator": "gtt", "value": 3},
      {"logical_operator": "AND", "criteria": [
        {"field": "shipping_state", "operator": "eq", "value": "CA"},
        {"field": "marketing_opt_in", "operator": "contains", "value": "x"}]},
      {"logical_operator": "AND", "criteria": [{"field": "shoe_size"}]}]})");
  auto checked = check_segment(answer);
  EXPECT_EQ(checked.definition["logical_operator"], "OR");
  ASSERT_EQ(checked.definition["criteria"].size(), 2U);
  EXPECT_EQ(checked.definition["criteria"][1]["criteria"].size(), 1U);
  ASSERT_EQ(checked.dropped.size(), 4U);
  EXPECT_NE(checked.dropped[0].reason.find("age"), std::string::npos)
      << checked.dropped[0].reason;
  EXPECT_TRUE(storage::segments::parse_definition(checked.definition).ok());
}

TEST(segment_check, refuses_what_is_not_a_definition) {
  for (const auto* text :
       {R"("text")", R"({"criteria": "all"})", R"({"logical_operator": "XOR",
        "criteria": [{"field": "order_count", "operator": "gt", "value": 1}]})",
        R"([1, 2])"}) {
    SCOPED_TRACE(text);
    auto checked = check_segment(json::parse(text));
    EXPECT_FALSE(checked.dropped.empty());
    EXPECT_TRUE(storage::segments::parse_definition(checked.definition).ok());
  }
}

TEST(offline_answers, flow_has_ordered_steps_that_end_with_exit) {
  auto def = offline::read_segment("have not ordered in 90 days").definition;
  auto flow = offline::flow_for("Lapsed buyers", def);
  EXPECT_EQ(flow["entry_condition_type"], "order_completed");
  EXPECT_NE(flow["name"].get<std::string>().find("Win-back"),
            std::string::npos);
  const auto& steps = flow["steps"];
  ASSERT_GE(steps.size(), 3U);
  ASSERT_LE(steps.size(), 6U);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i]["step_order"], i + 1);
    EXPECT_TRUE(steps[i]["config"].is_object());
    if (steps[i]["step_type"] == "WAIT") {
      auto days = steps[i]["config"]["duration_days"].get<int>();
      EXPECT_GE(days, 3);
      EXPECT_LE(days, 7);
    }
  }
  EXPECT_EQ(steps.back()["step_type"], "EXIT");
  auto welcome = offline::flow_for(
      "", offline::read_segment("customers with no orders").definition);
  EXPECT_EQ(welcome["entry_condition_type"], "signup");
}

TEST(offline_answers, campaign_has_a_send_time_and_its_reason) {
  auto def = offline::read_segment("spent over $2000").definition;
  auto campaign = offline::campaign_for("VIP", def, std::string{"VIP flow"});
  auto time = campaign["start_time_of_day"].get<std::string>();
  ASSERT_EQ(time.size(), 5U);
  EXPECT_EQ(time[2], ':');
  EXPECT_FALSE(
      campaign["time_recommendation_reason"].get<std::string>().empty());
  EXPECT_NE(campaign["description"].get<std::string>().find("VIP flow"),
            std::string::npos);
  EXPECT_EQ(campaign["recommendations"].size(), 3U);
  for (const auto* key : {"name", "description", "marketing_strategy"})
    EXPECT_TRUE(campaign[key].is_string()) << key;
}

TEST(offline_answers, chat_reads_the_question_as_a_segment) {
  auto answer = offline::chat_answer(
      "What should I send to customers who have not ordered in 60 days?", "");
  EXPECT_FALSE(answer["segment"]["criteria"].empty());
  EXPECT_NE(answer["segment_description"].get<std::string>().find("60"),
            std::string::npos);
  const auto& c = answer["campaign"];
  for (const auto* key : {"subject", "send_time", "send_date"})
    EXPECT_TRUE(c[key].is_string()) << key;
  EXPECT_EQ(c["content_ideas"].size(), 3U);
  auto vague = offline::chat_answer("How do I grow sales?", "");
  EXPECT_TRUE(vague["segment"]["criteria"].empty());
  EXPECT_TRUE(vague["explanation"].is_string());
}

TEST(offline_answers, step_content_has_subject_body_and_tone) {
  for (const auto* type : {"SEND_EMAIL", "SEND_PUSH"})
    for (int step : {1, 2, 3}) {
      auto content = offline::step_content("VIP customers", type, step);
      EXPECT_FALSE(content["subject"].get<std::string>().empty());
      EXPECT_FALSE(content["body_text"].get<std::string>().empty());
      EXPECT_EQ(content["tone"], "exclusive");
    }
}

TEST(provider_reply, extracts_the_object_from_fences_and_prose) {
  const json want = {{"logical_operator", "AND"}, {"criteria", json::array()}};
  for (const auto* content : {
           R"({"logical_operator": "AND", "criteria": []})",
           "  \n{\"logical_operator\": \"AND\", \"criteria\": []}\n",
           "```json\n{\"logical_operator\": \"AND\", \"criteria\": []}\n```",
           "Here you go:\n```\n{\"logical_operator\": \"AND\", \"criteria\": "
           "[]}\n```\nAnything else?",
           "```text\nno json here\n```\n```JSON\n{\"logical_operator\": "
           "\"AND\", "
           "\"criteria\": []}```",
           "Sure! {\"logical_operator\": \"AND\", \"criteria\": []} Hope it "
           "helps.",
       }) {
    SCOPED_TRACE(content);
    auto got = extract_json_object(content);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, want);
  }
  for (const auto* content : {"", "no json", "{not json}", "[1, 2]",
                              "} backwards {", "```json\n```"}) {
    SCOPED_TRACE(content);
    EXPECT_FALSE(extract_json_object(content).has_value());
  }
}

TEST(ai_metrics, counts_answers_by_route_engine_and_outcome) {
  prometheus::Registry registry;
  ai_metrics metrics{&registry};
  metrics.answered("segments/build", "offline", "ok", 0.001);
  metrics.answered("segments/build", "offline", "ok", 0.002);
  metrics.answered("segments/build", "offline", "refused", 0.001);
  double ok = 0;
  double refused = 0;
  std::uint64_t observed = 0;
  for (const auto& family : registry.Collect())
    for (const auto& m : family.metric) {
      if (family.name == "cdpd_ai_requests_total") {
        for (const auto& l : m.label)
          if (l.name == "outcome")
            (l.value == "ok" ? ok : refused) = m.counter.value;
      } else if (family.name == "cdpd_ai_latency_seconds") {
        observed += m.histogram.sample_count;
      }
    }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(refused, 1);
  EXPECT_EQ(observed, 3U);
  ai_metrics{nullptr}.answered("chat", "offline", "ok", 0.1); // no-op
}

} // namespace
} // namespace cdpd::actors::ai
