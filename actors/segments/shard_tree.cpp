#include "actors/segments/shard_tree.hpp"

#include <algorithm>

#include "actors/segments/change_listener.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_directory.hpp"
#include "actors/segments/segment_host.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::actors::segments {

namespace {

constexpr millis shard_stop{1'000};
constexpr millis listener_stop{2'000};
constexpr millis host_stop{2'000};

} // namespace

supervisor_spec shard_tree_spec(const shard_tree_options& options) {
  supervisor_spec spec;
  spec.name = "segments";
  spec.policy = options.supervisor_policy;
  spec.metrics = options.metrics;
  auto shards = std::max<std::uint32_t>(options.shards, 1);
  auto first_load = std::make_shared<shared_first_load>(shards);
  auto barrier = options.barrier;
  if (!barrier.barrier)
    barrier.barrier = std::make_shared<change_barrier>();
  {
    listener_options listen;
    listen.url = options.listen_url;
    if (listen.url.empty() && options.pool)
      listen.url = options.pool->options().url;
    listen.shards = shards;
    listen.cursor = std::make_shared<change_cursor>();
    listen.barrier = barrier.barrier;
    listen.poll_interval = options.listen_poll_interval;
    child_spec child;
    child.name = listener_name();
    child.kind = "segment-change-listener";
    child.start = [listen](caf::actor_system& sys) {
      return spawn_change_listener(sys, listen);
    };
    // A detached actor that may be waiting for a notification.
    child.shutdown_timeout = listener_stop + options.listen_poll_interval;
    child.policy = options.shard_policy;
    spec.children.push_back(std::move(child));
  }
  auto directory = std::make_shared<segment_directory>();
  {
    host_options host;
    host.pool = options.pool;
    host.directory = directory;
    host.shards = shards;
    host.poll_interval = options.segment_poll_interval;
    host.reevaluate_interval = options.reevaluate_interval;
    host.barrier = barrier;
    child_spec child;
    child.name = host_name();
    child.kind = "segment-host";
    child.start = [host](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(spawn_segment_host(sys, host));
    };
    // A detached actor that may be in the middle of a read.
    child.shutdown_timeout = host_stop;
    child.policy = options.shard_policy;
    spec.children.push_back(std::move(child));
  }
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
    shard.directory = directory;
    child.start = [shard](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(spawn_customer_shard(sys, shard));
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
             (static_cast<int>(std::max<std::uint32_t>(options.shards, 1)) +
              1) +
         listener_stop + options.listen_poll_interval + host_stop;
}

} // namespace cdpd::actors::segments
