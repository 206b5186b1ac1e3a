// The region's requester on its own, against stand-in hosts: a verdict
// reaches its callback, a host that does not answer times out once (a late
// reply is dropped), and checks still waiting when the client goes are
// answered with an error.
#include "actors/limits/limit_client.hpp"

#include <mutex>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"

namespace cdpd::actors::limits {
namespace {

using namespace std::chrono_literals;

constexpr auto settle_timeout = std::chrono::seconds{10};

/// A host that keeps every request unanswered until `(idle_atom, ...)`,
/// then refuses them all.
struct held_state {
  std::vector<caf::typed_response_promise<verdict>> held;
};

limiter_host_actor::behavior_type
holding_host(limiter_host_actor::stateful_pointer<held_state> self) {
  return {
      [self](limit_atom, limit_query&) {
        auto promise = self->make_response_promise<verdict>();
        self->state.held.push_back(promise);
        return promise;
      },
      [self](caf::idle_atom, const std::string&, uint64_t) {
        verdict refused;
        refused.allowed = false;
        for (auto& promise : self->state.held)
          promise.deliver(refused);
        self->state.held.clear();
      },
  };
}

/// What the callbacks got, from any thread.
struct replies {
  std::mutex mtx;
  std::vector<caf::expected<verdict>> got;

  limit_client::reply_handler sink() {
    return [this](caf::expected<verdict> v) {
      std::lock_guard<std::mutex> guard{mtx};
      got.push_back(std::move(v));
    };
  }

  std::size_t size() {
    std::lock_guard<std::mutex> guard{mtx};
    return got.size();
  }
};

limit_query query_for(std::string key) {
  limit_query q;
  q.key = std::move(key);
  return q;
}

void release(const limiter_host_actor& host) {
  caf::anon_send(host, caf::idle_atom::value, std::string{}, uint64_t{0});
}

TEST(LimitClient, HandsTheVerdictToTheCallback) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto host = sys.spawn(holding_host);
  replies log;
  {
    limit_client client{sys, settle_timeout};
    client.ask(host, query_for("account:1"), log.sink());
    release(host);
    ASSERT_TRUE(test::wait_until([&] { return log.size() == 1; }, 10s));
  }
  ASSERT_TRUE(log.got[0]);
  EXPECT_FALSE(log.got[0]->allowed);
  caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
}

TEST(LimitClient, TimesOutOnceWhenTheHostDoesNotAnswer) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto host = sys.spawn(holding_host);
  replies log;
  limit_client client{sys, 50ms};
  auto start = std::chrono::steady_clock::now();
  client.ask(host, query_for("account:1"), log.sink());
  client.ask(host, query_for("account:2"), log.sink());
  ASSERT_TRUE(test::wait_until([&] { return log.size() == 2; }, 10s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
  for (auto& got : log.got)
    EXPECT_EQ(got.error(), caf::sec::request_timeout);
  // The late verdicts find nobody waiting.
  release(host);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(log.size(), 2u);
  // A timer is armed again for the next check.
  client.ask(host, query_for("account:3"), log.sink());
  ASSERT_TRUE(test::wait_until([&] { return log.size() == 3; }, 10s));
  EXPECT_EQ(log.got[2].error(), caf::sec::request_timeout);
  caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
}

TEST(LimitClient, AnswersWhatIsStillWaitingWhenItGoes) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto host = sys.spawn(holding_host);
  replies log;
  {
    limit_client client{sys, settle_timeout};
    client.ask(host, query_for("account:1"), log.sink());
  }
  ASSERT_EQ(log.size(), 1u);
  EXPECT_FALSE(log.got[0]);
  release(host); // the late verdict reaches a companion that is gone
  caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace cdpd::actors::limits
