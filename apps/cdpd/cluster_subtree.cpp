#include "apps/cdpd/cluster_subtree.hpp"

#include <unistd.h>

#include <caf/all.hpp>

namespace cdpd::app {

std::string member_name(const config::settings& s, uint16_t http_port) {
  if (!s.cluster.name.empty())
    return s.cluster.name;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string{host}.substr(0, 40) + "-" + std::to_string(http_port);
}

caf::expected<cluster_node> start_cluster_node(caf::actor_system& sys,
                                               const config::settings& s,
                                               const std::string& db_url,
                                               uint16_t http_port,
                                               prometheus::Registry& metrics) {
  auto name = member_name(s, http_port);
  auto port = static_cast<uint16_t>(s.cluster.port);
  auto agent =
      actors::cluster::publish_node_agent(sys, name, s.cluster.address, port);
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
  o.pool = std::make_shared<storage::pg_pool>(
      actors::cluster::membership_pool_options(db_url), nullptr);
  o.lease_state = std::make_shared<actors::cluster::node_lease>();
  o.metrics = std::make_shared<actors::cluster::cluster_metrics>(metrics);
  return cluster_node{*agent, std::move(o)};
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
