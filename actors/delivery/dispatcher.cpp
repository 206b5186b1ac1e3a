#include "actors/delivery/dispatcher.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::delivery {

namespace {

/// Runs a repository call on a pooled connection; a lost connection is
/// re-raised so the pool discards it.
template <class F>
auto db(storage::pg_pool& pool, F fn)
    -> decltype(fn(std::declval<pqxx::connection&>())) {
  auto result = pool.run([&](pqxx::connection& conn) {
    auto value = fn(conn);
    if (!value && value.error() == storage::errc::connection_lost)
      throw pqxx::broken_connection{storage::describe(value.error())};
    return value;
  });
  if (!result)
    return std::move(result.error());
  return std::move(*result);
}

void warn(const dispatcher_options& o, const char* what,
          const caf::error& err) {
  spdlog::warn("{}: {}: {}", o.name, what, storage::describe(err));
}

/// Starts the campaigns whose time has come.
bool start_due(const dispatcher_options& o, round_result& out) {
  auto& pool = *o.pool;
  auto scheduled = db(pool, [&](pqxx::connection& c) {
    return storage::schedule_campaigns(c, o.timezone);
  });
  if (!scheduled) {
    warn(o, "scheduling campaigns", scheduled.error());
    return false;
  }
  auto due =
      db(pool, [](pqxx::connection& c) { return storage::due_campaigns(c); });
  if (!due) {
    warn(o, "finding due campaigns", due.error());
    return false;
  }
  for (const auto& id : *due) {
    auto started = db(pool, [&](pqxx::connection& c) {
      return storage::start_campaign(c, id, o.wait_day);
    });
    if (!started) {
      warn(o, "starting a campaign", started.error());
      return false;
    }
    if (!started->problem.empty())
      spdlog::warn("{}: campaign {} not started: {}", o.name, id,
                   started->problem);
    if (started->started) {
      ++out.started;
      spdlog::info("{}: campaign {} started with {} deliveries", o.name, id,
                   started->rows);
    }
  }
  return true;
}

void complete_finished(const dispatcher_options& o, round_result& out) {
  auto paused = db(*o.pool, [&](pqxx::connection& c) {
    return storage::pause_failing_campaigns(c, o.pause_failures);
  });
  if (!paused)
    warn(o, "pausing failing campaigns", paused.error());
  else
    for (const auto& id : *paused) {
      spdlog::warn("{}: campaign {} paused: too many failed deliveries", o.name,
                   id);
      ++out.paused;
    }
  auto done = db(*o.pool, [](pqxx::connection& c) {
    return storage::complete_campaigns(c);
  });
  if (!done) {
    warn(o, "completing campaigns", done.error());
    return;
  }
  for (const auto& id : *done)
    spdlog::info("{}: campaign {} completed", o.name, id);
  out.completed += static_cast<int64_t>(done->size());
}

/// Records a failure and counts what it became.
void record_failure(const dispatcher_options& o,
                    const storage::claimed_delivery& d,
                    const std::string& error, bool retryable,
                    round_result& out) {
  auto recorded = db(*o.pool, [&](pqxx::connection& c) {
    return storage::record_failure(c, d.id, d.attempts, error, retryable,
                                   o.retry);
  });
  if (!recorded) {
    warn(o, "recording a failure", recorded.error());
    return;
  }
  if (!*recorded)
    ++out.lost;
  else if (**recorded == "dead")
    ++out.dead;
  else
    ++out.failed;
}

void deliver(const dispatcher_options& o, const storage::claimed_delivery& d,
             round_result& out) {
  if (!d.may_receive)
    return record_failure(o, d, "the recipient unsubscribed or opted out",
                          false, out);
  if (o.pace)
    o.pace->wait();
  auto sent = o.send(d);
  if (sent.result != send_outcome::kind::sent)
    return record_failure(o, d, sent.error,
                          sent.result == send_outcome::kind::retryable, out);
  auto recorded = db(*o.pool, [&](pqxx::connection& c) {
    return storage::record_sent(c, d.id, d.attempts, sent.message_id);
  });
  if (!recorded)
    warn(o, "recording a send", recorded.error());
  else if (*recorded)
    ++out.sent;
  else
    ++out.lost;
}

/// Claims one batch; logs and returns nothing on failure.
std::optional<std::vector<storage::claimed_delivery>>
claim(const dispatcher_options& o) {
  auto claimed = db(*o.pool, [&](pqxx::connection& c) {
    return storage::claim_deliveries(c, o.batch_size, o.lease);
  });
  if (!claimed) {
    warn(o, "claiming deliveries", claimed.error());
    return std::nullopt;
  }
  return std::move(*claimed);
}

struct dispatcher_state {
  dispatcher_options options;
  std::vector<storage::claimed_delivery> batch; ///< claimed, not yet sent
  size_t next = 0;                              ///< next row of batch
};

/// One row per message, so an exit request is seen between two sends
/// rather than after a whole batch.
caf::behavior dispatcher_actor(caf::stateful_actor<dispatcher_state>* self,
                               dispatcher_options options) {
  self->state.options = std::move(options);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        auto& st = self->state;
        const auto& o = st.options;
        round_result round;
        if (st.next < st.batch.size()) {
          deliver(o, st.batch[st.next++], round);
          self->send(self, tick_atom::value);
          return;
        }
        st.batch.clear();
        st.next = 0;
        if (o.schedules) {
          complete_finished(o, round);
          start_due(o, round);
        }
        if (!o.ready || o.ready())
          if (auto claimed = claim(o))
            st.batch = std::move(*claimed);
        if (!st.batch.empty() || round.started > 0)
          self->send(self, tick_atom::value);
        else
          self->delayed_send(self, o.poll_interval, tick_atom::value);
      },
  };
}

} // namespace

round_result run_round(const dispatcher_options& o) {
  round_result out;
  if (o.schedules && !start_due(o, out))
    return out;
  if (o.ready && !o.ready())
    return out;
  auto claimed = claim(o);
  if (!claimed)
    return out;
  out.claimed = static_cast<int64_t>(claimed->size());
  for (const auto& d : *claimed)
    deliver(o, d, out);
  if (o.schedules)
    complete_finished(o, out);
  return out;
}

caf::actor spawn_dispatcher(caf::actor_system& sys,
                            dispatcher_options options) {
  return sys.spawn<caf::detached>(dispatcher_actor, std::move(options));
}

} // namespace cdpd::actors::delivery
