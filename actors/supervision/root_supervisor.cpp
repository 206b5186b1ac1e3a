#include "actors/supervision/root_supervisor.hpp"

#include <deque>
#include <optional>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/log.hpp"

namespace cdpd::actors {

namespace {

using clock = std::chrono::steady_clock;

struct running_child {
  child_spec spec;
  caf::actor handle; ///< null while stopped or waiting for a restart
  int restarts = 0;
};

struct root_state {
  std::vector<running_child> children;
  std::deque<clock::time_point> recent_restarts;
  bool stopping = false;
  std::optional<caf::response_promise> stop_promise;
  std::string give_up_reason;
  static inline const char* name = "root-supervisor";
};

using root_ptr = caf::stateful_actor<root_state>*;

void start_child(root_ptr self, std::size_t index) {
  auto& child = self->state.children[index];
  child.handle = child.spec.start(self->system());
  self->monitor(child.handle);
  self->system().registry().put(
      caf::atom_from_string(child.spec.name),
      caf::actor_cast<caf::strong_actor_ptr>(child.handle));
  log()->info("started {}", child.spec.name);
}

/// Stops the highest-index running child; called again on each down_msg
/// until none is left, then completes the shutdown.
void stop_next(root_ptr self) {
  auto& st = self->state;
  for (auto i = st.children.size(); i-- > 0;) {
    auto& child = st.children[i];
    if (!child.handle)
      continue;
    self->system().registry().erase(caf::atom_from_string(child.spec.name));
    self->send_exit(child.handle, caf::exit_reason::user_shutdown);
    // A child that ignores the exit (e.g. a worker stuck in a call) is
    // killed after its shutdown timeout.
    self->delayed_send(self, child.spec.shutdown_timeout, tick_atom::value,
                       caf::actor_cast<caf::actor_addr>(child.handle));
    return;
  }
  if (st.stop_promise)
    st.stop_promise->deliver(caf::unit);
  if (st.give_up_reason.empty())
    self->quit(caf::exit_reason::user_shutdown);
  else
    self->quit(caf::make_error(caf::sec::runtime_error, st.give_up_reason));
}

bool should_restart(const child_spec& spec, const caf::error& reason) {
  switch (spec.restart) {
  case restart_kind::permanent:
    return true;
  case restart_kind::transient:
    return reason && reason != caf::exit_reason::normal &&
           reason != caf::exit_reason::user_shutdown;
  case restart_kind::temporary:
    return false;
  }
  return false;
}

/// Counts a restart; false when the intensity limit is exceeded.
bool within_intensity(root_ptr self, const root_options& options) {
  auto now = clock::now();
  auto& recent = self->state.recent_restarts;
  while (!recent.empty() && now - recent.front() > options.period)
    recent.pop_front();
  recent.push_back(now);
  return static_cast<int>(recent.size()) <= options.intensity;
}

caf::behavior root_supervisor(root_ptr self, std::vector<child_spec> children,
                              root_options options) {
  auto logger = log();
  for (auto& spec : children)
    self->state.children.push_back(running_child{std::move(spec), {}, 0});
  for (std::size_t i = 0; i < self->state.children.size(); ++i)
    start_child(self, i);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto& st = self->state;
    for (std::size_t i = 0; i < st.children.size(); ++i) {
      auto& child = st.children[i];
      if (child.handle.address() != msg.source)
        continue;
      child.handle = nullptr;
      if (st.stopping) {
        stop_next(self);
        return;
      }
      self->system().registry().erase(caf::atom_from_string(child.spec.name));
      auto reason = self->system().render(msg.reason);
      if (!should_restart(child.spec, msg.reason)) {
        logger->info("{} stopped ({}), not restarted", child.spec.name, reason);
        return;
      }
      if (!within_intensity(self, options)) {
        st.give_up_reason =
            "more than " + std::to_string(options.intensity) +
            " restarts within " + std::to_string(options.period.count()) +
            " ms; last: " + child.spec.name + " (" + reason + ")";
        logger->error("root supervisor gives up: {}", st.give_up_reason);
        if (options.on_give_up)
          options.on_give_up(st.give_up_reason);
        st.stopping = true;
        stop_next(self);
        return;
      }
      ++child.restarts;
      logger->warn("{} failed ({}); restart {} in {} ms", child.spec.name,
                   reason, child.restarts, options.restart_delay.count());
      self->delayed_send(self, options.restart_delay, restart_atom::value, i);
      return;
    }
  });
  return {
      [=](restart_atom, std::size_t index) {
        if (!self->state.stopping && !self->state.children[index].handle)
          start_child(self, index);
      },
      [=](tick_atom, const caf::actor_addr& addr) {
        // Shutdown timeout of a child: kill it if it is still there.
        for (auto& child : self->state.children)
          if (child.handle && child.handle.address() == addr) {
            logger->warn("{} did not stop within {} ms; killing it",
                         child.spec.name, child.spec.shutdown_timeout.count());
            self->send_exit(child.handle, caf::exit_reason::kill);
          }
      },
      [=](shutdown_atom) {
        auto promise = self->make_response_promise();
        self->state.stop_promise = promise;
        if (!self->state.stopping) {
          self->state.stopping = true;
          stop_next(self);
        }
        return promise;
      },
  };
}

} // namespace

caf::actor spawn_root_supervisor(caf::actor_system& sys,
                                 std::vector<child_spec> children,
                                 root_options options) {
  return sys.spawn(root_supervisor, std::move(children), std::move(options));
}

} // namespace cdpd::actors
