#pragma once

#include <chrono>
#include <string>

#include <caf/fwd.hpp>

#include "actors/campaigns/campaign_actor.hpp"
#include "actors/campaigns/campaign_messages.hpp"

namespace cdpd::actors::campaigns {

/// How the campaign host runs.
struct campaign_host_options {
  /// Template of every campaign actor (its id is filled in).
  campaign_options campaign;
  /// How often the campaigns table is read for campaigns that became live
  /// or went away behind the host's back (psql, another node).
  millis poll_interval{1'000};
};

/// The registry name of a node's campaign host: "camp-host".
std::string campaign_host_name();

/// Spawns the campaign host. It follows the campaigns table (active and
/// paused ones are live), keeps one campaign actor per live campaign and
/// forwards to it: status changes, reports and reloads. A status change
/// of a campaign without an actor (a draft, a completed one) runs on the
/// db actor, and a campaign it makes live gets its actor at once. An actor
/// that stopped normally (its campaign completed, went back to draft or
/// was deleted) is forgotten; one that failed is restarted at the next
/// poll and recovers its state from PostgreSQL. The actors stop with the
/// host.
campaign_host spawn_campaign_host(caf::actor_system& sys,
                                  campaign_host_options options);

} // namespace cdpd::actors::campaigns
