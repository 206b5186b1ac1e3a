// Which provider failures are retried, how long between tries, and that
// the deadline bounds them all; the pauses are recorded, not slept.
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "actors/ai/prompts.hpp"
#include "actors/ai/provider_retry.hpp"

namespace cdpd::actors::ai {
namespace {

using namespace std::chrono_literals;

struct scripted {
  explicit scripted(std::vector<attempt_result> r) : results(std::move(r)) {}

  std::vector<attempt_result> results;
  int calls = 0;
  std::vector<millis> pauses;

  attempt_fn attempt() {
    return [this](const provider_endpoint&, const chat_request&, millis) {
      auto i = std::min<std::size_t>(calls++, results.size() - 1);
      return results[i];
    };
  }
  sleep_fn sleep() {
    return [this](millis d) { pauses.push_back(d); };
  }
  call_outcome run(retry_plan plan = {}) {
    return call_with_retries(attempt(), {}, {}, plan, sleep());
  }
};

attempt_result of(attempt_kind kind, millis retry_after = millis{-1}) {
  attempt_result r;
  r.kind = kind;
  r.retry_after = retry_after;
  return r;
}

TEST(ProviderRetry, RetriesServerErrorsWithDoublingBackoff) {
  scripted s{{of(attempt_kind::server_error)}};
  auto out = s.run({3, 250ms, 20s});
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(out.last.kind, attempt_kind::server_error);
  EXPECT_EQ(s.pauses, (std::vector<millis>{250ms, 500ms}));
}

TEST(ProviderRetry, HonoursRetryAfter) {
  scripted s{{of(attempt_kind::rate_limited, 2s), of(attempt_kind::ok)}};
  auto out = s.run({3, 250ms, 20s});
  EXPECT_EQ(out.attempts, 2);
  EXPECT_EQ(out.last.kind, attempt_kind::ok);
  EXPECT_EQ(s.pauses, (std::vector<millis>{2s}));
}

TEST(ProviderRetry, ARetryAfterPastTheDeadlineEndsTheCall) {
  scripted s{{of(attempt_kind::rate_limited, 30s)}};
  auto out = s.run({3, 250ms, 20s});
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.last.retry_after, 30s);
  EXPECT_TRUE(s.pauses.empty());
}

TEST(ProviderRetry, NeverRetriesRefusals) {
  for (auto kind : {attempt_kind::auth_failed, attempt_kind::refused,
                    attempt_kind::bad_reply}) {
    scripted s{{of(kind)}};
    EXPECT_EQ(s.run().attempts, 1);
  }
}

TEST(ProviderRetry, RetriesTimeoutsAndUnreachableProviders) {
  for (auto kind : {attempt_kind::timed_out, attempt_kind::unreachable}) {
    scripted s{{of(kind), of(attempt_kind::ok)}};
    EXPECT_EQ(s.run().attempts, 2);
  }
}

TEST(Prompts, EveryRouteHasABuiltInPromptAskingForJson) {
  auto prompts = load_prompts("");
  for (const auto* route :
       {"segments/build", "flows/generate-from-segment", "campaigns/generate",
        "chat", "flows/generate-content"}) {
    const auto& text = prompt_for(prompts, route);
    EXPECT_NE(text.find("JSON"), std::string::npos) << route;
  }
  for (const auto* field :
       {"shipping_state", "marketing_opt_in", "total_order_value",
        "order_count", "lifetime_value", "average_order_value",
        "days_since_last_order", "last_order_date", "created_at", "between",
        "within_last_days", "not_in", "Electronics"})
    EXPECT_NE(prompts.segment.find(field), std::string::npos) << field;
  EXPECT_TRUE(prompt_for(prompts, "other").empty());
}

} // namespace
} // namespace cdpd::actors::ai
