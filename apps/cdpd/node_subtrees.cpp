#include "apps/cdpd/node_subtrees.hpp"

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/storage/db_actor.hpp"
#include "actors/storage/redis_actor.hpp"
#include "net/access/credentials_refresher.hpp"
#include "net/access/password_hasher.hpp"
#include "net/ai/provider_setup.hpp"
#include "net/http/gateway_actor.hpp"

namespace cdpd::app {

namespace {

actors::supervisor_spec
spec_of(std::string name, actors::supervision_policy policy,
        std::shared_ptr<actors::supervision_metrics> metrics) {
  actors::supervisor_spec spec;
  spec.name = std::move(name);
  spec.policy = std::move(policy);
  spec.metrics = std::move(metrics);
  return spec;
}

/// `spec` as a root child that may take `stop` to stop.
subtree as_subtree(actors::supervisor_spec spec, actors::millis stop) {
  return {actors::supervisor_child(std::move(spec), stop), stop};
}

} // namespace

subtree make_storage_subtree(const config::settings& s,
                             std::shared_ptr<storage::pg_pool> write_pool,
                             std::shared_ptr<storage::pg_pool> read_pool,
                             std::optional<storage::redis_endpoint> redis,
                             const policy_lookup& policy,
                             std::shared_ptr<actors::supervision_metrics> m) {
  auto db_options = [&s](std::string name, int workers) {
    actors::db_actor_options o;
    o.name = std::move(name);
    o.workers = workers;
    o.queue_timeout = s.postgres.acquire_timeout;
    return o;
  };
  auto db_stop = s.postgres.statement_timeout + stop_margin;
  auto spec = spec_of("storage", policy("storage"), std::move(m));
  actors::child_spec pg_write;
  pg_write.name = "pg-write";
  pg_write.kind = "pg-dispatcher";
  pg_write.start = [write_pool,
                    o = db_options("pg-write", s.postgres.pool_size)](
                       caf::actor_system& sys) {
    return caf::actor_cast<caf::actor>(
        actors::spawn_db_actor(sys, write_pool, o));
  };
  pg_write.shutdown_timeout = db_stop;
  pg_write.policy = policy(s.postgres.policy);
  spec.children.push_back(pg_write);
  actors::child_spec pg_read = pg_write;
  pg_read.name = "pg-read";
  pg_read.start = [read_pool,
                   o = db_options("pg-read", s.postgres.read_pool_size)](
                      caf::actor_system& sys) {
    return caf::actor_cast<caf::actor>(
        actors::spawn_db_actor(sys, read_pool, o));
  };
  spec.children.push_back(pg_read);
  auto stop = 2 * db_stop + stop_margin;
  if (redis) {
    actors::child_spec child;
    child.name = "redis";
    child.kind = "redis";
    child.start = [endpoint = *redis,
                   timeout = s.redis.timeout](caf::actor_system& sys) {
      return actors::spawn_redis_actor(sys, endpoint, timeout);
    };
    child.shutdown_timeout = s.redis.timeout + stop_margin;
    child.policy = policy(s.redis.policy);
    // A half-open breaker pings Redis by itself, so it closes again
    // without waiting for traffic.
    child.probe = caf::make_message(actors::check_atom::value);
    stop += child.shutdown_timeout;
    spec.children.push_back(std::move(child));
  }
  return as_subtree(std::move(spec), stop);
}

subtree make_access_subtree(const config::settings& s,
                            std::shared_ptr<net::auth_services> services,
                            prometheus::Registry* registry,
                            const policy_lookup& policy,
                            std::shared_ptr<actors::supervision_metrics> m) {
  auto spec = spec_of("access", policy("default"), std::move(m));
  actors::limits::limiter_options limiter_options;
  limiter_options.hosts = s.ratelimit.hosts;
  limiter_options.idle_timeout = s.ratelimit.idle_timeout;
  limiter_options.metrics = registry;
  for (int i = 0; i < s.ratelimit.hosts; ++i) {
    actors::child_spec host;
    host.name = actors::limits::limiter_host_name(i);
    host.kind = "limiter-host";
    host.start = [i, limiter_options](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(
          actors::limits::spawn_limiter_host(sys, i, limiter_options));
    };
    host.shutdown_timeout = stop_margin;
    host.policy = policy("default");
    spec.children.push_back(std::move(host));
  }
  actors::child_spec refresher;
  refresher.name = "creds";
  refresher.kind = "credentials-refresher";
  refresher.start = [services,
                     every = s.auth.cache_refresh](caf::actor_system& sys) {
    return net::spawn_credentials_refresher(sys, *services, every);
  };
  refresher.shutdown_timeout = stop_margin;
  refresher.policy = policy("default");
  spec.children.push_back(std::move(refresher));
  actors::child_spec hasher;
  hasher.name = net::password_hasher_name;
  hasher.kind = "password-hasher";
  hasher.start = [](caf::actor_system& sys) {
    return net::spawn_password_hasher(sys);
  };
  hasher.shutdown_timeout = stop_margin;
  hasher.policy = policy("default");
  spec.children.push_back(std::move(hasher));
  auto stop = stop_margin * (static_cast<int>(spec.children.size()) + 1);
  return as_subtree(std::move(spec), stop);
}

caf::expected<std::optional<subtree>>
make_ai_subtree(const config::settings& s, const policy_lookup& policy,
                std::shared_ptr<actors::supervision_metrics> m) {
  if (!net::ai::provider_configured(s.ai))
    return std::optional<subtree>{};
  auto child = net::ai::provider_child(s.ai, policy("connector"));
  if (!child)
    return std::move(child.error());
  auto spec = spec_of("assistant", policy("connector"), std::move(m));
  spec.children.push_back(std::move(*child));
  // A call in flight is abandoned at stop; its worker ends by itself.
  auto stop = spec.children.back().shutdown_timeout + stop_margin;
  return std::optional<subtree>{as_subtree(std::move(spec), stop)};
}

subtree make_edge_subtree(const config::settings& s,
                          std::shared_ptr<net::http_server> server,
                          const policy_lookup& policy,
                          std::shared_ptr<actors::supervision_metrics> m) {
  auto spec = spec_of("edge", policy("edge"), std::move(m));
  actors::child_spec gateway;
  gateway.name = "gateway";
  gateway.kind = "http-gateway";
  gateway.start = [server,
                   drain = s.http.drain_timeout](caf::actor_system& sys) {
    return net::spawn_gateway(sys, server, drain);
  };
  gateway.shutdown_timeout = s.http.drain_timeout + stop_margin;
  gateway.policy = policy(s.http.policy);
  auto stop = gateway.shutdown_timeout + stop_margin;
  spec.children.push_back(std::move(gateway));
  return as_subtree(std::move(spec), stop);
}

} // namespace cdpd::app
