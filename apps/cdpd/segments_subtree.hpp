#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/segments/change_listener.hpp"
#include "actors/supervision/supervisor.hpp"
#include "config/settings.hpp"

namespace cdpd::storage {
class pg_pool;
} // namespace cdpd::storage

/// The node's live-segments subtree: the change listener and the customer
/// shards under a "segments" supervisor.
namespace cdpd::app {

/// The subtree as a root child and how long it takes to stop.
struct segments_subtree {
  actors::child_spec child;
  actors::millis stop_bound{0};
};

/// Builds the subtree from settings.segments.shards; shards load from
/// `read_pool`, the change listener connects to the primary
/// (postgres.url, else `read_pool`'s URL) and passes `barrier`'s waiters.
/// `policy(name)` gives the supervision policy of a name
/// ("segments" for the supervisor and the shards).
segments_subtree make_segments_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> read_pool,
    std::shared_ptr<actors::segments::change_barrier> barrier,
    const std::function<actors::supervision_policy(const std::string&)>& policy,
    std::shared_ptr<actors::supervision_metrics> metrics);

} // namespace cdpd::app
