// The root supervisor: start order, registry names, restarts, intensity
// give-up and reverse-order shutdown, with real actors on a real scheduler.
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/atoms.hpp"
#include "actors/supervision/root_supervisor.hpp"
#include "tests/support/child_process.hpp"

using namespace cdpd::actors;
using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;

/// Records starts and stops so tests can check their order.
struct journal {
  std::mutex mtx;
  std::vector<std::string> events;
  void add(std::string e) {
    std::lock_guard<std::mutex> guard{mtx};
    events.push_back(std::move(e));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> guard{mtx};
    return events;
  }
};

child_spec worker(std::string name, std::shared_ptr<journal> log,
                  restart_kind restart = restart_kind::permanent) {
  return {name,
          [name, log](caf::actor_system& sys) {
            log->add("start " + name);
            return sys.spawn([name, log](caf::event_based_actor* self) {
              self->attach_functor(
                  [name, log](const caf::error&) { log->add("stop " + name); });
              return caf::behavior{
                  [](crash_atom) -> int { throw std::runtime_error("boom"); },
                  [](int x) { return x + 1; },
              };
            });
          },
          restart, 1s};
}

root_options fast_options(int intensity = 5) {
  root_options o;
  o.intensity = intensity;
  o.period = 10s;
  o.restart_delay = 10ms;
  return o;
}

caf::actor lookup(caf::actor_system& sys, const char* name) {
  return caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(name)));
}

void shutdown(caf::actor_system& sys, const caf::actor& root) {
  caf::scoped_actor self{sys};
  self->request(root, 10s, shutdown_atom::value)
      .receive([] {}, [](caf::error&) {});
}

} // namespace

TEST(RootSupervisor, StartsInOrderAndStopsInReverse) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto root = spawn_root_supervisor(
      sys, {worker("a", log), worker("b", log), worker("c", log)},
      fast_options());
  ASSERT_TRUE(
      cdpd::test::wait_until([&] { return lookup(sys, "c") != nullptr; }, 5s));
  shutdown(sys, root);
  EXPECT_EQ(log->snapshot(),
            (std::vector<std::string>{"start a", "start b", "start c", "stop c",
                                      "stop b", "stop a"}));
  EXPECT_EQ(lookup(sys, "a"), nullptr) << "registry entries are removed";
}

TEST(RootSupervisor, RestartsACrashedChildUnderItsName) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto root = spawn_root_supervisor(sys, {worker("a", log)}, fast_options());
  ASSERT_TRUE(
      cdpd::test::wait_until([&] { return lookup(sys, "a") != nullptr; }, 5s));
  auto first = lookup(sys, "a");
  caf::anon_send(first, crash_atom::value);
  ASSERT_TRUE(cdpd::test::wait_until(
      [&] {
        auto now = lookup(sys, "a");
        return now != nullptr && now != first;
      },
      5s));
  caf::scoped_actor self{sys};
  int reply = 0;
  self->request(lookup(sys, "a"), 5s, 41)
      .receive([&](int x) { reply = x; }, [](caf::error&) {});
  EXPECT_EQ(reply, 42);
  shutdown(sys, root);
}

TEST(RootSupervisor, TemporaryChildIsNotRestarted) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  auto root = spawn_root_supervisor(
      sys, {worker("t", log, restart_kind::temporary)}, fast_options());
  ASSERT_TRUE(
      cdpd::test::wait_until([&] { return lookup(sys, "t") != nullptr; }, 5s));
  caf::anon_send(lookup(sys, "t"), crash_atom::value);
  ASSERT_TRUE(
      cdpd::test::wait_until([&] { return lookup(sys, "t") == nullptr; }, 5s));
  shutdown(sys, root);
  auto events = log->snapshot();
  EXPECT_EQ(std::count(events.begin(), events.end(), "start t"), 1);
}

TEST(RootSupervisor, GivesUpPastItsIntensity) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto log = std::make_shared<journal>();
  std::atomic<bool> gave_up{false};
  auto options = fast_options(2);
  options.on_give_up = [&](const std::string&) { gave_up = true; };
  auto root =
      spawn_root_supervisor(sys, {worker("a", log), worker("b", log)}, options);
  caf::scoped_actor self{sys};
  self->monitor(root);
  for (int i = 0; i < 3; ++i) {
    caf::actor current;
    ASSERT_TRUE(cdpd::test::wait_until(
        [&] { return (current = lookup(sys, "a")) != nullptr; }, 5s));
    caf::anon_send(current, crash_atom::value);
    cdpd::test::wait_until([&] { return lookup(sys, "a") != current; }, 5s);
  }
  bool down = false;
  self->receive([&](caf::down_msg& msg) { down = msg.source == root; },
                caf::after(10s) >> [] {});
  EXPECT_TRUE(down);
  EXPECT_TRUE(gave_up);
  auto events = log->snapshot();
  EXPECT_EQ(std::count(events.begin(), events.end(), "start a"), 3)
      << "the first start and two restarts, then no more";
  EXPECT_EQ(events.back(), "stop b") << "the give-up stops the others";
}
