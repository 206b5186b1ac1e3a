#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// Campaign execution in PostgreSQL: the `deliveries` table (one row per
/// recipient and SEND_EMAIL step), the execution columns of `campaigns`
/// and the claim/record protocol of the dispatchers. PostgreSQL decides who
/// sends a row: claims use FOR UPDATE SKIP LOCKED and a lease, and an
/// outcome is recorded only by the claim that still holds the row. Every
/// function blocks and fails with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

using millis = std::chrono::milliseconds;

/// How a campaign is executing, for the `execution` block of responses.
/// Timestamps are naive UTC ISO strings.
struct campaign_execution {
  std::optional<std::string> phase; ///< waiting, sending, done, failed
  std::optional<std::string> scheduled_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> paused_reason;
  int64_t audience = 0; ///< rows of the snapshot (recipients x steps)
  int64_t pending = 0;  ///< pending or being sent
  int64_t sent = 0;
  int64_t failed = 0; ///< failed once, waiting for a retry
  int64_t dead = 0;   ///< given up
  /// Recipients who opened, clicked, unsubscribed (first event each).
  int64_t opened = 0;
  int64_t clicked = 0;
  int64_t unsubscribed = 0;
};

/// The execution of one campaign; refusal::campaign_missing when there is
/// no such campaign.
caf::expected<outcome<campaign_execution>>
get_campaign_execution(pqxx::connection& conn, const std::string& id);

/// The execution of every campaign but those in `known` (the caller has
/// theirs: live campaigns from their actors), by campaign id. A completed
/// campaign's counts are the ones kept when it completed.
caf::expected<std::map<std::string, campaign_execution>>
list_campaign_executions(pqxx::connection& conn,
                         const std::vector<std::string>& known = {});

/// What transition_campaign did.
struct transition_result {
  bool found = false;   ///< the campaign exists
  std::string conflict; ///< non-empty: refused, with the reason to show
};

/// Decides a move of a campaign in status `from` (execution phase `phase`,
/// if any): empty to allow it, else the reason to refuse it.
using transition_rule = std::function<std::string(
    const std::string& from, const std::optional<std::string>& phase)>;

/// Locks campaign `id`, asks `allowed` whether it may move to `status`
/// (draft, active, paused, completed) and, if so, writes the move with its
/// execution columns in the same transaction: -> active queues it for the
/// scheduler (a resume keeps its phase; a failed start is tried again);
/// -> paused stops claims; -> completed stops it for good; -> draft clears
/// its schedule. The same status again changes nothing. Refusals come back
/// in `conflict`. The lifecycle itself is actors/campaigns'.
caf::expected<transition_result>
transition_campaign(pqxx::connection& conn, const std::string& id,
                    const std::string& status, const transition_rule& allowed);

/// A claimed delivery with what rendering it needs.
struct claimed_delivery {
  int64_t id = 0;
  std::string campaign_id; ///< empty for a row of a flow run
  std::string flow_run_id; ///< empty for a row of a campaign
  int64_t step_index = 0;
  std::string customer_id;
  std::string email;
  std::string idempotency_key;
  int64_t attempts = 0; ///< including this one; the claim's fencing token
  std::string subject;  ///< template of the step
  std::string body_text;
  std::string first_name;
  std::string last_name;
  std::optional<std::string> shipping_state;
  std::optional<std::string> shipping_country;
  bool may_receive = true; ///< still opted in and subscribed
  /// The campaign's own send speed (messages per minute); none for rows of
  /// flow runs and for campaigns at the default speed.
  std::optional<int64_t> send_speed_per_minute;
  /// The row was failed (waiting for a retry) before this claim, so the
  /// claim moved it from the campaign's failed count to its pending one.
  bool was_failed = false;
};

/// Claims up to `limit` due rows of active, sending campaigns and of
/// active flow runs: pending or failed rows whose next attempt is due, and
/// sending rows whose lease expired; a row whose recipient still has an
/// earlier step of the same campaign (or run) pending, sending or failed
/// waits for it. Each claimed row is `sending` until now + `lease` and
/// counts one more attempt. Rows other transactions hold are skipped. In a
/// cluster, `claimant` ("<member>:<incarnation>") is written to
/// `claimed_by`, so the rows can be released as soon as that incarnation's
/// membership lease ends; empty on a single node (NULL).
caf::expected<std::vector<claimed_delivery>>
claim_deliveries(pqxx::connection& conn, int64_t limit, millis lease,
                 const std::string& claimant = {});

/// One claim to give back unattempted, and how long its row then waits
/// before it may be claimed again.
struct deferred_claim {
  int64_t id = 0;
  int64_t attempts = 0; ///< the claim's fencing token
  millis delay{0};
};

/// Gives claims back unattempted, like release_claims, with each row's next
/// attempt moved to now + its `delay` (a campaign over its send speed), so
/// it is not claimed again before then. Claims that no longer hold their
/// row are skipped. Returns how many rows were given back.
caf::expected<int64_t> defer_claims(pqxx::connection& conn,
                                    const std::vector<deferred_claim>& claims);

/// Records a successful send of the claim (id, attempts). Returns false
/// when the claim no longer holds the row (its lease expired and another
/// dispatcher claimed it), in which case nothing changes.
caf::expected<bool> record_sent(pqxx::connection& conn, int64_t id,
                                int64_t attempts,
                                const std::string& message_id);

/// When failed deliveries are retried.
struct retry_rules {
  int64_t max_attempts = 5;   ///< a retryable failure at this attempt is dead
  millis backoff{30'000};     ///< delay after the first attempt; doubles
  millis max_age{86'400'000}; ///< rows created longer ago are dead
};

/// Records a failed send of the claim (id, attempts): `retryable` failures
/// are retried later (status failed, next attempt after backoff x
/// 2^(attempts-1)) unless the attempts or the age are used up; other
/// failures are dead at once. Returns the new status ("failed" or "dead"),
/// or nothing when the claim no longer holds the row.
caf::expected<std::optional<std::string>>
record_failure(pqxx::connection& conn, int64_t id, int64_t attempts,
               const std::string& error, bool retryable,
               const retry_rules& rules);

/// One delivery row as the API lists it.
struct delivery_record {
  int64_t id = 0;
  std::string campaign_id; ///< empty for a row of a flow run
  std::string flow_run_id; ///< empty for a row of a campaign
  int64_t step_index = 0;
  std::string customer_id;
  std::string email;
  std::string status;
  int64_t attempts = 0;
  std::string due_at;
  std::string next_attempt_at;
  std::optional<std::string> last_error;
  std::optional<std::string> sent_at;
  std::optional<std::string> message_id;
  std::string idempotency_key;
  std::string created_at;
};

/// Deliveries of a campaign (all campaigns when `campaign_id` is empty), by
/// id, optionally only those with `status`, at most `limit` after id
/// `after_id`.
caf::expected<std::vector<delivery_record>>
list_deliveries(pqxx::connection& conn, const std::string& campaign_id,
                const std::optional<std::string>& status, int64_t after_id,
                int64_t limit);

/// What replay_dead did.
struct replay_result {
  int64_t replayed = 0;                  ///< rows requeued
  std::vector<std::string> campaign_ids; ///< campaigns of those rows
};

/// Puts dead deliveries back in the queue (pending, due now, attempts and
/// error cleared): those whose id is in `ids` when it is not empty, and of
/// campaign `campaign_id` when that is not empty; at least one of the two
/// must be given, else nothing changes. Campaigns and flow runs that had
/// completed are active (and sending) again; rows of exited flow runs stay
/// dead. Returns how many rows were requeued, and the campaigns they
/// belong to (whose actors must read their counts again).
caf::expected<replay_result> replay_dead(pqxx::connection& conn,
                                         const std::vector<int64_t>& ids,
                                         const std::string& campaign_id);

} // namespace cdpd::storage
