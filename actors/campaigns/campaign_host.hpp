#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <caf/fwd.hpp>

#include "actors/campaigns/campaign_actor.hpp"
#include "actors/campaigns/campaign_messages.hpp"

namespace cdpd::actors::campaigns {

/// Where the actor of a campaign runs, in a cluster (see campaign_router).
struct campaign_route {
  enum class where {
    here,       ///< on this node
    remote,     ///< on another node: its host is reached through `remote`
    unreachable ///< on another node that cannot be reached now
  };
  where at = where::here;
  campaign_door remote;
};

/// Says which node runs campaign `id`'s actor; empty on a single node.
using campaign_router = std::function<campaign_route(const std::string& id)>;

/// How the campaign host runs.
struct campaign_host_options {
  /// Template of every campaign actor (its id is filled in).
  campaign_options campaign;
  /// How often the campaigns table is read for campaigns that became live
  /// or went away behind the host's back (psql, another node).
  millis poll_interval{1'000};
  /// In a cluster: each campaign's actor runs on one member, and the
  /// messages about it go there (empty: every campaign is here).
  campaign_router route;
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
/// host. In a cluster (`route` set) it keeps actors only for the campaigns
/// this node owns, stops those it lost at its next poll, and forwards
/// status changes, reports, reloads and views of the others to their
/// owner; messages that came from another node are handled here.
campaign_host spawn_campaign_host(caf::actor_system& sys,
                                  campaign_host_options options);

} // namespace cdpd::actors::campaigns
