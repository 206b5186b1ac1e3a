// Reaching a child through its proxy: retries (attempts, deadline, only
// idempotent calls), the circuit breaker (fail fast, readiness, operator
// actions, self-probing, the failure predicate).
#include <atomic>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"
#include "storage/errc.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/actors/supervision_support.hpp"

using namespace cdpd::actors;
using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

using hang_atom = caf::atom_constant<caf::atom("hang")>;
using bad_atom = caf::atom_constant<caf::atom("bad")>;

/// A child whose `(int x)` fails with connection_lost for the first
/// `fail_first` calls (counted across restarts), then answers x + 1;
/// `(hang_atom)` never answers; `(bad_atom)` fails with query_failed (the
/// caller's fault); `(check_atom)` reports `healthy`.
struct flaky {
  std::atomic<int> attempts{0};
  std::atomic<int> hangs{0};
  std::atomic<int> fail_first{0};
  std::atomic<bool> healthy{true};
};

child_spec flaky_child(const std::string& name, std::shared_ptr<flaky> f) {
  child_spec spec;
  spec.name = name;
  spec.kind = "flaky";
  spec.policy = fast_policy();
  spec.start = [f](caf::actor_system& sys) {
    return sys.spawn([f](caf::event_based_actor* self) {
      return caf::behavior{
          [f](int x) -> caf::result<int> {
            if (++f->attempts <= f->fail_first)
              return cdpd::storage::make_error(
                  cdpd::storage::errc::connection_lost, "flaky");
            return x + 1;
          },
          [self, f](hang_atom) {
            ++f->hangs;
            // Kept so CAF does not answer for it; never delivered.
            auto promise = self->make_response_promise();
            self->attach_functor([promise](const caf::error&) {});
            return promise;
          },
          [](bad_atom) -> caf::result<int> {
            return cdpd::storage::make_error(cdpd::storage::errc::query_failed,
                                             "syntax error");
          },
          [f](check_atom) {
            return check_result{f->healthy.load(), 0, f->healthy ? "" : "sick"};
          },
      };
    });
  };
  return spec;
}

struct harness {
  test_config cfg;
  caf::actor_system sys{cfg};
  prometheus::Registry registry;
  std::shared_ptr<supervision_metrics> metrics =
      std::make_shared<supervision_metrics>(registry);
  caf::actor sup;

  void start(child_spec child) {
    supervisor_spec spec;
    spec.name = "s";
    spec.policy = fast_policy();
    spec.metrics = metrics;
    spec.children.push_back(std::move(child));
    sup = spawn_supervisor(sys, std::move(spec));
  }

  ~harness() { shutdown(sys, sup); }

  /// Sends `xs...` to the child's name; returns the error (none on reply).
  template <class... Ts> caf::error request(const std::string& name, Ts... xs) {
    caf::scoped_actor self{sys};
    caf::error out;
    self->request(lookup(sys, name), settle_timeout, xs...)
        .receive([](int) {}, [&](caf::error& err) { out = std::move(err); });
    return out;
  }

  check_result check(const std::string& name) {
    caf::scoped_actor self{sys};
    check_result out{false, 0, "no answer"};
    self->request(lookup(sys, name), settle_timeout, check_atom::value)
        .receive([&](check_result& r) { out = std::move(r); },
                 [&](caf::error& err) { out.error = sys.render(err); });
    return out;
  }

  proxy_snapshot proxy() {
    auto tree = inspect(sys, sup);
    return tree.children.at(0).proxy.value_or(proxy_snapshot{});
  }

  breaker_snapshot breaker(const std::string& name, bool open) {
    caf::scoped_actor self{sys};
    breaker_snapshot out;
    auto handle = lookup(sys, name);
    auto done = [&](breaker_snapshot& b) { out = std::move(b); };
    auto fail = [&](caf::error& err) { ADD_FAILURE() << sys.render(err); };
    if (open)
      self->request(handle, settle_timeout, breaker_atom::value,
                    force_open_atom::value)
          .receive(done, fail);
    else
      self->request(handle, settle_timeout, breaker_atom::value,
                    reset_atom::value)
          .receive(done, fail);
    return out;
  }
};

child_spec retrying(std::shared_ptr<flaky> f) {
  auto spec = flaky_child("r", f);
  spec.policy.retry.max_attempts = 3;
  spec.policy.retry.per_try_timeout = 1s;
  spec.policy.retry.deadline = 10s;
  spec.policy.retry.backoff = 1ms;
  return spec;
}

child_spec breaking(std::shared_ptr<flaky> f) {
  auto spec = flaky_child("b", f);
  spec.policy.breaker.enabled = true;
  spec.policy.breaker.max_failures = 3;
  spec.policy.breaker.call_timeout = 5s;
  spec.policy.breaker.reset_timeout = 60s;
  spec.policy.breaker.max_reset_timeout = 120s;
  return spec;
}

} // namespace

TEST(Retry, StopsAtMaxAttempts) {
  auto f = std::make_shared<flaky>();
  f->fail_first = 1000;
  harness h;
  h.start(retrying(f));
  auto err = h.request("r", idempotent_atom::value, 1);
  EXPECT_EQ(err, cdpd::storage::errc::connection_lost) << h.sys.render(err);
  EXPECT_EQ(f->attempts, 3);
  EXPECT_EQ(h.proxy().stats.retries, 2u);
  EXPECT_EQ(h.metrics->retries().Value(), 2);
}

TEST(Retry, SucceedsOnALaterAttempt) {
  auto f = std::make_shared<flaky>();
  f->fail_first = 2;
  harness h;
  h.start(retrying(f));
  EXPECT_FALSE(h.request("r", idempotent_atom::value, 1));
  EXPECT_EQ(f->attempts, 3);
  auto stats = h.proxy().stats;
  EXPECT_EQ(stats.calls, 1u);
  EXPECT_EQ(stats.successes, 1u);
}

TEST(Retry, NeverRetriesACallNotMarkedIdempotent) {
  auto f = std::make_shared<flaky>();
  f->fail_first = 1000;
  harness h;
  h.start(retrying(f));
  EXPECT_EQ(h.request("r", 1), cdpd::storage::errc::connection_lost);
  EXPECT_EQ(f->attempts, 1);
  EXPECT_EQ(h.proxy().stats.retries, 0u);
}

TEST(Retry, NeverRetriesANonRetryableError) {
  auto f = std::make_shared<flaky>();
  harness h;
  h.start(retrying(f));
  EXPECT_EQ(h.request("r", idempotent_atom::value, bad_atom::value),
            cdpd::storage::errc::query_failed);
  EXPECT_EQ(h.proxy().stats.retries, 0u);
}

TEST(Retry, StopsAtTheDeadline) {
  auto f = std::make_shared<flaky>();
  auto spec = retrying(f);
  spec.policy.retry.max_attempts = 100;
  spec.policy.retry.per_try_timeout = 20ms;
  spec.policy.retry.deadline = 150ms;
  harness h;
  h.start(spec);
  // The child must be up first: a slow start (under the sanitizers) could
  // use the whole deadline with no attempt made.
  ASSERT_TRUE(h.check("r").up);
  auto err = h.request("r", idempotent_atom::value, hang_atom::value);
  EXPECT_EQ(err, caf::sec::request_timeout) << h.sys.render(err);
  EXPECT_GE(f->hangs, 1);
  EXPECT_LT(f->hangs, 100) << "the deadline ended the retries";
}

TEST(Breaker, OpensFailsFastAndReportsDown) {
  auto f = std::make_shared<flaky>();
  f->fail_first = 1000;
  harness h;
  h.start(breaking(f));
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(h.request("b", 1), cdpd::storage::errc::connection_lost);
  auto err = h.request("b", 1);
  EXPECT_EQ(err, errc::circuit_open) << h.sys.render(err);
  EXPECT_EQ(f->attempts, 3) << "no call reached the child";
  auto ready = h.check("b");
  EXPECT_FALSE(ready.up);
  EXPECT_NE(ready.error.find("circuit breaker open"), std::string::npos)
      << ready.error;
  EXPECT_EQ(h.metrics->rejections().Value(), 2);
  auto snap = h.proxy();
  ASSERT_TRUE(snap.breaker);
  EXPECT_EQ(snap.breaker->state, "open");
  EXPECT_EQ(snap.breaker->consecutive_failures, 3);
  EXPECT_GT(snap.breaker->next_probe_unix_ms, 0);
  EXPECT_EQ(snap.stats.calls, 5u);
  EXPECT_EQ(snap.stats.failures, 3u);
  EXPECT_EQ(snap.stats.rejections, 2u);
}

TEST(Breaker, OperatorResetAndForcedOpen) {
  auto f = std::make_shared<flaky>();
  f->fail_first = 3;
  harness h;
  h.start(breaking(f));
  for (int i = 0; i < 3; ++i)
    h.request("b", 1);
  EXPECT_EQ(h.request("b", 1), errc::circuit_open);
  EXPECT_EQ(h.breaker("b", false).state, "closed");
  EXPECT_FALSE(h.request("b", 1));
  auto forced = h.breaker("b", true);
  EXPECT_EQ(forced.state, "open");
  EXPECT_TRUE(forced.forced);
  EXPECT_EQ(h.request("b", 1), errc::circuit_open);
  EXPECT_EQ(h.breaker("b", false).state, "closed");
  EXPECT_FALSE(h.request("b", 1));
}

TEST(Breaker, CallersMistakesAreNoFailures) {
  auto f = std::make_shared<flaky>();
  harness h;
  h.start(breaking(f));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(h.request("b", bad_atom::value),
              cdpd::storage::errc::query_failed);
  EXPECT_EQ(h.proxy().breaker->state, "closed");
}

TEST(Breaker, ProbesByItselfAndClosesWhenTheChildRecovers) {
  auto f = std::make_shared<flaky>();
  f->healthy = false;
  auto spec = breaking(f);
  spec.policy.breaker.reset_timeout = 20ms;
  spec.policy.breaker.max_reset_timeout = 40ms;
  spec.probe = caf::make_message(check_atom::value);
  harness h;
  h.start(spec);
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(h.check("b").up);
  EXPECT_EQ(h.proxy().breaker->state, "open");
  // Failed probes reopen it with the reset timeout doubled, up to the max.
  ASSERT_TRUE(
      wait_until([&] { return h.proxy().breaker->reset_timeout_ms == 40; },
                 settle_timeout));
  EXPECT_NE(h.proxy().breaker->state, "closed");
  f->healthy = true;
  ASSERT_TRUE(wait_until([&] { return h.proxy().breaker->state == "closed"; },
                         settle_timeout));
  EXPECT_TRUE(h.check("b").up);
  EXPECT_EQ(h.proxy().breaker->reset_timeout_ms, 20);
}

TEST(Breaker, ACrashCountsAsAFailure) {
  auto f = std::make_shared<flaky>();
  auto spec = breaking(f);
  spec.policy.breaker.max_failures = 1;
  auto log = std::make_shared<journal>();
  auto crashing = worker("b", log);
  crashing.policy = spec.policy;
  harness h;
  h.start(crashing);
  caf::anon_send(lookup(h.sys, "b"), crash_atom::value);
  ASSERT_TRUE(wait_until([&] { return h.proxy().breaker->state == "open"; },
                         settle_timeout));
}
