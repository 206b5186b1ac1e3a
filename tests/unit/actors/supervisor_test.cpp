// The generic supervisor with real actors on a real scheduler: start and
// stop order, the three strategies, restart kinds, intensity and
// escalation, nesting, buffering while a child backs off, inspection.
#include <atomic>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "actors/atoms.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/actors/supervision_support.hpp"

using namespace cdpd::actors;
using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

supervisor_spec make_spec(std::string name, std::vector<child_spec> children,
                          supervision_policy policy = fast_policy()) {
  supervisor_spec spec;
  spec.name = std::move(name);
  spec.policy = std::move(policy);
  spec.children = std::move(children);
  return spec;
}

/// Crashes `name` and waits until it runs again (started twice in total
/// for a first crash).
void crash_and_wait(caf::actor_system& sys, journal& log,
                    const std::string& name, int starts_after) {
  caf::anon_send(lookup(sys, name), crash_atom::value);
  ASSERT_TRUE(
      wait_until([&] { return log.count("start " + name) >= starts_after; },
                 settle_timeout));
}

} // namespace

TEST(Supervisor, StartsInOrderStopsInReverseAndKeepsNames) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto sup = spawn_supervisor(
      sys,
      make_spec("s", {worker("a", log), worker("b", log), worker("c", log)}));
  EXPECT_EQ(call(sys, "c", 1), 2);
  auto proxy = lookup(sys, "a");
  crash_and_wait(sys, *log, "a", 2);
  EXPECT_EQ(lookup(sys, "a"), proxy) << "the name outlives restarts";
  EXPECT_EQ(call(sys, "a", 41), 42);
  shutdown(sys, sup);
  auto events = log->snapshot();
  std::vector<std::string> tail(events.end() - 3, events.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"stop c", "stop b", "stop a"}));
  EXPECT_EQ(lookup(sys, "a"), nullptr) << "registry entries are removed";
}

TEST(Supervisor, OneForOneRestartsOnlyTheFailedChild) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto sup = spawn_supervisor(
      sys,
      make_spec("s", {worker("a", log), worker("b", log), worker("c", log)}));
  crash_and_wait(sys, *log, "b", 2);
  EXPECT_EQ(call(sys, "b", 1), 2);
  EXPECT_EQ(log->count("start a"), 1);
  EXPECT_EQ(log->count("start c"), 1);
  EXPECT_EQ(log->count("stop a"), 0);
  shutdown(sys, sup);
}

TEST(Supervisor, OneForAllRestartsEveryChildInOrder) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto sup = spawn_supervisor(
      sys,
      make_spec("s", {worker("a", log), worker("b", log), worker("c", log)},
                fast_policy(restart_strategy::one_for_all)));
  EXPECT_EQ(call(sys, "c", 1), 2);
  caf::anon_send(lookup(sys, "b"), crash_atom::value);
  ASSERT_TRUE(wait_until(
      [&] {
        return log->count("start a") == 2 && log->count("start b") == 2 &&
               log->count("start c") == 2;
      },
      settle_timeout));
  EXPECT_EQ(call(sys, "a", 1), 2);
  auto events = log->snapshot();
  std::vector<std::string> restarts;
  for (auto& e : events)
    if (e.rfind("start", 0) == 0)
      restarts.push_back(e);
  EXPECT_EQ(restarts,
            (std::vector<std::string>{"start a", "start b", "start c",
                                      "start a", "start b", "start c"}));
  auto tree = inspect(sys, sup);
  ASSERT_EQ(tree.children.size(), 3u);
  EXPECT_EQ(tree.children[1].restarts_total, 1);
  EXPECT_EQ(tree.children[0].restarts_total, 0)
      << "a sibling's restart is not its own failure";
  shutdown(sys, sup);
}

TEST(Supervisor, RestForOneRestartsTheFailedAndLaterChildren) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto sup = spawn_supervisor(
      sys,
      make_spec("s", {worker("a", log), worker("b", log), worker("c", log)},
                fast_policy(restart_strategy::rest_for_one)));
  EXPECT_EQ(call(sys, "c", 1), 2);
  caf::anon_send(lookup(sys, "b"), crash_atom::value);
  ASSERT_TRUE(wait_until(
      [&] { return log->count("start b") == 2 && log->count("start c") == 2; },
      settle_timeout));
  EXPECT_EQ(call(sys, "c", 1), 2);
  EXPECT_EQ(log->count("start a"), 1);
  EXPECT_EQ(log->count("stop a"), 0);
  EXPECT_EQ(log->count("stop c"), 1);
  shutdown(sys, sup);
}

TEST(Supervisor, TransientRestartsOnlyAfterAnAbnormalExit) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto sup = spawn_supervisor(
      sys, make_spec("s", {worker("t", log, restart_kind::transient),
                           worker("p", log, restart_kind::temporary)}));
  crash_and_wait(sys, *log, "t", 2);
  caf::anon_send(lookup(sys, "t"), finish_atom::value);
  ASSERT_TRUE(wait_state(sys, sup, "t", "stopped"));
  std::string err;
  EXPECT_EQ(call(sys, "t", 1, &err), -1);
  EXPECT_NE(err.find("child_unavailable"), std::string::npos) << err;
  EXPECT_EQ(log->count("start t"), 2) << "a normal exit is final";

  caf::anon_send(lookup(sys, "p"), crash_atom::value);
  ASSERT_TRUE(wait_state(sys, sup, "p", "stopped"));
  EXPECT_EQ(call(sys, "p", 1, &err), -1);
  EXPECT_EQ(log->count("start p"), 1) << "temporary is never restarted";
  auto tree = inspect(sys, sup);
  EXPECT_EQ(tree.children[0].state, "stopped");
  EXPECT_EQ(tree.children[1].state, "stopped");
  EXPECT_NE(tree.children[1].last_failure.find("runtime_error"),
            std::string::npos)
      << tree.children[1].last_failure;
  shutdown(sys, sup);
}

TEST(Supervisor, RootGivesUpPastItsIntensity) {
  test_config cfg;
  caf::actor_system sys{cfg};
  prometheus::Registry registry;
  auto log = std::make_shared<journal>();
  std::atomic<bool> gave_up{false};
  auto spec = make_spec("root", {worker("a", log), worker("b", log)},
                        fast_policy(restart_strategy::one_for_one, 2));
  spec.metrics = std::make_shared<supervision_metrics>(registry);
  spec.on_give_up = [&](const std::string&) { gave_up = true; };
  auto metrics = spec.metrics;
  auto sup = spawn_supervisor(sys, spec);
  caf::scoped_actor self{sys};
  self->monitor(sup);
  crash_and_wait(sys, *log, "a", 2);
  crash_and_wait(sys, *log, "a", 3);
  caf::anon_send(lookup(sys, "a"), crash_atom::value);
  caf::error reason;
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                caf::after(settle_timeout) >> [] {});
  EXPECT_EQ(reason, errc::escalated) << sys.render(reason);
  EXPECT_TRUE(gave_up);
  EXPECT_EQ(log->count("start a"), 3) << "the first start and two restarts";
  EXPECT_EQ(log->snapshot().back(), "stop b") << "it stops the others";
  EXPECT_EQ(metrics->escalations().Value(), 1);
}

TEST(Supervisor, NestedSupervisorEscalatesToItsParent) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto inner = make_spec("inner", {worker("x", log)},
                         fast_policy(restart_strategy::one_for_one, 0));
  auto root = spawn_supervisor(
      sys, make_spec("root", {worker("a", log), supervisor_child(inner, 2s)}));
  // The subtree registers its children when the root starts it.
  ASSERT_TRUE(
      wait_until([&] { return lookup(sys, "x") != nullptr; }, settle_timeout));
  EXPECT_EQ(call(sys, "x", 1), 2);
  // Intensity 0: the inner supervisor gives up on the first crash, and the
  // root restarts the whole subtree.
  crash_and_wait(sys, *log, "x", 2);
  std::string err;
  EXPECT_EQ(call(sys, "x", 1, &err), 2) << err;
  EXPECT_EQ(log->count("start a"), 1);
  auto tree = inspect(sys, root);
  ASSERT_EQ(tree.children.size(), 2u);
  auto& sub = tree.children[1];
  EXPECT_EQ(sub.kind, "supervisor");
  EXPECT_EQ(sub.restarts_total, 1);
  EXPECT_NE(sub.last_failure.find("escalated"), std::string::npos)
      << sub.last_failure;
  ASSERT_EQ(sub.children.size(), 1u);
  EXPECT_EQ(sub.children[0].name, "x");
  EXPECT_EQ(sub.children[0].state, "running");
  shutdown(sys, root);
  EXPECT_EQ(log->snapshot().back(), "stop a");
}

TEST(Supervisor, MessagesDuringBackoffAreBufferedOrRejected) {
  test_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  // Long backoffs keep both children backing off while the test looks;
  // only the buffered call waits them out.
  auto buffered = worker("buf", log);
  buffered.policy.backoff.min = 2s;
  buffered.policy.backoff.max = 2s;
  buffered.policy.buffer = 10;
  auto rejecting = worker("rej", log);
  rejecting.policy.backoff.min = 60s;
  rejecting.policy.backoff.max = 60s;
  rejecting.policy.buffer = 0;
  auto sup = spawn_supervisor(sys, make_spec("s", {buffered, rejecting}));
  EXPECT_EQ(call(sys, "rej", 1), 2);
  caf::anon_send(lookup(sys, "buf"), crash_atom::value);
  caf::anon_send(lookup(sys, "rej"), crash_atom::value);
  ASSERT_TRUE(wait_state(sys, sup, "rej", "backing-off"));
  std::string err;
  EXPECT_EQ(call(sys, "rej", 1, &err), -1);
  EXPECT_NE(err.find("child_unavailable"), std::string::npos) << err;

  ASSERT_TRUE(wait_state(sys, sup, "buf", "backing-off"));
  caf::scoped_actor self{sys};
  self->send(lookup(sys, "buf"), 41);
  ASSERT_TRUE(wait_until(
      [&] {
        auto tree = inspect(sys, sup);
        return tree.children[0].proxy && tree.children[0].proxy->buffered == 1;
      },
      settle_timeout))
      << "held while the child backs off";
  int reply = 0;
  self->receive([&](int x) { reply = x; }, caf::after(settle_timeout) >> [] {});
  EXPECT_EQ(reply, 42) << "served after the restart";
  shutdown(sys, sup);
}
