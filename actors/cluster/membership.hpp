#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/cluster_metrics.hpp"
#include "actors/cluster/node_lease.hpp"
#include "actors/cluster/placement.hpp"
#include "storage/pg_pool.hpp"
#include "storage/repositories/cluster_repository.hpp"

/// Membership: PostgreSQL decides who is a member; CAF's network layer only
/// makes joining and suspicion fast. See README.md in this folder.
namespace cdpd::actors::cluster {

using millis = std::chrono::milliseconds;

struct membership_options {
  storage::member_endpoint self;
  millis lease{4'000};       ///< cluster.lease
  millis renew_every{1'000}; ///< lease renewal period
  millis poll_every{500};    ///< how often the live set is read
  millis connect_timeout{2'000};
  /// Agents to connect to before the table names them (cluster.seeds).
  std::vector<std::pair<std::string, uint16_t>> seeds;
  /// Its own connection (a pool of one), so that renewals never wait
  /// behind the node's queries.
  std::shared_ptr<storage::pg_pool> pool;
  std::shared_ptr<node_lease> lease_state;  ///< updated on every renewal
  std::shared_ptr<cluster_metrics> metrics; ///< may be null
  /// Updated with the live members and their agents on every poll; may be
  /// null.
  std::shared_ptr<placement> placement_state;
};

/// Pool options for the membership's own connection: one connection, and
/// statements that give up well within a renewal period.
storage::pg_pool_options membership_pool_options(std::string url);

/// Spawns the membership actor (detached: it blocks on PostgreSQL). It
/// joins with a new incarnation at once, renews every `renew_every`,
/// fences itself when no renewal succeeded for `lease - renew_every`
/// (counted from before the renewal was sent) or when PostgreSQL renews
/// nothing, then joins again with a new incarnation. It reads the members
/// every `poll_every`, connects to their agents and monitors them; an
/// agent going down makes it read the members again at once.
membership_actor spawn_membership(caf::actor_system& sys,
                                  membership_options options);

/// Spawns the node agent and publishes it on `address`:`port`. It answers
/// limit queries from other nodes with this node's limiter host of the key
/// among `limiter_hosts`. Fails with the middleman's error (the port is
/// taken, the address is not local).
caf::expected<node_agent_actor> publish_node_agent(caf::actor_system& sys,
                                                   std::string name,
                                                   const std::string& address,
                                                   uint16_t port,
                                                   int limiter_hosts);

/// "host:port, host:port" as pairs; entries that do not parse are left out
/// (the configuration already refused them).
std::vector<std::pair<std::string, uint16_t>>
parse_seeds(const std::string& text);

} // namespace cdpd::actors::cluster
