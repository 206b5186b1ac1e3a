#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/delivery_repository.hpp"

/// One campaign's run in PostgreSQL, as its campaign actor drives it:
/// recovering the actor's state, scheduling, the audience snapshot,
/// completion and the pause for failures. Each function works on one
/// campaign under its row lock, so a campaign actor on any node and a user
/// in psql never race into a double start. Every function blocks and fails
/// with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// What a campaign actor recovers when it starts or reloads.
struct campaign_run_state {
  std::string status;           ///< draft, active, paused, completed
  campaign_execution execution; ///< phase, times and counts
  /// Dead rows when it was last resumed: failures before do not count
  /// towards the pause for failures.
  int64_t dead_at_resume = 0;
  /// Milliseconds from now to its scheduled start, by the database's
  /// clock (negative when past); none without a schedule.
  std::optional<int64_t> start_in_ms;
  /// Its own send speed (messages per minute); none sends at the default.
  std::optional<int64_t> speed_per_minute;
};

/// The state of campaign `id`; nothing when there is no such campaign.
caf::expected<std::optional<campaign_run_state>>
load_campaign_run(pqxx::connection& conn, const std::string& id);

/// Ids of the campaigns that need an actor: active or paused ones, in id
/// order, except those whose phase is done (rows from before campaign
/// execution existed, which never send).
caf::expected<std::vector<std::string>>
live_campaign_ids(pqxx::connection& conn);

/// Gives campaign `id`, when active without a schedule yet, its start:
/// start_date + start_time_of_day read in `timezone` (an IANA name), or
/// now when there is no start date or it is past; an unparsable time of
/// day counts as midnight. True when it scheduled the campaign.
caf::expected<bool> schedule_campaign(pqxx::connection& conn,
                                      const std::string& id,
                                      const std::string& timezone);

/// What start_campaign did.
struct start_result {
  bool started = false; ///< the campaign moved to phase sending
  int64_t rows = 0;     ///< deliveries written now (0 when already there)
  std::string problem;  ///< non-empty: why the campaign failed to start
};

/// Starts campaign `id` in one transaction when it is active and waiting:
/// snapshots the content of its flow's SEND_EMAIL steps and writes, with
/// one INSERT .. SELECT over the segment's compiled SQL, a delivery for
/// each opted-in, subscribed member and step, due at now + (WAIT days
/// before the step) x `wait_day`; existing idempotency keys are skipped,
/// so a repeated start adds nothing. A campaign that is not active and
/// waiting is left alone (started false); its start time is the caller's
/// business. A campaign without a flow or with an invalid segment is paused
/// with phase failed and the reason in `problem`.
caf::expected<start_result>
start_campaign(pqxx::connection& conn, const std::string& id, millis wait_day);

/// Completes campaign `id` (phase done) when it is active and sending and
/// every delivery is sent or dead. True when it did.
caf::expected<bool> complete_campaign(pqxx::connection& conn,
                                      const std::string& id);

/// Pauses campaign `id`, when active and sending with at least `threshold`
/// dead deliveries since it was last resumed, saying so in paused_reason.
/// Returns the reason when it paused it, else an empty string; a threshold
/// of 0 or less pauses nothing.
caf::expected<std::string> pause_if_failing(pqxx::connection& conn,
                                            const std::string& id,
                                            int64_t threshold);

} // namespace cdpd::storage
