#include "actors/webhooks/webhook_worker.hpp"

#include <algorithm>
#include <ctime>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/domain/webhook_target.hpp"
#include "actors/webhooks/webhook_post.hpp"
#include "actors/webhooks/webhook_signature.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::webhooks {

namespace {

using storage::webhook_attempt;

/// Extra room left on a lease before a POST: renewing costs a round trip.
constexpr millis lease_margin{2'000};

void log_error(const webhook_worker_options& o, const char* what,
               const caf::error& err) {
  spdlog::warn("{}: {}: {}", o.name, what, storage::describe(err));
}

/// The host of a URL, the key of its breaker.
std::string host_of(const std::string& url) {
  domain::webhook_url_parts parts;
  domain::check_webhook_url(url, {true, true}, parts);
  return parts.host;
}

/// Transport failures, 408, 429 and 5xx are worth another attempt; a 2xx
/// is delivered; any other answer is refused for good.
webhook_attempt::kind judge(const post_result& r) {
  if (r.status == 0)
    return webhook_attempt::kind::retry;
  if (r.status >= 200 && r.status < 300)
    return webhook_attempt::kind::delivered;
  if (r.status == 408 || r.status == 429 || r.status >= 500)
    return webhook_attempt::kind::retry;
  return webhook_attempt::kind::failed;
}

/// Gives back the claims from `first` on, due no sooner than `delay`.
void release_rest(const webhook_worker_options& o,
                  const std::vector<storage::claimed_webhook>& rows,
                  std::size_t first, webhook_round& round,
                  millis delay = millis{0}) {
  std::vector<int64_t> ids;
  for (auto i = first; i < rows.size(); ++i)
    ids.push_back(rows[i].id);
  if (ids.empty())
    return;
  auto released = o.pool->run([&](pqxx::connection& c) {
    return storage::release_webhook_claims(c, ids, o.owner, delay);
  });
  if (!released)
    log_error(o, "release", released.error());
  else
    round.released += *released;
}

/// Renews the lease of the rows from `first` on when the next POST could
/// outlast it; false when the claim on the next row is gone.
bool keep_lease(const webhook_worker_options& o,
                const std::vector<storage::claimed_webhook>& rows,
                std::size_t first,
                std::chrono::steady_clock::time_point& lease_end) {
  auto now = std::chrono::steady_clock::now();
  if (now + o.timeout + lease_margin < lease_end)
    return true;
  std::vector<int64_t> ids;
  for (auto i = first; i < rows.size(); ++i)
    ids.push_back(rows[i].id);
  auto held = o.pool->run([&](pqxx::connection& c) {
    return storage::renew_webhook_leases(c, ids, o.owner, o.lease);
  });
  if (!held) {
    log_error(o, "renew leases", held.error());
    return false;
  }
  lease_end = now + o.lease;
  return std::find(held->begin(), held->end(), rows[first].id) != held->end();
}

void refresh_gauges(const webhook_worker_options& o) {
  auto lag = o.pool->run(
      [](pqxx::connection& c) { return storage::webhook_outbox_lag(c); });
  if (lag)
    o.metrics->lag().Set(*lag);
  auto disabled = o.pool->run(
      [](pqxx::connection& c) { return storage::count_disabled_webhooks(c); });
  if (disabled)
    o.metrics->disabled().Set(static_cast<double>(*disabled));
}

} // namespace

millis retry_delay(const webhook_worker_options& o, int64_t attempts,
                   int64_t retry_after_ms) {
  if (retry_after_ms > 0)
    return std::min(millis{retry_after_ms}, o.max_backoff);
  auto delay = o.retry_backoff;
  for (int64_t i = 1; i < attempts && delay < o.max_backoff; ++i)
    delay *= 2;
  return std::min(delay, o.max_backoff);
}

webhook_round run_webhook_round(const webhook_worker_options& o) {
  webhook_round round;
  if (o.fans_out) {
    auto added = o.pool->run(
        [](pqxx::connection& c) { return storage::fan_out_events(c); });
    if (!added)
      log_error(o, "fan out", added.error());
    else
      round.fanned_out = *added;
  }
  if (o.reads_gauges && o.metrics)
    refresh_gauges(o);
  auto claimed = o.pool->run([&](pqxx::connection& c) {
    return storage::claim_webhook_deliveries(c, o.owner, o.lease, o.batch_size,
                                             1);
  });
  if (!claimed) {
    log_error(o, "claim", claimed.error());
    return round;
  }
  auto& rows = *claimed;
  round.claimed = static_cast<int64_t>(rows.size());
  auto lease_end = std::chrono::steady_clock::now() + o.lease;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    auto host = host_of(row.url);
    if (!keep_lease(o, rows, i, lease_end)) {
      ++round.lost;
      break;
    }
    // Asked last before the POST: a half-open breaker's probe slot is
    // taken by this call and given back by record().
    millis wait{0};
    if (o.breakers && !o.breakers->allow(host, wait)) {
      release_rest(o, rows, i, round, wait);
      break;
    }
    auto timestamp = static_cast<int64_t>(std::time(nullptr));
    std::vector<std::pair<std::string, std::string>> headers{
        {"Content-Type", "application/json"},
        {"webhook-id", row.event_id},
        {"webhook-timestamp", std::to_string(timestamp)},
        {"webhook-signature",
         sign_webhook(row.secret, row.event_id, timestamp, row.payload)}};
    auto answer =
        post_webhook(row.url, headers, row.payload, o.timeout, o.allow_private);
    auto kind = judge(answer);
    if (o.breakers)
      o.breakers->record(host, answer.status == 0 || answer.status == 429 ||
                                   answer.status >= 500);
    webhook_attempt attempt;
    attempt.result = kind;
    attempt.status = answer.status;
    attempt.body = answer.body;
    attempt.error = answer.error;
    attempt.latency_ms = answer.latency_ms;
    if (kind == webhook_attempt::kind::retry)
      attempt.retry_after =
          retry_delay(o, row.attempts, answer.retry_after).count();
    if (o.metrics) {
      o.metrics->attempt(row.endpoint_id, storage::to_string(kind));
      if (answer.status != 0)
        o.metrics->latency().Observe(static_cast<double>(answer.latency_ms) /
                                     1000.0);
    }
    auto recorded = o.pool->run([&](pqxx::connection& c) {
      return storage::record_webhook_attempt(c, row.id, o.owner, attempt,
                                             o.limits);
    });
    if (!recorded) {
      log_error(o, "record", recorded.error());
      break;
    }
    if (!recorded->held) {
      ++round.lost;
      release_rest(o, rows, i + 1, round);
      break;
    }
    if (kind == webhook_attempt::kind::delivered)
      ++round.delivered;
    else if (recorded->finished)
      ++round.failed;
    else
      ++round.retried;
    if (recorded->endpoint_disabled)
      spdlog::warn("{}: endpoint {} disabled: failing for longer than "
                   "webhooks.disable-after",
                   o.name, row.endpoint_id);
    // A row to be retried holds the rest back; a disabled endpoint sends
    // nothing more.
    if (!recorded->finished || recorded->endpoint_disabled) {
      release_rest(o, rows, i + 1, round);
      break;
    }
  }
  return round;
}

namespace {

struct worker_state {
  webhook_worker_options options;
};

webhook_worker::behavior_type
worker_actor(webhook_worker::stateful_pointer<worker_state> self,
             webhook_worker_options options) {
  self->state.options = std::move(options);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        const auto& o = self->state.options;
        auto round = run_webhook_round(o);
        if (round.claimed > 0 || round.fanned_out > 0)
          self->send(self, tick_atom::value);
        else
          self->delayed_send(self, o.poll_interval, tick_atom::value);
      },
  };
}

} // namespace

webhook_worker spawn_webhook_worker(caf::actor_system& sys,
                                    webhook_worker_options options) {
  return sys.spawn<caf::detached>(worker_actor, std::move(options));
}

} // namespace cdpd::actors::webhooks
