#include "apps/cdpd/segments_subtree.hpp"

#include <algorithm>

#include "actors/segments/shard_tree.hpp"

namespace cdpd::app {

segments_subtree make_segments_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> read_pool,
    const std::function<actors::supervision_policy(const std::string&)>& policy,
    std::shared_ptr<actors::supervision_metrics> metrics) {
  actors::segments::shard_tree_options options;
  options.shards = static_cast<std::uint32_t>(std::max(s.segments.shards, 1));
  options.pool = std::move(read_pool);
  options.supervisor_policy = policy("segments");
  options.shard_policy = policy("segments");
  options.metrics = std::move(metrics);
  // Until writes reach the shards incrementally, they reload on the
  // re-evaluation schedule, which bounds how stale an answer can be.
  options.refresh_interval = s.segments.reevaluate_interval;
  segments_subtree out;
  out.stop_bound = actors::segments::shard_tree_stop_bound(options) +
                   std::chrono::seconds{1};
  out.child = actors::supervisor_child(
      actors::segments::shard_tree_spec(options), out.stop_bound);
  return out;
}

} // namespace cdpd::app
