#include "actors/limits/limiter_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>

namespace cdpd::actors::limits {

namespace {

/// The shortest idle-timer period, so a tiny idle_timeout cannot make a
/// limiter spin on its own ticks.
constexpr auto min_tick = std::chrono::milliseconds{1};

/// One rate's answer, computed on a copy of its state.
struct checked_rate {
  const rate* plan;
  gcra_state next;
  decision answer;
};

void store(rate_states& states, std::string_view name, gcra_state next) {
  auto i = states.find(name);
  if (i == states.end())
    states.emplace(std::string{name}, next);
  else
    i->second = next;
}

void on_tick(limiter_key_actor::stateful_pointer<limiter_state> self) {
  auto& st = self->state;
  auto idle = st.config.idle_timeout;
  auto now = clock::now();
  if (now - st.last_request >= idle && all_fresh(st.rates, now)) {
    self->send(st.config.host, caf::idle_atom::value, st.config.key,
               st.handled);
    // The host declines when a request is on its way here; look again.
    self->delayed_send(self, std::max<clock::duration>(idle, min_tick),
                       tick_atom::value);
    return;
  }
  auto next = std::max(st.last_request + idle, fresh_at(st.rates));
  self->delayed_send(self, std::max<clock::duration>(next - now, min_tick),
                     tick_atom::value);
}

} // namespace

verdict decide(rate_states& states, const std::vector<rate>& rates,
               int64_t cost, bool peek, clock::time_point now) {
  std::vector<checked_rate> results;
  results.reserve(rates.size());
  for (const auto& r : rates) {
    if (r.limit <= 0 || r.period <= std::chrono::milliseconds::zero())
      continue;
    gcra_state state;
    if (auto i = states.find(r.name); i != states.end())
      state = i->second;
    auto d = check(state, now, r.limit, r.period, cost);
    results.push_back({&r, state, d});
  }
  verdict out;
  if (results.empty())
    return out;
  bool allowed = std::all_of(results.begin(), results.end(),
                             [](const auto& c) { return c.answer.allowed; });
  const checked_rate* pick = nullptr;
  for (const auto& c : results) {
    if (allowed) {
      if (!pick || c.answer.remaining < pick->answer.remaining)
        pick = &c;
    } else if (!c.answer.allowed &&
               (!pick || c.answer.retry_after > pick->answer.retry_after)) {
      pick = &c;
    }
  }
  if (allowed && !peek)
    for (const auto& c : results)
      store(states, c.plan->name, c.next);
  out.allowed = allowed;
  out.rate_name = std::string{pick->plan->name};
  out.limit = pick->plan->limit;
  out.remaining = pick->answer.remaining;
  out.reset_seconds = ceil_seconds(pick->answer.reset);
  out.retry_after_seconds =
      allowed ? 0
              : std::max<int64_t>(1, ceil_seconds(pick->answer.retry_after));
  out.retry_after_ms =
      allowed
          ? 0
          : std::max<int64_t>(1, std::chrono::ceil<std::chrono::milliseconds>(
                                     pick->answer.retry_after)
                                     .count());
  return out;
}

bool all_fresh(const rate_states& states, clock::time_point now) {
  return std::all_of(states.begin(), states.end(),
                     [now](const auto& s) { return s.second.tat <= now; });
}

clock::time_point fresh_at(const rate_states& states) {
  clock::time_point out{};
  for (const auto& s : states)
    out = std::max(out, s.second.tat);
  return out;
}

limiter_key_actor::behavior_type
limiter_actor(limiter_key_actor::stateful_pointer<limiter_state> self,
              limiter_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.last_request = clock::now();
  if (st.config.metrics) {
    st.config.metrics->limiter_started();
    self->attach_functor([metrics = st.config.metrics](const caf::error&) {
      metrics->limiter_stopped();
    });
  }
  self->delayed_send(
      self, std::max<clock::duration>(st.config.idle_timeout, min_tick),
      tick_atom::value);
  return {
      [self](limit_atom, const limit_query& query) -> verdict {
        auto& st = self->state;
        auto now = clock::now();
        ++st.handled;
        st.last_request = now;
        auto v = decide(st.rates, query.rates, query.cost, query.peek, now);
        if (st.config.metrics)
          st.config.metrics->decided(v.allowed);
        return v;
      },
      [self](tick_atom) { on_tick(self); },
      [self](caf::ok_atom) { self->quit(); },
  };
}

} // namespace cdpd::actors::limits
