#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/campaigns/campaign_messages.hpp"
#include "actors/check_result.hpp"
#include "actors/limits/limit_messages.hpp"

// What the membership actor answers (see README.md in this folder).
// Header-only, so the admin routes can ask without linking the cluster
// module. Every type is plain and registered (add_cluster_types), so an
// operator's node may ask another node's membership.
namespace cdpd::actors::cluster {

/// `(cluster_view_atom)` -> cluster_view: the membership as this node sees
/// it now.
using cluster_view_atom = caf::atom_constant<caf::atom("cview")>;

/// `(cluster_hello_atom)` -> std::string: a node agent says its member
/// name. Agents are published on cluster.port; the others monitor them.
using cluster_hello_atom = caf::atom_constant<caf::atom("chello")>;

/// One member as this node sees it.
struct member_view {
  std::string name;
  std::string address;
  int32_t port = 0;
  std::string http_address;
  int64_t incarnation = 0;
  /// "up": its lease is valid in PostgreSQL; "suspect": valid, but its
  /// agent went down or cannot be reached; "down": its lease ran out (or it
  /// left, or, for this node itself, it fenced itself).
  std::string state;
  int64_t lease_until_ms = 0; ///< unix milliseconds, database clock

  friend bool operator==(const member_view&, const member_view&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_view& x) {
  return f(caf::meta::type_name("cdpd::cluster::member_view"), x.name,
           x.address, x.port, x.http_address, x.incarnation, x.state,
           x.lease_until_ms);
}

/// The versioned view: `version` grows whenever a member joins, rejoins
/// (new incarnation) or changes state.
struct cluster_view {
  std::string self;
  int64_t incarnation = 0; ///< this node's; 0 while it has not joined
  int64_t version = 0;
  int64_t fences = 0; ///< times this node fenced itself since it started
  std::vector<member_view> members; ///< by name

  friend bool operator==(const cluster_view&, const cluster_view&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_view& x) {
  return f(caf::meta::type_name("cdpd::cluster::cluster_view"), x.self,
           x.incarnation, x.version, x.fences, x.members);
}

/// The membership actor (registry name `cluster`): the view, and a
/// readiness check that is up while this node holds a valid lease; its own
/// round timer.
using membership_actor =
    caf::typed_actor<caf::replies_to<cluster_view_atom>::with<cluster_view>,
                     caf::replies_to<check_atom>::with<check_result>,
                     caf::reacts_to<tick_atom>>;

/// A node agent: the actor each node publishes on cluster.port, whose
/// loss (a down_msg to its monitors) tells the others to look again. It is
/// also the one door through which other nodes reach this node's placed
/// actors: `(limit_atom, limit_query)` goes to the local host of the key,
/// the campaign_door messages to the local campaign host.
using node_agent_actor = caf::typed_actor<
    caf::replies_to<cluster_hello_atom>::with<std::string>,
    caf::replies_to<limit_atom, limits::limit_query>::with<limits::verdict>>::
    extend_with<campaigns::campaign_door>;

/// Registry name of the membership actor's supervision proxy (its
/// subtree is "cluster").
inline constexpr const char* membership_name = "membership";

/// Registers the cluster's message types under their wire names.
void add_cluster_types(caf::actor_system_config& cfg);

} // namespace cdpd::actors::cluster
