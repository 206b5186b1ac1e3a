#include "actors/segments/shard_tree.hpp"

#include <algorithm>

#include "actors/segments/customer_shard.hpp"

namespace cdpd::actors::segments {

namespace {

constexpr millis shard_stop{1'000};

} // namespace

supervisor_spec shard_tree_spec(const shard_tree_options& options) {
  supervisor_spec spec;
  spec.name = "segments";
  spec.policy = options.supervisor_policy;
  spec.metrics = options.metrics;
  auto shards = std::max<std::uint32_t>(options.shards, 1);
  auto first_load = std::make_shared<shared_first_load>(shards);
  for (std::uint32_t i = 0; i < shards; ++i) {
    child_spec child;
    child.name = shard_name(i);
    child.kind = "customer-shard";
    shard_options shard;
    shard.index = i;
    shard.shards = shards;
    shard.pool = options.pool;
    shard.refresh_interval = options.refresh_interval;
    shard.first_load = first_load;
    child.start = [shard](caf::actor_system& sys) {
      return spawn_customer_shard(sys, shard);
    };
    child.shutdown_timeout = shard_stop;
    child.policy = options.shard_policy;
    spec.children.push_back(std::move(child));
  }
  return spec;
}

millis shard_tree_stop_bound(const shard_tree_options& options) {
  // Children stop one after the other, in reverse order.
  return shard_stop *
         (static_cast<int>(std::max<std::uint32_t>(options.shards, 1)) + 1);
}

} // namespace cdpd::actors::segments
