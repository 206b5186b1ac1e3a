#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "actors/cluster/cluster_messages.hpp"

namespace cdpd::actors::cluster {

/// Who owns a placed key ("limits-3", ...) now, as this node's membership
/// last saw the cluster: rendezvous hashing over the members whose lease
/// PostgreSQL holds. Shared without messages, like node_lease, so that a
/// caller on any thread (the HTTP edge) routes a request without a hop to
/// the membership actor. Every node computes owners from the same table,
/// so nodes that briefly see different views disagree only until their
/// next poll (500 ms), and a disagreement costs a request sent to a node
/// that answers from a state it did not hold, never a wrong fact.
class placement {
public:
  /// One live member: its name, and its agent when this node is connected
  /// to it (null for this node itself, and for a member whose agent is
  /// down or not reached yet).
  struct member {
    std::string name;
    node_agent_actor agent;
  };

  /// Where a key's owner is.
  struct owner {
    enum class where {
      here,       ///< this node (or no cluster view yet: every key is local)
      remote,     ///< another member, reachable through `agent`
      unreachable ///< another member whose agent this node cannot reach now
    };
    where at = where::here;
    std::string name; ///< the owner's member name; empty without a view
    node_agent_actor agent;
  };

  /// The owner of `key` among the live members of the last view.
  owner locate(std::string_view key) const;

  /// The members of a new view (the membership actor of node `self`, on
  /// every poll): those whose lease holds, this node included only while
  /// it holds its own. An empty list (not joined yet) makes every key
  /// local.
  void update(std::string self, std::vector<member> live);

  /// The live members' names, sorted.
  std::vector<std::string> live_names() const;

private:
  struct view {
    std::string self;
    std::vector<std::string> names;
    std::vector<node_agent_actor> agents; ///< parallel to names
  };

  mutable std::mutex mutex_;
  std::shared_ptr<const view> current_ = std::make_shared<view>();
};

} // namespace cdpd::actors::cluster
