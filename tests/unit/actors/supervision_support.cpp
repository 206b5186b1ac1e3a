#include "tests/unit/actors/supervision_support.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "actors/atoms.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"
#include "tests/support/child_process.hpp"

namespace cdpd::test {

test_config::test_config() {
  actors::add_error_renderer(*this);
}

void journal::add(std::string e) {
  std::lock_guard<std::mutex> guard{mtx};
  events.push_back(std::move(e));
}

std::vector<std::string> journal::snapshot() {
  std::lock_guard<std::mutex> guard{mtx};
  return events;
}

int journal::count(const std::string& e) {
  std::lock_guard<std::mutex> guard{mtx};
  return static_cast<int>(std::count(events.begin(), events.end(), e));
}

actors::supervision_policy fast_policy(actors::restart_strategy strategy,
                                       int intensity) {
  actors::supervision_policy p;
  p.name = "test";
  p.strategy = strategy;
  p.intensity = intensity;
  p.period = std::chrono::seconds{60};
  p.backoff.min = std::chrono::milliseconds{1};
  p.backoff.max = std::chrono::milliseconds{5};
  p.backoff.jitter = 0;
  // Calls that race a restart wait for it instead of failing.
  p.buffer = 16;
  return p;
}

actors::child_spec worker(const std::string& name, std::shared_ptr<journal> log,
                          actors::restart_kind restart) {
  actors::child_spec spec;
  spec.name = name;
  spec.kind = "worker";
  spec.restart = restart;
  spec.shutdown_timeout = std::chrono::seconds{1};
  spec.policy = fast_policy();
  spec.start = [name, log](caf::actor_system& sys) {
    log->add("start " + name);
    return sys.spawn([name, log](caf::event_based_actor* self) {
      self->attach_functor(
          [name, log](const caf::error&) { log->add("stop " + name); });
      return caf::behavior{
          [](crash_atom) -> int { throw std::runtime_error("boom"); },
          [self](finish_atom) { self->quit(); },
          [](int x) { return x + 1; },
      };
    });
  };
  return spec;
}

caf::actor lookup(caf::actor_system& sys, const std::string& name) {
  return caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(name)));
}

void shutdown(caf::actor_system& sys, const caf::actor& supervisor) {
  caf::scoped_actor self{sys};
  self->request(supervisor, settle_timeout, actors::shutdown_atom::value)
      .receive([] {},
               [&](caf::error& err) {
                 ADD_FAILURE() << "shutdown: " << sys.render(err);
               });
}

actors::actor_node inspect(caf::actor_system& sys, const caf::actor& sup) {
  caf::scoped_actor self{sys};
  actors::actor_node out;
  self->request(sup, settle_timeout, actors::inspect_atom::value)
      .receive([&](actors::actor_node& node) { out = std::move(node); },
               [&](caf::error& err) {
                 ADD_FAILURE() << "inspect: " << sys.render(err);
               });
  return out;
}

namespace {

const actors::actor_node* find_node(const actors::actor_node& node,
                                    const std::string& name) {
  if (node.name == name)
    return &node;
  for (const auto& child : node.children)
    if (const auto* found = find_node(child, name))
      return found;
  return nullptr;
}

} // namespace

bool wait_state(caf::actor_system& sys, const caf::actor& sup,
                const std::string& name, const std::string& state) {
  return wait_until(
      [&] {
        auto tree = inspect(sys, sup);
        const auto* node = find_node(tree, name);
        return node != nullptr && node->state == state;
      },
      settle_timeout);
}

int call(caf::actor_system& sys, const std::string& name, int x,
         std::string* err) {
  caf::scoped_actor self{sys};
  int out = -1;
  self->request(lookup(sys, name), settle_timeout, x)
      .receive([&](int y) { out = y; },
               [&](caf::error& e) {
                 if (err)
                   *err = sys.render(e);
               });
  return out;
}

} // namespace cdpd::test
