#include "actors/supervision/supervisor.hpp"

#include <algorithm>
#include <deque>
#include <random>

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/log.hpp"
#include "actors/supervision/backoff.hpp"
#include "actors/supervision/child_proxy.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"

namespace cdpd::actors {

namespace {

using clock = std::chrono::steady_clock;

/// How long an inspection waits for each proxy and nested supervisor.
constexpr auto inspect_timeout = std::chrono::seconds{2};

enum class child_status { running, backing_off, stopping, stopped };

const char* to_string(child_status s) {
  switch (s) {
  case child_status::running:
    return "running";
  case child_status::backing_off:
    return "backing-off";
  case child_status::stopping:
    return "stopping";
  case child_status::stopped:
    return "stopped";
  }
  return "unknown";
}

struct slot {
  child_spec spec;
  caf::actor proxy;
  caf::actor handle; ///< null unless running or being stopped
  child_status status = child_status::stopped;
  int backoff_step = 0;
  clock::time_point started;
  int restarts_total = 0;
  std::string last_failure;
  std::chrono::system_clock::time_point last_failure_at;
};

struct supervisor_state {
  supervisor_spec spec;
  std::vector<slot> slots;
  std::deque<std::pair<clock::time_point, std::size_t>> recent;
  /// Children of a group restart not started yet, in start order: one
  /// still stopping holds back the ones after it, so a group always comes
  /// back in the order it first started.
  std::vector<std::size_t> due_starts;
  bool stopping = false;
  std::vector<caf::response_promise> stop_waiters;
  caf::error quit_reason;
  std::mt19937 random{std::random_device{}()};
  static inline const char* name = "supervisor";
};

using sup_ptr = caf::stateful_actor<supervisor_state>*;

void start_child(sup_ptr self, std::size_t index) {
  auto& child = self->state.slots[index];
  child.handle = child.spec.start(self->system());
  child.status = child_status::running;
  child.started = clock::now();
  self->monitor(child.handle);
  self->send(child.proxy, child_up_atom::value, child.handle);
  log()->info("{}: started {}", self->state.spec.name, child.spec.name);
}

void stop_child(sup_ptr self, slot& child) {
  self->send_exit(child.handle, caf::exit_reason::user_shutdown);
  // A child that ignores the exit (e.g. a worker stuck in a call) is
  // killed after its shutdown timeout.
  self->delayed_send(self, child.spec.shutdown_timeout, tick_atom::value,
                     child.handle.address());
}

/// Stops the highest-index running child; called again on each down_msg
/// until none is left, then stops the proxies and quits.
void stop_next(sup_ptr self) {
  auto& st = self->state;
  for (auto i = st.slots.size(); i-- > 0;) {
    auto& child = st.slots[i];
    if (!child.handle)
      continue;
    if (child.status != child_status::stopping || st.stopping) {
      child.status = child_status::stopping;
      stop_child(self, child);
    }
    return;
  }
  for (auto i = st.slots.size(); i-- > 0;) {
    auto& child = st.slots[i];
    child.status = child_status::stopped;
    self->system().registry().erase(caf::atom_from_string(child.spec.name));
    self->send_exit(child.proxy, caf::exit_reason::user_shutdown);
  }
  for (auto& waiter : st.stop_waiters)
    waiter.deliver(caf::unit);
  st.stop_waiters.clear();
  self->quit(st.quit_reason ? st.quit_reason
                            : caf::error{caf::exit_reason::user_shutdown});
}

void begin_stop(sup_ptr self) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.stopping = true;
  for (auto& child : st.slots)
    if (child.handle)
      child.status = child_status::stopping;
  // Stop from the back; stop_next is called again on every down_msg.
  for (auto i = st.slots.size(); i-- > 0;)
    if (st.slots[i].handle) {
      stop_child(self, st.slots[i]);
      return;
    }
  stop_next(self);
}

/// Starts the children due in a group restart, in start order, up to the
/// first that has not stopped yet (its down message goes on from there).
void start_due(sup_ptr self) {
  auto& st = self->state;
  while (!st.due_starts.empty()) {
    auto i = st.due_starts.front();
    auto& child = st.slots[i];
    if (child.handle)
      return;
    st.due_starts.erase(st.due_starts.begin());
    if (child.status == child_status::backing_off ||
        child.status == child_status::stopping)
      start_child(self, i);
  }
}

bool should_restart(const child_spec& spec, bool abnormal) {
  switch (spec.restart) {
  case restart_kind::permanent:
    return true;
  case restart_kind::transient:
    return abnormal;
  case restart_kind::temporary:
    return false;
  }
  return false;
}

/// Counts a restart of `index`; false when the intensity is exceeded.
bool within_intensity(sup_ptr self, std::size_t index) {
  auto& st = self->state;
  auto now = clock::now();
  while (!st.recent.empty() &&
         now - st.recent.front().first > st.spec.policy.period)
    st.recent.pop_front();
  st.recent.emplace_back(now, index);
  return static_cast<int>(st.recent.size()) <= st.spec.policy.intensity;
}

void escalate(sup_ptr self, const std::string& reason) {
  auto& st = self->state;
  auto why = "more than " + std::to_string(st.spec.policy.intensity) +
             " restarts within " +
             std::to_string(st.spec.policy.period.count()) +
             " ms; last: " + reason;
  log()->error("supervisor {} gives up and escalates: {}", st.spec.name, why);
  if (st.spec.metrics)
    st.spec.metrics->escalated();
  if (st.spec.on_give_up)
    st.spec.on_give_up(why);
  st.quit_reason = make_error(errc::escalated, st.spec.name + ": " + why);
  begin_stop(self);
}

/// The children a failure of `index` restarts, in start order.
std::vector<std::size_t> restart_group(sup_ptr self, std::size_t index) {
  auto& st = self->state;
  std::vector<std::size_t> group;
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    if (i == index) {
      group.push_back(i);
      continue;
    }
    auto& other = st.slots[i];
    bool affected = false;
    switch (st.spec.policy.strategy) {
    case restart_strategy::one_for_one:
      break;
    case restart_strategy::one_for_all:
      affected = true;
      break;
    case restart_strategy::rest_for_one:
      affected = i > index;
      break;
    }
    if (affected && other.spec.restart != restart_kind::temporary &&
        other.status == child_status::running)
      group.push_back(i);
  }
  return group;
}

void on_child_down(sup_ptr self, std::size_t index, const caf::error& reason) {
  auto& st = self->state;
  auto& child = st.slots[index];
  child.handle = nullptr;
  if (st.stopping) {
    self->send(child.proxy, child_down_atom::value, std::string{"stopped"},
               false, true);
    stop_next(self);
    return;
  }
  if (child.status == child_status::stopping) {
    // Stopped on purpose as part of a group restart.
    self->send(child.proxy, child_down_atom::value,
               std::string{"restarting with a sibling"}, false, false);
    child.status = child_status::backing_off;
    start_due(self);
    return;
  }
  bool abnormal = reason && reason != caf::exit_reason::normal &&
                  reason != caf::exit_reason::user_shutdown;
  auto text = reason ? self->system().render(reason) : std::string{"normal"};
  if (abnormal) {
    child.last_failure = text;
    child.last_failure_at = std::chrono::system_clock::now();
  }
  if (!should_restart(child.spec, abnormal)) {
    log()->info("{}: {} stopped ({}), not restarted ({})", st.spec.name,
                child.spec.name, text, to_string(child.spec.restart));
    child.status = child_status::stopped;
    self->send(child.proxy, child_down_atom::value, text, abnormal, true);
    return;
  }
  self->send(child.proxy, child_down_atom::value, text, abnormal, false);
  child.status = child_status::backing_off;
  if (!within_intensity(self, index)) {
    escalate(self, child.spec.name + " (" + text + ")");
    return;
  }
  const auto& backoff = child.spec.policy.backoff;
  if (clock::now() - child.started >= backoff.reset_after)
    child.backoff_step = 0;
  std::uniform_real_distribution<double> unit{0.0, 1.0};
  auto delay = backoff_delay(backoff, child.backoff_step++, unit(st.random));
  ++child.restarts_total;
  if (st.spec.metrics)
    st.spec.metrics->restarted(st.spec.name, child.spec.name);
  auto group = restart_group(self, index);
  log()->warn("{}: {} failed ({}); restart {} in {} ms ({}, {} child(ren))",
              st.spec.name, child.spec.name, text, child.restarts_total,
              delay.count(), to_string(st.spec.policy.strategy), group.size());
  for (auto i = group.size(); i-- > 0;) {
    auto& other = st.slots[group[i]];
    if (group[i] == index || !other.handle)
      continue;
    other.status = child_status::stopping;
    stop_child(self, other);
  }
  self->delayed_send(self, delay, restart_atom::value, group);
}

/// Collects the answers of one inspection.
struct inspection {
  actor_node root;
  std::size_t pending = 0;
  caf::response_promise promise;
  void done() {
    if (--pending == 0)
      promise.deliver(root);
  }
};

int restarts_in_period(sup_ptr self, std::size_t index) {
  auto& st = self->state;
  auto now = clock::now();
  int n = 0;
  for (auto& [at, i] : st.recent)
    if (i == index && now - at <= st.spec.policy.period)
      ++n;
  return n;
}

caf::result<actor_node> inspect(sup_ptr self) {
  auto& st = self->state;
  auto job = std::make_shared<inspection>();
  auto& root = job->root;
  root.name = st.spec.name;
  root.kind = "supervisor";
  root.policy = st.spec.policy.name;
  root.strategy = to_string(st.spec.policy.strategy);
  root.state = st.stopping ? "stopping" : "running";
  root.mailbox_size = self->mailbox().size();
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& child = st.slots[i];
    actor_node node;
    node.name = child.spec.name;
    node.kind = child.spec.kind;
    node.policy = child.spec.policy.name;
    node.restart = to_string(child.spec.restart);
    node.state = to_string(child.status);
    node.restarts_in_period = restarts_in_period(self, i);
    node.restarts_total = child.restarts_total;
    node.last_failure = child.last_failure;
    if (!child.last_failure.empty())
      node.last_failure_unix_ms = std::chrono::duration_cast<millis>(
                                      child.last_failure_at.time_since_epoch())
                                      .count();
    root.children.push_back(std::move(node));
  }
  job->promise = self->make_response_promise();
  job->pending = 1;
  for (std::size_t i = 0; i < st.slots.size(); ++i) {
    auto& child = st.slots[i];
    ++job->pending;
    self->request(child.proxy, inspect_timeout, inspect_atom::value)
        .then(
            [job, i](proxy_snapshot& snap) {
              job->root.children[i].mailbox_size = snap.mailbox_size;
              job->root.children[i].proxy = std::move(snap);
              job->done();
            },
            [job](caf::error&) { job->done(); });
    if (child.spec.is_supervisor && child.handle) {
      ++job->pending;
      self->request(child.handle, inspect_timeout, inspect_atom::value)
          .then(
              [job, i](actor_node& sub) {
                auto& node = job->root.children[i];
                node.strategy = sub.strategy;
                node.children = std::move(sub.children);
                job->done();
              },
              [job](caf::error&) { job->done(); });
    }
  }
  auto promise = job->promise;
  job->done();
  return promise;
}

caf::behavior supervisor(sup_ptr self, supervisor_spec spec,
                         std::vector<caf::actor> proxies) {
  auto& st = self->state;
  auto children = std::move(spec.children);
  st.spec = std::move(spec);
  for (std::size_t i = 0; i < children.size(); ++i) {
    slot child;
    child.spec = std::move(children[i]);
    child.proxy = std::move(proxies[i]);
    self->link_to(child.proxy);
    st.slots.push_back(std::move(child));
  }
  for (std::size_t i = 0; i < st.slots.size(); ++i)
    start_child(self, i);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    for (std::size_t i = 0; i < st.slots.size(); ++i)
      if (st.slots[i].handle && st.slots[i].handle.address() == msg.source) {
        on_child_down(self, i, msg.reason);
        return;
      }
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto& child : st.slots)
      if (child.proxy.address() == msg.source) {
        if (!st.stopping)
          log()->error("{}: proxy of {} stopped ({})", st.spec.name,
                       child.spec.name, self->system().render(msg.reason));
        return;
      }
    // The parent (or an operator) stops this subtree.
    begin_stop(self);
  });
  return {
      [self](restart_atom, const std::vector<std::size_t>& group) {
        auto& st = self->state;
        if (st.stopping)
          return;
        for (auto i : group)
          if (std::find(st.due_starts.begin(), st.due_starts.end(), i) ==
              st.due_starts.end())
            st.due_starts.push_back(i);
        std::sort(st.due_starts.begin(), st.due_starts.end());
        start_due(self);
      },
      [self](tick_atom, const caf::actor_addr& addr) {
        for (auto& child : self->state.slots)
          if (child.handle && child.handle.address() == addr) {
            log()->warn("{}: {} did not stop within {} ms; killing it",
                        self->state.spec.name, child.spec.name,
                        child.spec.shutdown_timeout.count());
            self->send_exit(child.handle, caf::exit_reason::kill);
          }
      },
      [self](shutdown_atom) {
        auto promise = self->make_response_promise();
        self->state.stop_waiters.push_back(promise);
        begin_stop(self);
        return promise;
      },
      [self](inspect_atom) { return inspect(self); },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& sys, supervisor_spec spec) {
  // Proxies are spawned and registered here, before the supervisor runs,
  // so a caller may look a child up as soon as this returns; messages sent
  // before the child started wait in the proxy's buffer.
  std::vector<caf::actor> proxies;
  for (const auto& child : spec.children) {
    auto proxy =
        spawn_child_proxy(sys, proxy_config{child.name, spec.name, child.policy,
                                            child.probe, spec.metrics});
    sys.registry().put(caf::atom_from_string(child.name),
                       caf::actor_cast<caf::strong_actor_ptr>(proxy));
    proxies.push_back(std::move(proxy));
  }
  return sys.spawn(supervisor, std::move(spec), std::move(proxies));
}

child_spec supervisor_child(supervisor_spec spec, millis shutdown_timeout,
                            restart_kind restart) {
  child_spec out;
  out.name = spec.name;
  out.kind = "supervisor";
  out.policy = spec.policy;
  out.restart = restart;
  out.shutdown_timeout = shutdown_timeout;
  out.is_supervisor = true;
  out.start = [spec](caf::actor_system& sys) {
    return spawn_supervisor(sys, spec);
  };
  return out;
}

} // namespace cdpd::actors
