#pragma once

#include <memory>
#include <string>

#include <optional>

#include "actors/campaigns/campaign_host.hpp"
#include "actors/delivery/dispatcher.hpp"
#include "actors/delivery/enroller.hpp"
#include "actors/supervision/supervisor.hpp"

/// The delivery subtree of a node: a supervisor with the campaign host,
/// the dispatchers and the enroller.
namespace cdpd::actors::delivery {

/// What the subtree is made of.
struct delivery_tree_options {
  /// Template of every dispatcher; only the first one completes flow runs
  /// (the work is idempotent in SQL, one is enough).
  dispatcher_options dispatcher;
  int dispatchers = 2;         ///< 0 sends nothing from this node
  millis wait_day{86'400'000}; ///< one WAIT day of flows and campaigns
  /// Adds the campaign host `camp-host` first, and the dispatchers report
  /// to it; it needs the node's "pg-write" db actor.
  std::optional<campaigns::campaign_host_options> campaigns;
  /// Adds the enroller child `enroll0` (flow runs from customer events),
  /// with the dispatcher template's pool, batch size, poll interval and
  /// wait day.
  bool enrols = true;
  supervision_policy policy;       ///< of the supervisor
  supervision_policy child_policy; ///< of each dispatcher
  /// Of the campaign host: no breaker, so a status change may wait behind
  /// a long audience snapshot without timing out at the host's proxy.
  supervision_policy campaign_policy;
  std::shared_ptr<supervision_metrics> metrics; ///< may be null
  millis send_timeout{30'000}; ///< longest send; a stopping child may finish
};

/// The registry name of dispatcher `index` ("dispatch0").
std::string dispatcher_name(int index);

/// The supervisor spec named "delivery" with the campaign host (when
/// `options.campaigns`), one child per dispatcher and, when
/// `options.enrols`, the enroller.
supervisor_spec delivery_tree(const delivery_tree_options& options);

/// How long the subtree may take to stop: one send and one database round
/// per dispatcher, one after the other, and one enrolment batch.
millis delivery_tree_stop(const delivery_tree_options& options);

} // namespace cdpd::actors::delivery
