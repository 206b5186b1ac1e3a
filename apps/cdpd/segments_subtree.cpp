#include "apps/cdpd/segments_subtree.hpp"

#include <algorithm>

#include "actors/segments/shard_tree.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::app {

segments_subtree make_segments_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> read_pool,
    std::shared_ptr<actors::segments::change_barrier> barrier,
    const std::function<actors::supervision_policy(const std::string&)>& policy,
    std::shared_ptr<actors::supervision_metrics> metrics) {
  actors::segments::shard_tree_options options;
  options.shards = static_cast<std::uint32_t>(std::max(s.segments.shards, 1));
  options.pool = std::move(read_pool);
  options.barrier = {std::move(barrier), s.segments.read_barrier_timeout};
  options.supervisor_policy = policy("segments");
  options.shard_policy = policy("segments");
  options.metrics = std::move(metrics);
  // Writes reach the shards through the change listener, on the primary
  // (NOTIFY does not reach replicas). The hourly full reload is only a
  // safety net for what change capture does not see (a product's
  // category, TRUNCATE).
  options.listen_url =
      storage::write_pool_options(s.postgres, options.pool->options().url).url;
  options.refresh_interval = std::chrono::hours{1};
  options.reevaluate_interval = s.segments.reevaluate_interval;
  segments_subtree out;
  out.stop_bound = actors::segments::shard_tree_stop_bound(options) +
                   std::chrono::seconds{1};
  out.child = actors::supervisor_child(
      actors::segments::shard_tree_spec(options), out.stop_bound);
  return out;
}

} // namespace cdpd::app
