#include "apps/cdpd/cluster_subtree.hpp"

#include <unistd.h>

#include <caf/all.hpp>
#include <pqxx/pqxx>

#include "storage/errc.hpp"

namespace cdpd::app {

std::string member_name(const config::settings& s, uint16_t http_port) {
  if (!s.cluster.name.empty())
    return s.cluster.name;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string{host}.substr(0, 40) + "-" + std::to_string(http_port);
}

caf::expected<cluster_node>
start_cluster_node(caf::actor_system& sys, const config::settings& s,
                   const std::string& db_url, uint16_t http_port,
                   prometheus::Registry& metrics,
                   std::shared_ptr<actors::cluster::placement> placement) {
  auto name = member_name(s, http_port);
  auto port = static_cast<uint16_t>(s.cluster.port);
  auto pool = std::make_shared<storage::pg_pool>(
      actors::cluster::membership_pool_options(db_url), nullptr);
  // Placement depends on these counts: members that disagree would each
  // think they own keys the others own too.
  std::vector<storage::shared_setting> shared{
      {"ratelimit.hosts", std::to_string(s.ratelimit.hosts)},
      {"segments.shards", std::to_string(s.segments.shards)}};
  auto agreed = pool->run([&](pqxx::connection& c) {
    return storage::agree_cluster_settings(c, name, shared, s.cluster.lease);
  });
  if (!agreed)
    return caf::make_error(caf::sec::runtime_error,
                           "cannot check the cluster's shared settings: " +
                               storage::describe(agreed.error()));
  if (!agreed->empty()) {
    std::string why;
    for (const auto& line : *agreed)
      why += (why.empty() ? "" : "; ") + line;
    return caf::make_error(caf::sec::runtime_error, why);
  }
  auto agent = actors::cluster::publish_node_agent(sys, name, s.cluster.address,
                                                   port, s.ratelimit.hosts);
  if (!agent)
    return caf::make_error(caf::sec::cannot_open_port,
                           "cannot publish the node agent on " +
                               s.cluster.address + ":" + std::to_string(port) +
                               ": " + sys.render(agent.error()));
  actors::cluster::membership_options o;
  o.self = {name, s.cluster.address, port,
            s.http.address + ":" + std::to_string(http_port)};
  o.lease = s.cluster.lease;
  o.seeds = actors::cluster::parse_seeds(s.cluster.seeds);
  o.pool = std::move(pool);
  o.lease_state = std::make_shared<actors::cluster::node_lease>();
  o.metrics = std::make_shared<actors::cluster::cluster_metrics>(metrics);
  o.placement_state = std::move(placement);
  return cluster_node{*agent, std::move(o)};
}

namespace {

/// The route to the owner of `key` as a region's router says it: both
/// route types have the same three cases.
template <class Route>
Route route_to(const actors::cluster::placement& placement,
               std::string_view key) {
  using where = actors::cluster::placement::owner::where;
  auto owner = placement.locate(key);
  switch (owner.at) {
  case where::here:
    return {};
  case where::remote:
    return {Route::where::remote, owner.agent};
  case where::unreachable:
    break;
  }
  return {Route::where::unreachable, {}};
}

} // namespace

actors::campaigns::campaign_router
campaign_router(std::shared_ptr<const actors::cluster::placement> placement) {
  if (!placement)
    return {};
  return [placement](const std::string& id) {
    return route_to<actors::campaigns::campaign_route>(*placement,
                                                       "campaign:" + id);
  };
}

actors::limits::host_router
limiter_router(std::shared_ptr<const actors::cluster::placement> placement) {
  if (!placement)
    return {};
  return [placement](int index) {
    return route_to<actors::limits::host_route>(
        *placement, actors::limits::limiter_host_name(index));
  };
}

subtree make_cluster_subtree(actors::cluster::membership_options options,
                             const policy_lookup& policy,
                             std::shared_ptr<actors::supervision_metrics> m) {
  actors::supervisor_spec spec;
  spec.name = "cluster";
  spec.policy = policy("default");
  spec.metrics = std::move(m);
  actors::child_spec child;
  child.name = actors::cluster::membership_name;
  child.kind = "cluster-membership";
  child.start = [options](caf::actor_system& sys) {
    return caf::actor_cast<caf::actor>(
        actors::cluster::spawn_membership(sys, options));
  };
  // Leaving runs one statement, bounded by the pool's connect and
  // statement timeouts (1 s each).
  child.shutdown_timeout = actors::millis{2'000} + stop_margin;
  child.policy = policy("default");
  auto stop = child.shutdown_timeout + stop_margin;
  spec.children.push_back(std::move(child));
  return {actors::supervisor_child(std::move(spec), stop), stop};
}

} // namespace cdpd::app
