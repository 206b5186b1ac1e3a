// The audit of the AI routes: every call is a row of ai_requests, listed
// newest first at GET /api/ai/requests.
#include <chrono>
#include <set>
#include <thread>

#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class ai_audit : public api_fixture {
protected:
  /// The audit rows, once there are `n` (rows are written after the answer
  /// is sent).
  json rows(std::size_t n) {
    json list;
    for (int i = 0; i < 200; ++i) {
      list = call_json("GET", "/api/ai/requests?limit=50", nullptr,
                       200)["requests"];
      if (list.size() >= n)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return list;
  }
};

TEST_F(ai_audit, RecordsEveryCallWithItsEngineAndOutcome) {
  call_json("POST", "/api/ai/segments/build",
            {{"prompt", "customers in Texas"}}, 200);
  call_json("POST", "/api/ai/segments/build",
            {{"prompt", "customers aged over 30"}}, 200);
  EXPECT_EQ(call("POST", "/api/ai/chat", "{}").status, 422);
  auto list = rows(3);
  ASSERT_EQ(list.size(), 3u);
  std::set<std::string> seen;
  for (const auto& r : list) {
    seen.insert(r["route"].get<std::string>() + " " +
                r["outcome"].get<std::string>() + " " +
                r["engine"].get<std::string>() + " " +
                r["prompt"].get<std::string>());
    EXPECT_FALSE(r["account"].get<std::string>().empty());
    EXPECT_GE(r["latency_ms"].get<double>(), 0);
    EXPECT_EQ(r["tokens_in"], 0);
    EXPECT_EQ(r["cache_hit"], false);
    EXPECT_TRUE(looks_like_naive_iso(r["created_at"].get<std::string>()));
  }
  EXPECT_EQ(seen, (std::set<std::string>{
                      "segments/build ok offline customers in Texas",
                      "segments/build refused offline customers aged over 30",
                      "chat invalid none {}"}));
  EXPECT_GT(list[0]["id"].get<std::int64_t>(),
            list[1]["id"].get<std::int64_t>());
}

TEST_F(ai_audit, PagesNewestFirst) {
  for (const auto* prompt : {"opted in", "repeat customers", "no orders"})
    call_json("POST", "/api/ai/segments/build", {{"prompt", prompt}}, 200);
  auto all = rows(3);
  ASSERT_EQ(all.size(), 3u);
  auto first = call_json("GET", "/api/ai/requests?limit=2", nullptr, 200);
  ASSERT_EQ(first["requests"].size(), 2u);
  EXPECT_EQ(first["requests"][0]["id"], all[0]["id"]);
  auto next = first["next_before"].get<std::int64_t>();
  auto rest = call_json(
      "GET", "/api/ai/requests?limit=2&before=" + std::to_string(next), nullptr,
      200);
  ASSERT_EQ(rest["requests"].size(), 1u);
  EXPECT_EQ(rest["requests"][0]["id"], all[2]["id"]);
  EXPECT_TRUE(rest["next_before"].is_null());
  EXPECT_EQ(call("GET", "/api/ai/requests?limit=0").status, 422);
}

} // namespace
