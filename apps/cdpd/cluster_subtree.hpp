#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <prometheus/registry.h>

#include "actors/campaigns/campaign_host.hpp"
#include "actors/cluster/membership.hpp"
#include "actors/cluster/placement.hpp"
#include "actors/limits/limiter_region.hpp"
#include "apps/cdpd/node_subtrees.hpp"
#include "config/settings.hpp"

/// A clustered node's part (cluster.port set): the published node agent
/// and the "cluster" subtree with the membership actor.
namespace cdpd::app {

/// The wire identity every node of one cluster must share
/// (`middleman.app-identifiers`): a node of another version is refused at
/// the handshake rather than sent messages it cannot read.
inline constexpr const char* cluster_wire_identifier = "cdpd-cluster/2";

struct cluster_node {
  actors::cluster::node_agent_actor agent;
  actors::cluster::membership_options membership;
};

/// cluster.name, else "<host name>-<http port>".
std::string member_name(const config::settings& s, uint16_t http_port);

/// Publishes the node agent on cluster.address:cluster.port and prepares
/// the membership (its own connection to `db_url`, its metrics in
/// `metrics`, the live members shared through `placement`). Fails when the
/// port cannot be bound.
caf::expected<cluster_node>
start_cluster_node(caf::actor_system& sys, const config::settings& s,
                   const std::string& db_url, uint16_t http_port,
                   prometheus::Registry& metrics,
                   std::shared_ptr<actors::cluster::placement> placement);

/// Routes campaign `id` ("campaign:<id>") to the member that owns it in
/// `placement`; empty (every campaign here) when `placement` is null.
actors::campaigns::campaign_router
campaign_router(std::shared_ptr<const actors::cluster::placement> placement);

/// Routes limiter host "limits-<i>" to the member that owns it in
/// `placement`; empty (every host local) when `placement` is null.
actors::limits::host_router
limiter_router(std::shared_ptr<const actors::cluster::placement> placement);

/// "cluster": the membership actor ("membership"), first of the root's
/// subtrees, so the node is a member before its work starts.
subtree make_cluster_subtree(actors::cluster::membership_options options,
                             const policy_lookup& policy,
                             std::shared_ptr<actors::supervision_metrics> m);

} // namespace cdpd::app
