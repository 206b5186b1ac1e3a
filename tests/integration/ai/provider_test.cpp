// The AI routes against an OpenAI-compatible provider: a fake one on
// loopback (fake_openai.py, Python's standard library) scripted per test,
// behind the real connector, its supervision proxy and breaker.
#include <chrono>
#include <string>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/atoms.hpp"
#include "actors/supervision/supervisor.hpp"
#include "net/ai/provider_setup.hpp"
#include "tests/integration/api/api_fixture.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

using namespace cdpd;
using namespace cdpd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int max_failures = 3;

/// The fake provider, started before the fixture so its URL is known.
struct fake_provider {
  uint16_t port = free_port();
  child_process process{
      {"/usr/bin/python3",
       std::string{CDPD_SOURCE_DIR} + "/tests/integration/ai/fake_openai.py",
       "--port=" + std::to_string(port)}};

  fake_provider() {
    bool up = wait_until(
        [&] {
          try {
            return http_call(port, "GET", "/requests", {}, {}, 1s).status ==
                   200;
          } catch (const std::exception&) {
            return false;
          }
        },
        20s);
    if (!up)
      throw std::runtime_error("fake provider did not start: " +
                               process.output());
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port) + "/v1";
  }

  /// Scripts the next replies (then `fallback`) and forgets the requests.
  void script(json replies, json fallback = {{"content", "{}"}}) {
    json control = {{"replies", std::move(replies)},
                    {"default", std::move(fallback)}};
    ASSERT_EQ(http_call(port, "POST", "/control", control.dump()).status, 200);
  }

  json requests() {
    return json::parse(http_call(port, "GET", "/requests").body);
  }
};

config::ai_settings ai_settings_for(const std::string& url) {
  config::ai_settings s;
  s.base_url = url;
  s.api_key = "sk-test-key";
  s.model = "test-model";
  s.timeout = std::chrono::milliseconds{5'000};
  s.max_tokens = 321;
  s.temperature = "0.3";
  return s;
}

actors::supervision_policy connector_policy() {
  actors::supervision_policy p;
  p.name = "connector";
  p.breaker.enabled = true;
  p.breaker.max_failures = max_failures;
  p.breaker.reset_timeout = 60s;
  p.breaker.max_reset_timeout = 60s;
  p.retry.max_attempts = 3;
  p.retry.backoff = 50ms;
  return p;
}

class ai_provider : public api_fixture {
protected:
  static inline fake_provider* fake = nullptr;

  static void SetUpTestSuite() { fake = new fake_provider; }
  static void TearDownTestSuite() {
    delete fake;
    fake = nullptr;
  }

  ai_provider() : api_fixture({}, ai_settings_for(fake->url()), true) {
    actors::supervisor_spec spec;
    spec.name = "root";
    auto child = net::ai::provider_child(ai_settings_for(fake->url()),
                                         connector_policy());
    if (!child)
      throw std::runtime_error("provider_child failed");
    spec.children.push_back(std::move(*child));
    root = actors::spawn_supervisor(*sys, std::move(spec));
    sys->registry().put(caf::atom("root"),
                        caf::actor_cast<caf::strong_actor_ptr>(root));
    if (!wait_until([&] { return sys->registry().get(caf::atom("ai")); }, 5s))
      throw std::runtime_error("the connector did not start");
  }

  ~ai_provider() override {
    caf::scoped_actor self{*sys};
    self->request(root, caf::duration{10s}, actors::shutdown_atom::value)
        .receive([] {}, [](caf::error&) {});
    sys->registry().erase(caf::atom("root"));
  }

  json build(const std::string& prompt) {
    return call_json("POST", "/api/ai/segments/build", {{"prompt", prompt}},
                     200);
  }

  caf::actor root;
};

const std::string texas_definition =
    R"({"logical_operator":"AND","criteria":[{"field":"shipping_state",)"
    R"("operator":"eq","value":"TX"},{"field":"total_order_value",)"
    R"("operator":"gt","value":500}],"explanation":"Texans over $500."})";

TEST_F(ai_provider, AGoodAnswerIsCheckedAndNamesTheModel) {
  fake->script(json::array({{{"content", texas_definition}}}));
  auto answer = build("Texas customers who spent over $500");
  EXPECT_EQ(answer["engine"], "fake-model");
  ASSERT_EQ(answer["criteria"].size(), 2u);
  EXPECT_EQ(answer["criteria"][0]["value"], "TX");
  EXPECT_EQ(answer["dropped"], json::array());
  EXPECT_EQ(answer["explanation"], "Texans over $500.");
  EXPECT_FALSE(answer.contains("error"));

  // What cdpd sent: the model, both messages, the limits and the key.
  auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["path"], "/v1/chat/completions");
  EXPECT_EQ(sent[0]["authorization"], "Bearer sk-test-key");
  const auto& body = sent[0]["body"];
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["max_tokens"], 321);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.3);
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  auto system = body["messages"][0]["content"].get<std::string>();
  for (const auto* word : {"shipping_state", "days_since_last_order",
                           "within_last_days", "Electronics", "JSON"})
    EXPECT_NE(system.find(word), std::string::npos) << word;
  EXPECT_EQ(body["messages"][1]["role"], "user");
  EXPECT_NE(body["messages"][1]["content"].get<std::string>().find(
                "Texas customers who spent over $500"),
            std::string::npos);

  // The audit row has the model and the provider's token counts.
  ASSERT_TRUE(wait_until(
      [&] { return sql_value("SELECT count(*) FROM ai_requests") == "1"; },
      5s));
  EXPECT_EQ(sql_value("SELECT engine || ' ' || tokens_in || ' ' || "
                      "tokens_out FROM ai_requests"),
            "fake-model 11 7");
}

TEST_F(ai_provider, ARepeatIsACacheHitAndDoesNotReachTheProvider) {
  fake->script(json::array({{{"content", texas_definition}}}));
  auto first = build("Texas customers who spent over $500");
  // The same question, up to case and white space.
  auto second = build("  texas CUSTOMERS who spent   over $500 ");
  EXPECT_EQ(second, first);
  EXPECT_EQ(second["engine"], "fake-model");
  EXPECT_EQ(fake->requests().size(), 1u);
  ASSERT_TRUE(wait_until(
      [&] { return sql_value("SELECT count(*) FROM ai_requests") == "2"; },
      5s));
  EXPECT_EQ(sql_value("SELECT string_agg(cache_hit::text || ' ' || "
                      "tokens_in, ',' ORDER BY cache_hit) FROM ai_requests"),
            "false 11,true 0");
}

TEST_F(ai_provider, ProseAroundTheJsonIsReadThrough) {
  fake->script(json::array(
      {{{"content", "Sure! Here it is:\n```json\n" + texas_definition +
                        "\n```\nHope that helps."}}}));
  auto answer = build("Texas customers who spent over $500");
  EXPECT_EQ(answer["engine"], "fake-model");
  EXPECT_EQ(answer["criteria"].size(), 2u);
}

TEST_F(ai_provider, InvalidJsonFallsBackToTheOfflineEngine) {
  fake->script(json::array({{{"content", "I think {texas, big spenders"}}}));
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "api_error");
  ASSERT_EQ(answer["criteria"].size(), 1u);
  EXPECT_EQ(answer["criteria"][0]["value"], "TX");
  EXPECT_EQ(fake->requests().size(), 1u); // a bad reply is not retried
}

TEST_F(ai_provider, AnUnknownFieldIsDroppedAndReported) {
  fake->script(json::array(
      {{{"content", R"({"logical_operator":"AND","criteria":[{"field":"age",)"
                    R"("operator":"gt","value":30},{"field":"shipping_state",)"
                    R"("operator":"eq","value":"CA"}],"explanation":"x"})"}}}));
  auto answer = build("Californians over 30");
  EXPECT_EQ(answer["engine"], "fake-model");
  ASSERT_EQ(answer["criteria"].size(), 1u);
  EXPECT_EQ(answer["criteria"][0]["field"], "shipping_state");
  ASSERT_EQ(answer["dropped"].size(), 1u);
  EXPECT_EQ(answer["dropped"][0]["criterion"]["field"], "age");
  EXPECT_NE(answer["explanation"].get<std::string>().find("Left out 1"),
            std::string::npos);
}

TEST_F(ai_provider, A429IsRetriedAfterItsRetryAfter) {
  fake->script(json::array({{{"status", 429},
                             {"headers", {{"Retry-After", "1"}}},
                             {"body", {{"error", {{"message", "slow down"}}}}}},
                            {{"content", texas_definition}}}));
  auto started = std::chrono::steady_clock::now();
  auto answer = build("Texas customers who spent over $500");
  EXPECT_EQ(answer["engine"], "fake-model");
  EXPECT_EQ(fake->requests().size(), 2u);
  // The second attempt waited for the pause the provider asked for.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 1s);
}

TEST_F(ai_provider, A429PastTheTimeoutIsQuotaExceededWithRetryAfter) {
  fake->script(json::array(), {{"status", 429},
                               {"headers", {{"Retry-After", "30"}}},
                               {"body", {{"error", {{"message", "quota"}}}}}});
  auto reply = call("POST", "/api/ai/segments/build",
                    json{{"prompt", "customers in Texas"}}.dump());
  ASSERT_EQ(reply.status, 200);
  auto answer = body_of(reply);
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "quota_exceeded");
  EXPECT_EQ(answer["error"]["retry_after"], 30);
  EXPECT_EQ(answer["error"]["type"], "urn:cdpd:problem:quota_exceeded");
  EXPECT_EQ(reply.header("retry-after"), "30");
  EXPECT_EQ(answer["criteria"].size(), 1u); // the offline engine's reading
  EXPECT_EQ(fake->requests().size(), 1u);
}

TEST_F(ai_provider, A401IsNotRetried) {
  fake->script(json::array(),
               {{"status", 401},
                {"body", {{"error", {{"message", "Incorrect API key"}}}}}});
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "authentication_error");
  EXPECT_EQ(answer["error"]["message"],
            "Invalid API key or authentication failed.");
  EXPECT_EQ(fake->requests().size(), 1u);
  EXPECT_EQ(answer["error"]["details"].get<std::string>().find("sk-test"),
            std::string::npos);
}

TEST_F(ai_provider, Another4xxIsNotRetried) {
  fake->script(json::array(), {{"status", 400}});
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "api_error");
  EXPECT_EQ(fake->requests().size(), 1u);
}

TEST_F(ai_provider, A500IsRetriedUpToTheAttemptLimit) {
  fake->script(json::array(), {{"status", 500}});
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "provider_unavailable");
  EXPECT_EQ(fake->requests().size(), 3u);
}

TEST_F(ai_provider, AStallEndsAtTheTimeoutWithTheOfflineAnswer) {
  fake->script(json::array(),
               {{"content", texas_definition}, {"delay_ms", 8'000}});
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "provider_unavailable");
  EXPECT_EQ(answer["criteria"].size(), 1u);
  // The one attempt took the whole of ai.timeout: none was left to retry.
  EXPECT_EQ(fake->requests().size(), 1u);
}

TEST_F(ai_provider, TheBreakerOpensAndTheOfflineEngineAnswersAtOnce) {
  fake->script(json::array(), {{"status", 503}});
  for (int i = 0; i < max_failures; ++i)
    EXPECT_EQ(build("customers in Texas")["error"]["error"],
              "provider_unavailable");
  auto reached = fake->requests().size();
  EXPECT_EQ(reached, 3u * max_failures);
  auto answer = build("customers in Texas");
  EXPECT_EQ(answer["engine"], "offline");
  EXPECT_EQ(answer["error"]["error"], "provider_unavailable");
  EXPECT_NE(answer["error"]["message"].get<std::string>().find("breaker"),
            std::string::npos);
  EXPECT_GE(answer["error"]["retry_after"].get<int>(), 1);
  EXPECT_EQ(fake->requests().size(), reached); // not called while open

  auto breakers = call_json("GET", "/admin/breakers", nullptr, 200);
  bool listed = false;
  for (const auto& b : breakers["breakers"])
    if (b["name"] == "ai") {
      listed = true;
      EXPECT_EQ(b["state"], "open");
    }
  EXPECT_TRUE(listed) << breakers.dump();
}

TEST_F(ai_provider, EveryRouteUsesTheProvider) {
  fake->script(json::array(
      {{{"content",
         R"({"entry_condition_type":"signup","name":"Welcome","entry_condition":"on signup",)"
         R"("steps":[{"step_type":"SEND_EMAIL","config":{"subject":"Hi","body_text":"Hello"}},)"
         R"({"step_type":"WAIT","config":{"duration_days":3}},{"step_type":"EXIT","config":{}}]})"}},
       {{"content",
         R"({"name":"VIP","description":"d","start_time_of_day":"7:30",)"
         R"("time_recommendation_reason":"r","marketing_strategy":"s","recommendations":["a"]})"}},
       {{"content",
         R"({"segment_description":"Floridians","segment":{"logical_operator":"AND",)"
         R"("criteria":[{"field":"shipping_state","operator":"eq","value":"FL"}]},)"
         R"("campaign":{"subject":"Sun","send_time":"Morning","send_date":"Friday",)"
         R"("content_ideas":["a","b","c"]},"explanation":"e"})"}},
       {{"content", R"({"subject":"S","body_text":"B","tone":"friendly"})"}}}));
  auto segment = make_segment("VIP Customers");
  auto flow = call_json("POST", "/api/ai/flows/generate-from-segment",
                        {{"segment_id", segment}}, 200);
  EXPECT_EQ(flow["engine"], "fake-model");
  EXPECT_EQ(flow["steps"].size(), 3u);
  EXPECT_EQ(flow["steps"][2]["step_order"], 3);
  auto campaign = call_json("POST", "/api/ai/campaigns/generate",
                            {{"segment_id", segment}}, 200);
  EXPECT_EQ(campaign["engine"], "fake-model");
  EXPECT_EQ(campaign["start_time_of_day"], "07:30");
  auto chat = call_json("POST", "/api/ai/chat", {{"prompt", "Florida?"}}, 200);
  EXPECT_EQ(chat["engine"], "fake-model");
  EXPECT_EQ(chat["segment"]["criteria"].size(), 1u);
  EXPECT_EQ(chat["campaign"]["content_ideas"].size(), 3u);
  auto content = call_json("POST", "/api/ai/flows/generate-content",
                           {{"segment_description", "VIP"},
                            {"step_type", "SEND_EMAIL"},
                            {"step_number", 1}},
                           200);
  EXPECT_EQ(content["engine"], "fake-model");
  EXPECT_EQ(content["subject"], "S");
  EXPECT_EQ(fake->requests().size(), 4u);
}

} // namespace
