#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `webhook_deliveries` queue (migration 0016): fanning the event
/// outbox out to the endpoints that want each event, claiming the head of
/// each endpoint's queue under a lease, and recording what each attempt
/// got. Functions fail with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// One claimed delivery with what sending it needs.
struct claimed_webhook {
  int64_t id = 0;
  std::string endpoint_id;
  std::string url;
  std::string secret;
  std::string event_id; ///< the webhook-id
  std::string payload;  ///< the body, as fanned out
  int64_t attempts = 0; ///< this attempt included
  double event_at = 0;  ///< the event's time, seconds since the epoch
};

/// What one attempt got.
struct webhook_attempt {
  enum class kind {
    delivered, ///< a 2xx answer
    retry,     ///< worth trying again (transport failure, 408, 429, 5xx)
    failed,    ///< refused for good (another status, or no URL allowed)
  };
  kind result = kind::delivered;
  int status = 0;          ///< HTTP status; 0 without an answer
  std::string body;        ///< the first KiB of the answer's body
  std::string error;       ///< what went wrong, when it did
  int64_t latency_ms = 0;  ///< request to answer
  int64_t retry_after = 0; ///< ms before the next attempt
};

/// "delivered", "retry" or "failed": the outcome as stored and in metrics.
const char* to_string(webhook_attempt::kind k);

/// How a recorded attempt left things.
struct attempt_recorded {
  bool held = false;              ///< the claim still held the row
  bool finished = false;          ///< the row is delivered or failed now
  bool endpoint_disabled = false; ///< this failure disabled the endpoint
};

/// Limits that turn a failing row or endpoint into a failure.
struct webhook_limits {
  std::chrono::milliseconds retry_for{3LL * 86'400'000};
  std::chrono::milliseconds disable_after{5LL * 86'400'000};
};

/// Adds a row per event committed since the last fan-out and enabled
/// endpoint that wants it, in event order, and moves the fan-out snapshot
/// on, in one transaction. Returns the rows added; 0 without waiting when
/// another node is fanning out at the same time.
caf::expected<int64_t> fan_out_events(pqxx::connection& conn);

/// Claims, for at most `endpoints` enabled endpoints whose first pending
/// row is due and unclaimed, that row and up to `per_endpoint` - 1 pending
/// rows after it, under a lease of `lease` for `owner`; each claim counts
/// an attempt. Rows come back ordered by endpoint, then queue order.
caf::expected<std::vector<claimed_webhook>>
claim_webhook_deliveries(pqxx::connection& conn, const std::string& owner,
                         std::chrono::milliseconds lease, int per_endpoint,
                         int endpoints);

/// Moves the lease of the rows `owner` still holds to now + `lease`;
/// returns their ids.
caf::expected<std::vector<int64_t>>
renew_webhook_leases(pqxx::connection& conn, const std::vector<int64_t>& ids,
                     const std::string& owner, std::chrono::milliseconds lease);

/// Records an attempt of a row `owner` holds: delivered; or pending again
/// after `retry_after` unless that is `limits.retry_for` or more after
/// the row's first attempt (then failed); or failed. A failure starts or
/// continues the endpoint's failure streak and disables it once the streak is
/// `disable_after` long; a delivery ends the streak.
caf::expected<attempt_recorded>
record_webhook_attempt(pqxx::connection& conn, int64_t id,
                       const std::string& owner, const webhook_attempt& attempt,
                       const webhook_limits& limits);

/// Gives back rows `owner` holds unattempted (an earlier row of their
/// endpoint is to be retried, or its host's breaker is open): their lease
/// ends, the attempt their claim counted is taken back, and none is due
/// before `delay` from now. Returns how many.
caf::expected<int64_t> release_webhook_claims(
    pqxx::connection& conn, const std::vector<int64_t>& ids,
    const std::string& owner,
    std::chrono::milliseconds delay = std::chrono::milliseconds{0});

/// One row of an endpoint's delivery log.
struct webhook_delivery_record {
  int64_t id = 0;
  std::string event_id;
  std::string event_type;
  std::string status; ///< pending, delivered, failed
  int64_t attempts = 0;
  std::optional<int64_t> last_status;
  std::optional<std::string> last_body; ///< its first KiB
  std::optional<std::string> last_error;
  std::optional<int64_t> latency_ms;
  std::string next_attempt_at;
  std::string created_at;
  std::optional<std::string> finished_at;
  std::optional<int64_t> replay_of;
};

/// Which part of an endpoint's log to read: newest first.
struct webhook_delivery_query {
  std::string endpoint_id;
  std::optional<std::string> status; ///< pending, delivered or failed
  int64_t skip = 0;
  int64_t limit = 100;
};

/// The rows of an endpoint, newest first; nullopt when the endpoint does
/// not exist.
caf::expected<std::optional<page<webhook_delivery_record>>>
list_webhook_deliveries(pqxx::connection& conn,
                        const webhook_delivery_query& query);

/// Queues row `id` of the endpoint again as a new row at the end of its
/// queue (same webhook-id and body); nullopt when there is no such row.
caf::expected<std::optional<webhook_delivery_record>>
replay_webhook_delivery(pqxx::connection& conn, const std::string& endpoint_id,
                        int64_t id);

/// Queues every event since `since` (naive UTC ISO text) that the endpoint
/// wants, in event order, whether it was sent before or not (events missed
/// while it was disabled too); returns how many, nullopt when the endpoint
/// does not exist.
caf::expected<std::optional<int64_t>>
replay_webhooks_since(pqxx::connection& conn, const std::string& endpoint_id,
                      const std::string& since);

/// Queues a `webhook.ping` message (a fresh id, `data.webhook_id`) at the
/// end of the endpoint's queue; nullopt when the endpoint does not exist.
caf::expected<std::optional<webhook_delivery_record>>
queue_webhook_ping(pqxx::connection& conn, const std::string& endpoint_id);

/// Seconds since the oldest pending row's event (0 when none), and the
/// events committed but not fanned out yet count from their own time:
/// how far webhooks lag behind the outbox.
caf::expected<double> webhook_outbox_lag(pqxx::connection& conn);

/// Disabled endpoints.
caf::expected<int64_t> count_disabled_webhooks(pqxx::connection& conn);

} // namespace cdpd::storage
