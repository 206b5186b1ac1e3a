// Chaos: a connector that fails 30% of calls and crashes on 1%, driven by
// 10,000 calls from 100 concurrent callers. Every call ends (a reply or an
// error, never the caller's own timeout), the supervisor survives, and the
// counters add up exactly.
#include <atomic>
#include <random>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/atoms.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"
#include "storage/errc.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/actors/supervision_support.hpp"

using namespace cdpd::actors;
using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

constexpr int callers = 100;
constexpr int calls_per_caller = 100;
constexpr int total_calls = callers * calls_per_caller;

/// Far longer than any call may take; a call that reaches it is a hang.
constexpr auto caller_deadline = 30s;

struct tally {
  std::atomic<int> replies{0};
  std::atomic<int> errors{0};
  std::atomic<int> rejected{0}; ///< circuit_open
  std::atomic<int> hung{0};     ///< the caller's own timeout fired
  std::atomic<int> done{0};
};

child_spec chaotic_connector() {
  child_spec spec;
  spec.name = "chaos";
  spec.kind = "connector";
  spec.policy = fast_policy();
  spec.policy.buffer = 64;
  spec.policy.breaker.enabled = true;
  spec.policy.breaker.max_failures = 5;
  spec.policy.breaker.call_timeout = 5s;
  spec.policy.breaker.reset_timeout = 5ms;
  spec.policy.breaker.max_reset_timeout = 20ms;
  spec.policy.breaker.half_open_calls = 1;
  spec.start = [](caf::actor_system& sys) {
    return sys.spawn([](caf::event_based_actor*) {
      auto random = std::make_shared<std::mt19937>(std::random_device{}());
      return caf::behavior{[random](int x) -> caf::result<int> {
        auto roll = std::uniform_int_distribution<int>{0, 99}(*random);
        if (roll == 0)
          throw std::runtime_error("chaos crash");
        if (roll <= 30)
          return cdpd::storage::make_error(cdpd::storage::errc::connection_lost,
                                           "chaos failure");
        return x;
      }};
    });
  };
  return spec;
}

/// Sends calls_per_caller calls one after the other.
void next_call(caf::event_based_actor* self, caf::actor target,
               std::shared_ptr<tally> counts, int left) {
  if (left == 0) {
    self->quit();
    return;
  }
  auto again = [=] { next_call(self, target, counts, left - 1); };
  self->request(target, caller_deadline, left)
      .then(
          [counts, again](int) {
            ++counts->replies;
            ++counts->done;
            again();
          },
          [counts, again](caf::error& err) {
            if (err == caf::sec::request_timeout)
              ++counts->hung;
            else if (err == errc::circuit_open)
              ++counts->rejected;
            ++counts->errors;
            ++counts->done;
            again();
          });
}

void caller(caf::event_based_actor* self, caf::actor target,
            std::shared_ptr<tally> counts) {
  next_call(self, std::move(target), std::move(counts), calls_per_caller);
}

} // namespace

TEST(Chaos, TenThousandCallsAllEndAndTheCountersAddUp) {
  test_config cfg;
  caf::actor_system sys{cfg};
  prometheus::Registry registry;
  auto metrics = std::make_shared<supervision_metrics>(registry);
  supervisor_spec spec;
  spec.name = "chaos-sup";
  spec.policy = fast_policy(restart_strategy::one_for_one, 100'000);
  spec.metrics = metrics;
  spec.children.push_back(chaotic_connector());
  auto sup = spawn_supervisor(sys, spec);
  auto counts = std::make_shared<tally>();
  auto target = lookup(sys, "chaos");
  for (int c = 0; c < callers; ++c)
    sys.spawn(caller, target, counts);
  ASSERT_TRUE(wait_until([&] { return counts->done == total_calls; },
                         caller_deadline + 10s))
      << counts->done << " of " << total_calls << " calls ended";
  EXPECT_EQ(counts->hung, 0);

  auto tree = inspect(sys, sup);
  ASSERT_EQ(tree.children.size(), 1u);
  const auto& child = tree.children[0];
  ASSERT_TRUE(child.proxy);
  const auto& stats = child.proxy->stats;
  EXPECT_EQ(stats.calls, static_cast<uint64_t>(total_calls));
  EXPECT_EQ(stats.calls, stats.successes + stats.failures + stats.rejections);
  EXPECT_EQ(stats.successes, static_cast<uint64_t>(counts->replies.load()));
  EXPECT_EQ(stats.failures + stats.rejections,
            static_cast<uint64_t>(counts->errors.load()));
  EXPECT_EQ(metrics->rejections().Value(),
            static_cast<double>(counts->rejected.load()));
  EXPECT_GT(child.restarts_total, 0) << "1% of calls crash the connector";
  EXPECT_GT(counts->replies, 0);
  EXPECT_EQ(child.proxy->in_flight, 0u);
  EXPECT_EQ(child.proxy->buffered, 0u);
  // Still up and serving.
  EXPECT_EQ(tree.state, "running");
  shutdown(sys, sup);
}
