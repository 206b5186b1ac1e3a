#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/supervision/snapshot.hpp"
#include "actors/supervision/supervisor.hpp"

/// Helpers for the supervision tests: children that record their starts
/// and stops, and named timeouts.
namespace cdpd::test {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;

/// Longest wait for something that should happen at once (a restart with a
/// millisecond backoff, a reply). Generous for loaded machines; a passing
/// test never waits for it.
constexpr auto settle_timeout = std::chrono::seconds{10};

/// An actor system config that renders actors errors by name.
struct test_config : caf::actor_system_config {
  test_config();
};

/// Records starts and stops so tests can check their order.
struct journal {
  std::mutex mtx;
  std::vector<std::string> events;
  void add(std::string e);
  std::vector<std::string> snapshot();
  int count(const std::string& e);
};

/// A policy with millisecond restarts and a high intensity.
actors::supervision_policy fast_policy(
    actors::restart_strategy strategy = actors::restart_strategy::one_for_one,
    int intensity = 100);

/// A child that logs "start NAME"/"stop NAME"; `(crash_atom)` throws,
/// `(finish_atom)` exits normally, `(int x)` -> x + 1.
actors::child_spec
worker(const std::string& name, std::shared_ptr<journal> log,
       actors::restart_kind restart = actors::restart_kind::permanent);

/// The registry entry `name` (a child proxy), or null.
caf::actor lookup(caf::actor_system& sys, const std::string& name);

/// Sends (shutdown_atom) and waits for the reply.
void shutdown(caf::actor_system& sys, const caf::actor& supervisor);

/// The supervisor's tree; fails the test when it does not answer.
actors::actor_node inspect(caf::actor_system& sys, const caf::actor& sup);

/// Waits until the child `name` somewhere below `sup` is in `state`
/// ("running", "backing-off", "stopped").
bool wait_state(caf::actor_system& sys, const caf::actor& sup,
                const std::string& name, const std::string& state);

/// `(int x)` sent to `name`; -1 with the error rendered into `err`.
int call(caf::actor_system& sys, const std::string& name, int x,
         std::string* err = nullptr);

} // namespace cdpd::test
