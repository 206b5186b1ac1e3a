#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/campaigns/campaign_messages.hpp"

/// One actor per live campaign: the only writer of its lifecycle, its
/// start timer, its live counts and its pause for failures.
namespace cdpd::actors::campaigns {

using millis = std::chrono::milliseconds;

class campaign_gauges;

/// How a campaign actor runs.
struct campaign_options {
  std::string id;
  std::string timezone = "UTC"; ///< of start dates (delivery.timezone)
  millis wait_day{86'400'000};  ///< one WAIT day (delivery.wait-day)
  /// Dead rows since the last resume that pause the campaign; 0 never.
  int64_t pause_failures = 50;
  /// Messages per minute of a campaign without a speed of its own
  /// (delivery.campaign-speed); 0 is no limit. Shown, not enforced here:
  /// dispatchers ask the campaign's limiter key.
  int64_t default_speed = 0;
  /// Counts are read again from PostgreSQL this long after the first
  /// report since they were last read, so a report that never came (a
  /// dispatcher that died between its record and its report) or one
  /// counted twice (sent before a read, handled after it) is corrected
  /// within this time.
  millis settle{2'000};
  /// While sending without reports (rows deferred by the campaign's speed,
  /// retries waiting), counts are read again this often.
  millis recheck{30'000};
  millis retry{5'000};                     ///< after a database error
  millis db_timeout{60'000};               ///< one db job
  std::shared_ptr<campaign_gauges> gauges; ///< may be null
};

/// Spawns the actor of campaign `options.id`. It recovers its state from
/// PostgreSQL (status, phase, schedule, counts), then:
/// - active without a schedule: schedules it (start date and time of day in
///   the timezone, or now);
/// - waiting: arms a timer for the start and snapshots the audience then;
/// - sending: keeps the counts from reports, completes the campaign when
///   nothing is left to send, pauses it after `pause_failures` dead rows;
/// - paused: holds its state until resumed;
/// - completed, draft or deleted: stops (normal exit).
/// Every database step runs through the node's "pg-write" db actor, one at
/// a time: a status change waits for the start snapshot in progress.
campaign_actor spawn_campaign_actor(caf::actor_system& sys,
                                    campaign_options options);

} // namespace cdpd::actors::campaigns
