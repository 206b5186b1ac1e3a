#include "actors/delivery/dispatcher.hpp"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "storage/errc.hpp"
#include "storage/repositories/cluster_repository.hpp"
#include "storage/repositories/delivery_lease.hpp"
#include "storage/repositories/flow_run_repository.hpp"

namespace cdpd::actors::delivery {

namespace {

void warn(const dispatcher_options& o, const char* what,
          const caf::error& err) {
  spdlog::warn("{}: {}: {}", o.name, what, storage::describe(err));
}

/// Tells the row's campaign how its counts moved; rows of flow runs are
/// nobody's business but the run's.
void report(const dispatcher_options& o, const storage::claimed_delivery& d,
            int64_t pending, int64_t failed, int64_t sent, int64_t dead) {
  if (o.report && !d.campaign_id.empty())
    o.report({d.campaign_id, pending, failed, sent, dead});
}

/// A row given back unattempted is pending again after its first attempt,
/// else failed (storage::release_claims, defer_claims).
void report_given_back(const dispatcher_options& o,
                       const storage::claimed_delivery& d) {
  if (d.attempts > 1)
    report(o, d, -1, 1, 0, 0);
}

void complete_runs(const dispatcher_options& o, round_result& out) {
  auto runs = o.pool->run(
      [](pqxx::connection& c) { return storage::complete_runs(c); });
  if (!runs)
    warn(o, "completing flow runs", runs.error());
  else
    out.runs_completed += *runs;
}

/// Records a failure and counts what it became.
void record_failure(const dispatcher_options& o,
                    const storage::claimed_delivery& d,
                    const std::string& error, bool retryable,
                    round_result& out) {
  auto recorded = o.pool->run([&](pqxx::connection& c) {
    return storage::record_failure(c, d.id, d.attempts, error, retryable,
                                   o.retry);
  });
  if (!recorded) {
    warn(o, "recording a failure", recorded.error());
    return;
  }
  if (!*recorded) {
    ++out.lost;
  } else if (**recorded == "dead") {
    ++out.dead;
    report(o, d, -1, 0, 0, 1);
  } else {
    ++out.failed;
    report(o, d, -1, 1, 0, 0);
  }
}

/// True when the row's flow run has just exited because its customer left
/// the segment (the row is dead then). A failed check leaves the row leased:
/// it comes back when the lease ends.
bool run_exited(const dispatcher_options& o, const storage::claimed_delivery& d,
                round_result& out, bool& failed) {
  auto exited = o.pool->run([&](pqxx::connection& c) {
    return storage::exit_run_if_left(c, d.flow_run_id);
  });
  if (!exited) {
    warn(o, "checking a flow run's segment", exited.error());
    failed = true;
    return false;
  }
  if (*exited) {
    spdlog::info("{}: flow run {} exited: the customer left the segment",
                 o.name, d.flow_run_id);
    ++out.exited;
    ++out.dead;
  }
  return *exited;
}

/// Gives claims back unattempted; on failure (false) they come back with
/// their lease instead.
bool release(const dispatcher_options& o,
             const std::vector<storage::delivery_claim>& claims,
             round_result& out) {
  auto released = o.pool->run(
      [&](pqxx::connection& c) { return storage::release_claims(c, claims); });
  if (!released) {
    warn(o, "giving back claimed deliveries", released.error());
    return false;
  }
  out.released += *released;
  return true;
}

/// The checks before a row is throttled and sent. False when the row is
/// done without a send: its flow run exited, its recipient may no longer
/// receive (recorded dead), or the check failed (the row keeps its lease).
bool may_send(const dispatcher_options& o, const storage::claimed_delivery& d,
              round_result& out) {
  if (!d.flow_run_id.empty() && o.flow_exit_on_leave) {
    bool failed = false;
    if (run_exited(o, d, out, failed) || failed)
      return false;
  }
  if (!d.may_receive) {
    record_failure(o, d, "the recipient unsubscribed or opted out", false, out);
    return false;
  }
  return true;
}

/// Sends one row through the provider and records the outcome.
void send_one(const dispatcher_options& o, const storage::claimed_delivery& d,
              round_result& out) {
  auto sent = o.send(d);
  if (sent.result == send_outcome::kind::held) {
    if (release(o, {{d.id, d.attempts}}, out))
      report_given_back(o, d);
    return;
  }
  if (sent.result != send_outcome::kind::sent)
    return record_failure(o, d, sent.error,
                          sent.result == send_outcome::kind::retryable, out);
  auto recorded = o.pool->run([&](pqxx::connection& c) {
    return storage::record_sent(c, d.id, d.attempts, sent.message_id);
  });
  if (!recorded)
    warn(o, "recording a send", recorded.error());
  else if (!*recorded)
    ++out.lost;
  else {
    ++out.sent;
    report(o, d, -1, 0, 1, 0);
  }
}

/// The send speed of the row's campaign in messages per minute (its own,
/// else delivery.campaign-speed); 0 for no limit and for flow runs.
int64_t speed_of(const dispatcher_options& o,
                 const storage::claimed_delivery& d) {
  if (d.campaign_id.empty())
    return 0;
  return d.send_speed_per_minute.value_or(o.throttle.campaign_per_minute);
}

/// Nothing when the row's campaign may send it now (the message is charged
/// to the campaign), else how long the campaign must wait.
std::optional<millis> campaign_wait(const dispatcher_options& o,
                                    const storage::claimed_delivery& d) {
  const auto& t = o.throttle;
  auto speed = speed_of(o, d);
  if (!t.region || speed <= 0)
    return std::nullopt;
  auto v = ask_limiter(*t.region, campaign_key(d.campaign_id),
                       campaign_rate(speed), t.verdict_timeout);
  if (v.allowed)
    return std::nullopt;
  return millis{v.retry_after_ms};
}

/// Zero when the provider's rate allows one more message now (charged),
/// else how long until it would.
millis provider_wait(const dispatcher_options& o) {
  const auto& t = o.throttle;
  if (!t.region || t.provider_per_second <= 0)
    return millis::zero();
  auto v = ask_limiter(*t.region, provider_key(t.provider),
                       provider_rate(t.provider_per_second), t.verdict_timeout);
  return v.allowed ? millis::zero() : millis{v.retry_after_ms};
}

/// Claims one batch; logs and returns nothing on failure.
std::optional<std::vector<storage::claimed_delivery>>
claim(const dispatcher_options& o, const std::string& claimant) {
  auto claimed = o.pool->run([&](pqxx::connection& c) {
    return storage::claim_deliveries(c, o.batch_size, o.lease, claimant);
  });
  if (!claimed) {
    warn(o, "claiming deliveries", claimed.error());
    return std::nullopt;
  }
  return std::move(*claimed);
}

using steady = std::chrono::steady_clock;

/// The longest throttle wait in one actor message: an exit request is seen
/// between two waits.
constexpr millis max_wait{1'000};

/// A claimed batch being sent, row by row.
struct batch_state {
  std::vector<storage::claimed_delivery> rows; ///< claimed, not yet sent
  size_t next = 0;                             ///< next row to send
  steady::time_point lease_end;                ///< earliest the lease ends
  /// The row whose checks and campaign speed have passed and that waits only
  /// for the provider's rate; 0 for none (row ids start at 1).
  int64_t cleared = 0;
  /// In a cluster, the membership incarnation the batch was claimed under.
  int64_t incarnation = 0;

  bool done() const { return next >= rows.size(); }

  std::vector<storage::delivery_claim> unsent() const {
    std::vector<storage::delivery_claim> out;
    for (auto i = next; i < rows.size(); ++i)
      out.push_back({rows[i].id, rows[i].attempts});
    return out;
  }
};

/// Claims one batch; its lease is counted from before the claim, so the
/// local deadline is never later than the database's.
bool claim_batch(const dispatcher_options& o, batch_state& batch) {
  auto started = steady::now();
  batch = batch_state{};
  std::string claimant;
  if (o.membership) {
    auto incarnation = o.membership->incarnation();
    if (incarnation == 0 || !o.membership->valid())
      return false;
    batch.incarnation = incarnation;
    claimant = storage::claimant_tag(o.member, incarnation);
  }
  auto claimed = claim(o, claimant);
  if (!claimed)
    return false;
  batch.rows = std::move(*claimed);
  batch.lease_end = started + o.lease;
  for (const auto& row : batch.rows)
    if (row.was_failed)
      report(o, row, 1, -1, 0, 0);
  return true;
}

/// Makes sure the next send cannot outlast the lease: renews the rest of
/// the batch when less than one send timeout and a quarter lease is left, and
/// drops rows another dispatcher has taken meanwhile. False when the lease
/// could not be renewed: the rest of the batch is dropped and comes back
/// when its lease ends.
bool keep_lease(const dispatcher_options& o, batch_state& batch,
                round_result& out) {
  auto started = steady::now();
  if (started + o.send_timeout + o.lease / 4 < batch.lease_end)
    return true;
  auto held = o.pool->run([&](pqxx::connection& c) {
    return storage::renew_leases(c, batch.unsent(), o.lease);
  });
  if (!held) {
    warn(o, "renewing the lease of claimed deliveries", held.error());
    batch.rows.clear();
    batch.next = 0;
    return false;
  }
  // Sorted once, so a batch of thousands is not searched per row.
  std::sort(held->begin(), held->end());
  std::vector<storage::claimed_delivery> kept;
  for (auto i = batch.next; i < batch.rows.size(); ++i)
    if (std::binary_search(held->begin(), held->end(), batch.rows[i].id))
      kept.push_back(std::move(batch.rows[i]));
  out.lost +=
      static_cast<int64_t>(batch.rows.size() - batch.next - kept.size());
  batch.rows = std::move(kept);
  batch.next = 0;
  batch.lease_end = started + o.lease;
  return true;
}

/// Gives the batch's current row and its later rows of the same campaign
/// back unattempted, the first due after `wait` and each further one a
/// message interval of the campaign's speed later (so they come back in
/// the order the speed lets them go), and drops them from the batch: the
/// other campaigns' rows go on. A failed give-back leaves the rows to come
/// back with their lease.
void defer_campaign(const dispatcher_options& o, batch_state& batch,
                    millis wait, round_result& out) {
  auto campaign = batch.rows[batch.next].campaign_id;
  auto r = campaign_rate(speed_of(o, batch.rows[batch.next]));
  millis interval{r.period.count() / std::max<int64_t>(1, r.limit)};
  std::vector<storage::deferred_claim> deferred;
  std::vector<storage::claimed_delivery> kept;
  std::vector<storage::claimed_delivery> given_back;
  for (auto i = batch.next; i < batch.rows.size(); ++i) {
    auto& row = batch.rows[i];
    if (row.campaign_id == campaign) {
      deferred.push_back(
          {row.id, row.attempts,
           wait + interval * static_cast<int64_t>(deferred.size())});
      given_back.push_back(std::move(row));
    } else {
      kept.push_back(std::move(row));
    }
  }
  batch.rows = std::move(kept);
  batch.next = 0;
  auto given = o.pool->run(
      [&](pqxx::connection& c) { return storage::defer_claims(c, deferred); });
  if (!given) {
    warn(o, "giving back deliveries over their campaign's speed",
         given.error());
    return;
  }
  out.deferred += *given;
  for (const auto& row : given_back)
    report_given_back(o, row);
}

/// In a cluster: false, and the rest of the batch dropped, once the lease
/// the batch was claimed under no longer holds. Its rows stay claimed;
/// the other members release them as soon as this lease has ended, and
/// send them with the same idempotency key.
bool still_member(const dispatcher_options& o, batch_state& batch,
                  round_result& out) {
  if (!o.membership || (o.membership->valid() &&
                        o.membership->incarnation() == batch.incarnation))
    return true;
  out.lost += static_cast<int64_t>(batch.rows.size() - batch.next);
  batch.rows.clear();
  batch.next = 0;
  return false;
}

/// Sends the batch's next row, or gives the whole rest back when the
/// provider is known to be down.
void send_next(const dispatcher_options& o, batch_state& batch,
               round_result& out) {
  if (!still_member(o, batch, out))
    return;
  if (o.ready && !o.ready()) {
    if (release(o, batch.unsent(), out))
      for (auto i = batch.next; i < batch.rows.size(); ++i)
        report_given_back(o, batch.rows[i]);
    batch.rows.clear();
    batch.next = 0;
    return;
  }
  if (!keep_lease(o, batch, out) || batch.done())
    return;
  const auto& d = batch.rows[batch.next];
  if (batch.cleared != d.id) {
    if (!may_send(o, d, out)) {
      ++batch.next;
      return;
    }
    if (auto wait = campaign_wait(o, d)) {
      defer_campaign(o, batch, *wait, out);
      return;
    }
    batch.cleared = d.id;
  }
  if (auto wait = provider_wait(o); wait > millis::zero()) {
    // A dispatcher owns its thread, so it may sleep; the next actor message
    // asks again.
    std::this_thread::sleep_for(std::min(wait, max_wait));
    return;
  }
  batch.cleared = 0;
  if (!still_member(o, batch, out))
    return;
  send_one(o, batch.rows[batch.next++], out);
}

struct dispatcher_state {
  dispatcher_options options;
  batch_state batch;
};

/// One row per message, so an exit request is seen between two sends
/// rather than after a whole batch.
dispatcher::behavior_type
dispatcher_actor(dispatcher::stateful_pointer<dispatcher_state> self,
                 dispatcher_options options) {
  self->state.options = std::move(options);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        auto& st = self->state;
        const auto& o = st.options;
        round_result round;
        if (!st.batch.done()) {
          send_next(o, st.batch, round);
          self->send(self, tick_atom::value);
          return;
        }
        st.batch = batch_state{};
        if (o.completes_runs)
          complete_runs(o, round);
        if (!o.ready || o.ready())
          claim_batch(o, st.batch);
        if (!st.batch.done())
          self->send(self, tick_atom::value);
        else
          self->delayed_send(self, o.poll_interval, tick_atom::value);
      },
  };
}

} // namespace

round_result run_round(const dispatcher_options& o) {
  round_result out;
  if (o.ready && !o.ready())
    return out;
  batch_state batch;
  if (!claim_batch(o, batch))
    return out;
  out.claimed = static_cast<int64_t>(batch.rows.size());
  while (!batch.done())
    send_next(o, batch, out);
  if (o.completes_runs)
    complete_runs(o, out);
  return out;
}

dispatcher spawn_dispatcher(caf::actor_system& sys,
                            dispatcher_options options) {
  return sys.spawn<caf::detached>(dispatcher_actor, std::move(options));
}

} // namespace cdpd::actors::delivery
