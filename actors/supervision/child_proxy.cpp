#include "actors/supervision/child_proxy.hpp"

#include <deque>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "actors/log.hpp"
#include "actors/supervision/circuit_breaker.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/snapshot.hpp"

namespace cdpd::actors {

namespace {

using clock = std::chrono::steady_clock;

/// A response type nobody sends: every reply then reaches the error handler
/// as sec::unexpected_response carrying the reply, which is how a proxy
/// relays replies of any type in CAF 0.17.
struct never_reply {};

/// Calls held before a child's first start, whatever the policy's buffer.
constexpr std::size_t first_start_buffer = 256;

struct pending_call {
  caf::message msg;
  caf::response_promise promise;
  bool idempotent = false;
  int attempts = 0;
  clock::time_point deadline;
};

struct proxy_state {
  proxy_config config;
  caf::actor child;
  bool started = false; ///< the child came up at least once
  bool final_stop = false;
  std::optional<circuit_breaker> breaker;
  uint64_t probe_timer = 0; ///< ignores reset timers of earlier openings
  std::deque<uint64_t> buffered;
  std::unordered_map<uint64_t, pending_call> calls;
  std::size_t in_flight = 0;
  uint64_t next_id = 0;
  call_stats stats;
  static inline const char* name = "child-proxy";
};

using proxy_ptr = caf::stateful_actor<proxy_state>*;

void attempt(proxy_ptr self, uint64_t id);

int64_t unix_ms(clock::time_point at) {
  auto wall = std::chrono::system_clock::now() +
              std::chrono::duration_cast<std::chrono::system_clock::duration>(
                  at - clock::now());
  return std::chrono::duration_cast<millis>(wall.time_since_epoch()).count();
}

breaker_snapshot snapshot_of(proxy_ptr self) {
  auto& br = *self->state.breaker;
  breaker_snapshot out;
  out.name = self->state.config.name;
  out.state = to_string(br.state());
  out.forced = br.forced();
  out.consecutive_failures = br.consecutive_failures();
  out.reset_timeout_ms = br.reset_timeout().count();
  if (br.state() == breaker_state::open && !br.forced())
    out.next_probe_unix_ms = unix_ms(br.next_probe());
  return out;
}

int64_t ms_until_probe(proxy_ptr self) {
  auto& br = *self->state.breaker;
  if (br.forced())
    return br.reset_timeout().count();
  auto left =
      std::chrono::duration_cast<millis>(br.next_probe() - clock::now());
  return std::max<int64_t>(left.count(), 0);
}

bool is_failed_check(const caf::message& reply) {
  return reply.match_elements<check_result>() &&
         !reply.get_as<check_result>(0).up;
}

bool counts_as_failure(proxy_ptr self, const caf::error& err) {
  const auto& pred = self->state.config.policy.breaker.is_failure;
  return pred ? pred(err) : default_is_failure(err);
}

bool retryable(proxy_ptr self, const caf::error& err) {
  const auto& pred = self->state.config.policy.retry.retryable;
  return pred ? pred(err) : default_is_retryable(err);
}

/// Ends a call with a reply.
void finish_reply(proxy_ptr self, uint64_t id, caf::message reply) {
  auto i = self->state.calls.find(id);
  if (i == self->state.calls.end())
    return;
  if (is_failed_check(reply))
    ++self->state.stats.failures;
  else
    ++self->state.stats.successes;
  i->second.promise.deliver(std::move(reply));
  self->state.calls.erase(i);
}

/// Ends a call with an error, or schedules its next try.
void finish_error(proxy_ptr self, uint64_t id, caf::error err, bool rejected) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  auto& call = i->second;
  const auto& retry = st.config.policy.retry;
  if (call.idempotent && call.attempts < retry.max_attempts &&
      retryable(self, err)) {
    auto delay = retry.backoff * (1 << std::min(call.attempts - 1, 16));
    if (clock::now() + delay < call.deadline) {
      ++st.stats.retries;
      if (st.config.metrics)
        st.config.metrics->retried();
      self->delayed_send(self, delay, retry_atom::value, id);
      return;
    }
  }
  if (rejected)
    ++st.stats.rejections;
  else
    ++st.stats.failures;
  call.promise.deliver(std::move(err));
  st.calls.erase(i);
}

void reject_unavailable(proxy_ptr self, uint64_t id, const char* why) {
  finish_error(
      self, id,
      make_error(errc::child_unavailable, self->state.config.name + " " + why),
      true);
}

void on_transition(proxy_ptr self, breaker_state from, breaker_state to) {
  auto& st = self->state;
  log()->warn("breaker {}: {} -> {} (consecutive failures {}, reset timeout "
              "{} ms)",
              st.config.name, to_string(from), to_string(to),
              st.breaker ? st.breaker->consecutive_failures() : 0,
              st.breaker ? st.breaker->reset_timeout().count() : 0);
  if (st.config.metrics)
    st.config.metrics->transition(st.config.name, to);
  if (to == breaker_state::open && st.breaker && !st.breaker->forced())
    self->delayed_send(self, st.breaker->reset_timeout(), probe_atom::value,
                       ++st.probe_timer);
}

/// A half-open breaker probes the child by itself when it has a probe.
void send_probe(proxy_ptr self) {
  auto& st = self->state;
  if (!st.config.probe || !st.breaker)
    return;
  if (!st.child) {
    if (st.breaker->allow(clock::now()))
      st.breaker->failed(clock::now());
    return;
  }
  if (!st.breaker->allow(clock::now()))
    return;
  self->request(st.child, caf::duration{st.config.policy.breaker.call_timeout},
                *st.config.probe)
      .then([](never_reply&) {},
            [self](caf::error& err) {
              auto& br = self->state.breaker;
              if (err == caf::sec::unexpected_response &&
                  !is_failed_check(err.context()))
                br->succeeded(clock::now());
              else
                br->failed(clock::now());
            });
}

void on_reply(proxy_ptr self, uint64_t id, caf::message reply) {
  auto& st = self->state;
  if (st.breaker) {
    if (is_failed_check(reply))
      st.breaker->failed(clock::now());
    else
      st.breaker->succeeded(clock::now());
  }
  finish_reply(self, id, std::move(reply));
}

void on_error(proxy_ptr self, uint64_t id, caf::error err) {
  auto& st = self->state;
  if (st.breaker && counts_as_failure(self, err))
    st.breaker->failed(clock::now());
  finish_error(self, id, std::move(err), false);
}

void attempt(proxy_ptr self, uint64_t id) {
  auto& st = self->state;
  auto i = st.calls.find(id);
  if (i == st.calls.end())
    return;
  auto& call = i->second;
  ++call.attempts;
  if (!st.child) {
    if (st.final_stop)
      return reject_unavailable(self, id, "is stopped");
    // Before the first start the child is not backing off but about to
    // come up: hold calls even when the policy buffers none.
    auto bound = st.started ? st.config.policy.buffer
                            : std::max<std::size_t>(st.config.policy.buffer,
                                                    first_start_buffer);
    if (st.buffered.size() < bound) {
      --call.attempts; // waiting is not a try
      st.buffered.push_back(id);
      return;
    }
    return reject_unavailable(self, id, "is restarting");
  }
  auto now = clock::now();
  if (st.breaker && !st.breaker->allow(now)) {
    if (st.config.metrics)
      st.config.metrics->rejected();
    auto wait = ms_until_probe(self);
    if (call.msg.match_elements<check_atom>()) {
      // Readiness must not wait for a probe: an open breaker is "down".
      ++st.stats.rejections;
      call.promise.deliver(check_result{
          false, 0,
          "circuit breaker " + std::string{to_string(st.breaker->state())} +
              "; next probe in " + std::to_string(wait) + " ms"});
      st.calls.erase(i);
      return;
    }
    return finish_error(
        self, id,
        make_error(errc::circuit_open,
                   "circuit breaker of " + st.config.name + " is open", wait),
        true);
  }
  caf::duration timeout{caf::infinite};
  if (st.breaker)
    timeout = caf::duration{st.config.policy.breaker.call_timeout};
  if (call.idempotent) {
    auto left = std::chrono::duration_cast<millis>(call.deadline - now);
    auto per_try = std::min(st.config.policy.retry.per_try_timeout, left);
    if (st.breaker)
      per_try = std::min(per_try, st.config.policy.breaker.call_timeout);
    timeout = caf::duration{std::max(per_try, millis{1})};
  }
  ++st.in_flight;
  self->request(st.child, timeout, call.msg)
      .then([](never_reply&) {},
            [self, id](caf::error& err) {
              --self->state.in_flight;
              if (err == caf::sec::unexpected_response)
                on_reply(self, id, err.context());
              else
                on_error(self, id, std::move(err));
            });
}

void accept_call(proxy_ptr self, caf::message msg) {
  auto& st = self->state;
  pending_call call;
  call.promise = self->make_response_promise();
  if (msg.match_element<idempotent_atom>(0)) {
    call.idempotent = true;
    call.deadline = clock::now() + st.config.policy.retry.deadline;
    call.msg = msg.drop(1);
  } else {
    call.msg = std::move(msg);
  }
  auto id = st.next_id++;
  ++st.stats.calls;
  st.calls.emplace(id, std::move(call));
  attempt(self, id);
}

void reject_all(proxy_ptr self, const char* why) {
  auto& st = self->state;
  std::vector<uint64_t> ids;
  for (auto& entry : st.calls)
    ids.push_back(entry.first);
  st.buffered.clear();
  for (auto id : ids) {
    auto i = st.calls.find(id);
    if (i == st.calls.end())
      continue;
    i->second.idempotent = false; // no retries after the end
    reject_unavailable(self, id, why);
  }
}

caf::behavior child_proxy(proxy_ptr self, proxy_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  if (st.config.policy.breaker.enabled) {
    st.breaker.emplace(st.config.policy.breaker,
                       [self](breaker_state from, breaker_state to) {
                         on_transition(self, from, to);
                       });
    if (st.config.metrics)
      st.config.metrics->breaker_created(st.config.name);
  }
  self->set_exit_handler([self](caf::exit_msg& msg) {
    reject_all(self, "is stopped");
    self->quit(msg.reason);
  });
  self->set_default_handler(
      [self](caf::scheduled_actor*,
             caf::message_view& view) -> caf::result<caf::message> {
        accept_call(self, view.move_content_to_message());
        return caf::delegated<caf::message>{};
      });
  return {
      [self](child_up_atom, caf::actor child) {
        auto& st = self->state;
        st.child = std::move(child);
        st.started = true;
        st.final_stop = false;
        auto waiting = std::move(st.buffered);
        st.buffered.clear();
        for (auto id : waiting)
          attempt(self, id);
      },
      [self](child_down_atom, const std::string&, bool crashed,
             bool final_stop) {
        auto& st = self->state;
        st.child = nullptr;
        if (crashed && st.breaker)
          st.breaker->failed(clock::now());
        if (final_stop) {
          st.final_stop = true;
          reject_all(self, "is stopped");
        }
      },
      [self](retry_atom, uint64_t id) { attempt(self, id); },
      [self](probe_atom, uint64_t timer) {
        auto& st = self->state;
        if (timer != st.probe_timer || !st.breaker)
          return;
        if (st.breaker->poll(clock::now()) == breaker_state::half_open)
          send_probe(self);
      },
      [self](inspect_atom) {
        auto& st = self->state;
        proxy_snapshot out;
        if (st.breaker)
          out.breaker = snapshot_of(self);
        out.stats = st.stats;
        out.buffered = st.buffered.size();
        out.in_flight = st.in_flight;
        out.mailbox_size = self->mailbox().size();
        return out;
      },
      [self](breaker_atom, reset_atom) -> caf::result<breaker_snapshot> {
        auto& st = self->state;
        if (!st.breaker)
          return make_error(errc::no_breaker,
                            st.config.name + " has no circuit breaker");
        log()->warn("breaker {}: reset by an operator", st.config.name);
        st.breaker->reset();
        return snapshot_of(self);
      },
      [self](breaker_atom, force_open_atom) -> caf::result<breaker_snapshot> {
        auto& st = self->state;
        if (!st.breaker)
          return make_error(errc::no_breaker,
                            st.config.name + " has no circuit breaker");
        log()->warn("breaker {}: forced open by an operator", st.config.name);
        st.breaker->force_open(clock::now());
        return snapshot_of(self);
      },
  };
}

} // namespace

caf::actor spawn_child_proxy(caf::actor_system& sys, proxy_config config) {
  return sys.spawn(child_proxy, std::move(config));
}

} // namespace cdpd::actors
