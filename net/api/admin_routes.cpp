#include "net/api/admin_routes.hpp"

#include <ctime>
#include <map>

#include <unistd.h>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ask.hpp"
#include "actors/atoms.hpp"
#include "actors/campaigns/campaign_messages.hpp"
#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/rendezvous.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/supervision/snapshot.hpp"
#include "net/api/datetime_text.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

namespace {

using nlohmann::json;

/// The node's CAF id once the cluster transport runs, else host:pid.
std::string node_name(caf::actor_system& sys) {
  if (sys.node())
    return caf::to_string(sys.node());
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string{host} + ":" + std::to_string(getpid());
}

void collect_breakers(const actors::actor_node& node, json& out) {
  if (node.proxy && node.proxy->breaker)
    out.push_back(breaker_json(*node.proxy->breaker));
  for (const auto& child : node.children)
    collect_breakers(child, out);
}

/// Asks the root supervisor for the tree and answers with `render(tree)`.
template <class Render>
void with_tree(caf::actor_system& sys, const admin_routes_options& options,
               responder respond, Render render) {
  auto root = caf::actor_cast<actors::inspectable>(
      sys.registry().get(caf::atom_from_string(options.root)));
  if (!root) {
    respond(problem(503, "the root supervisor is not running",
                    "service-unavailable"));
    return;
  }
  actors::ask(
      sys, root, options.timeout,
      [respond, render](actors::actor_node& tree) {
        respond(json_response(200, render(tree)));
      },
      [respond](caf::error& err) { respond(problem_from_error(err)); },
      actors::inspect_atom::value);
}

void breaker_action(caf::actor_system& sys, const admin_routes_options& options,
                    const std::string& name, bool open, responder respond) {
  auto target = caf::actor_cast<actors::breaker_control>(
      sys.registry().get(caf::atom_from_string(name)));
  if (name.size() > 10 || !target) {
    respond(problem(404, "no actor named " + name, "not-found"));
    return;
  }
  auto on_reply = [respond](actors::breaker_snapshot& b) {
    respond(json_response(200, breaker_json(b)));
  };
  auto on_error = [respond](caf::error& err) {
    respond(problem_from_error(err));
  };
  if (open)
    actors::ask(sys, target, options.timeout, on_reply, on_error,
                actors::breaker_atom::value, actors::force_open_atom::value);
  else
    actors::ask(sys, target, options.timeout, on_reply, on_error,
                actors::breaker_atom::value, actors::reset_atom::value);
}

namespace live = actors::campaigns;

json text_or_null(const std::string& text) {
  return text.empty() ? json(nullptr) : json(text);
}

json campaign_json(const live::campaign_snapshot& c) {
  return {{"id", c.id},
          {"status", c.status},
          {"step", c.step},
          {"phase", text_or_null(c.exec_phase)},
          {"scheduled_at", text_or_null(c.scheduled_at)},
          {"started_at", text_or_null(c.started_at)},
          {"paused_reason", text_or_null(c.paused_reason)},
          {"counts",
           {{"audience", c.audience},
            {"pending", c.pending},
            {"sent", c.sent},
            {"failed", c.failed},
            {"dead", c.dead},
            {"opened", c.opened},
            {"clicked", c.clicked},
            {"unsubscribed", c.unsubscribed}}},
          {"rate_per_minute", c.rate_per_minute},
          {"next_timer_ms",
           c.next_timer_ms < 0 ? json(nullptr) : json(c.next_timer_ms)}};
}

/// The node's campaign actors, as `on_list(json array)`; an empty list on a
/// node without a campaign host.
template <class OnList>
void with_campaigns(caf::actor_system& sys, const admin_routes_options& options,
                    responder respond, OnList on_list) {
  auto host = caf::actor_cast<live::campaign_host>(
      sys.registry().get(live::campaign_host_key));
  if (!host)
    return on_list(json::array());
  actors::ask(
      sys, host, options.timeout,
      [on_list](std::vector<live::campaign_snapshot>& all) mutable {
        json list = json::array();
        for (const auto& c : all)
          list.push_back(campaign_json(c));
        on_list(std::move(list));
      },
      [respond](caf::error& err) { respond(problem_from_error(err)); },
      live::campaign_view_atom::value);
}

namespace cluster = actors::cluster;

/// Which of `keys` each live member owns: rendezvous over the members
/// whose lease holds (up or suspect), as every node places them.
std::map<std::string, json> owned_keys(const cluster::cluster_view& view,
                                       const std::vector<std::string>& keys) {
  std::vector<std::string> live;
  for (const auto& m : view.members)
    if (m.state != "down")
      live.push_back(m.name);
  std::map<std::string, json> owned;
  for (const auto& name : live)
    owned[name] = json::array();
  for (const auto& key : keys)
    if (auto i = cluster::rendezvous_owner(key, live); i >= 0)
      owned[live[static_cast<std::size_t>(i)]].push_back(key);
  return owned;
}

json cluster_json(const cluster::cluster_view& view, int limiter_hosts) {
  std::vector<std::string> hosts;
  for (int i = 0; i < limiter_hosts; ++i)
    hosts.push_back(actors::limits::limiter_host_name(i));
  auto limiters = owned_keys(view, hosts);
  json members = json::array();
  for (const auto& m : view.members) {
    auto mine = limiters.find(m.name);
    members.push_back(
        {{"name", m.name},
         {"address", m.address},
         {"port", m.port},
         {"http_address", m.http_address},
         {"incarnation", m.incarnation},
         {"state", m.state},
         {"lease_until", api::rfc3339(m.lease_until_ms)},
         // Shards and singletons are not placed by member yet: every node
         // runs every shard and the campaign host itself.
         {"shards", json::array()},
         {"limiter_hosts",
          mine == limiters.end() ? json::array() : mine->second},
         {"singletons", json::array()}});
  }
  return {{"self", view.self},
          {"incarnation", view.incarnation},
          {"view_version", view.version},
          {"fences", view.fences},
          {"members", std::move(members)}};
}

void with_cluster(caf::actor_system& sys, const admin_routes_options& options,
                  responder respond) {
  auto membership = caf::actor_cast<cluster::membership_actor>(
      sys.registry().get(caf::atom_from_string(options.membership)));
  if (!membership) {
    respond(problem(404,
                    "this node is not clustered (cluster.port is 0), or its "
                    "membership is not running",
                    "not-found"));
    return;
  }
  actors::ask(
      sys, membership, options.timeout,
      [respond, hosts = options.limiter_hosts](cluster::cluster_view& view) {
        respond(json_response(200, cluster_json(view, hosts)));
      },
      [respond](caf::error& err) { respond(problem_from_error(err)); },
      cluster::cluster_view_atom::value);
}

} // namespace

json breaker_json(const actors::breaker_snapshot& b) {
  json out{{"name", b.name},
           {"state", b.state},
           {"forced", b.forced},
           {"consecutive_failures", b.consecutive_failures},
           {"reset_timeout_ms", b.reset_timeout_ms},
           {"next_probe_at", nullptr}};
  if (b.next_probe_unix_ms > 0)
    out["next_probe_at"] = api::rfc3339(b.next_probe_unix_ms);
  return out;
}

json actor_node_json(const actors::actor_node& node) {
  json out{{"name", node.name},
           {"kind", node.kind},
           {"policy", node.policy},
           {"state", node.state},
           {"restarts_in_period", node.restarts_in_period},
           {"restarts_total", node.restarts_total},
           {"last_failure", nullptr},
           {"mailbox_size", nullptr}};
  if (!node.restart.empty())
    out["restart"] = node.restart;
  if (!node.strategy.empty())
    out["strategy"] = node.strategy;
  if (!node.last_failure.empty())
    out["last_failure"] = {{"reason", node.last_failure},
                           {"at", api::rfc3339(node.last_failure_unix_ms)}};
  if (node.mailbox_size)
    out["mailbox_size"] = *node.mailbox_size;
  if (node.proxy) {
    const auto& p = *node.proxy;
    out["calls"] = {
        {"total", p.stats.calls},       {"successes", p.stats.successes},
        {"failures", p.stats.failures}, {"rejections", p.stats.rejections},
        {"retries", p.stats.retries},   {"in_flight", p.in_flight},
        {"buffered", p.buffered}};
    if (p.breaker)
      out["breaker"] = breaker_json(*p.breaker);
  }
  if (node.kind == "supervisor") {
    out["children"] = json::array();
    for (const auto& child : node.children)
      out["children"].push_back(actor_node_json(child));
  }
  return out;
}

void add_admin_routes(router& routes, caf::actor_system& sys,
                      admin_routes_options options) {
  routes.add(
      "GET", "/admin/actors", access::admin,
      [&sys, options](http_request, responder respond) {
        with_campaigns(
            sys, options, respond, [&sys, options, respond](json campaigns) {
              with_tree(sys, options, respond,
                        [&sys, campaigns](const actors::actor_node& tree) {
                          return json{{"node", node_name(sys)},
                                      {"tree", actor_node_json(tree)},
                                      {"campaigns", campaigns}};
                        });
            });
      });
  // Campaign actors are not children of a supervisor (the host spawns
  // them), so they are listed apart.
  routes.add(
      "GET", "/admin/campaigns", access::admin,
      [&sys, options](http_request, responder respond) {
        with_campaigns(sys, options, respond, [&sys, respond](json list) {
          respond(json_response(
              200, {{"node", node_name(sys)}, {"campaigns", std::move(list)}}));
        });
      });
  routes.add("GET", "/admin/cluster", access::admin,
             [&sys, options](http_request, responder respond) {
               with_cluster(sys, options, std::move(respond));
             });
  routes.add("GET", "/admin/breakers", access::admin,
             [&sys, options](http_request, responder respond) {
               with_tree(sys, options, std::move(respond),
                         [](const actors::actor_node& tree) {
                           json list = json::array();
                           collect_breakers(tree, list);
                           return json{{"breakers", std::move(list)}};
                         });
             });
  routes.add("POST", "/admin/breakers/{name}/reset", access::admin,
             [&sys, options](http_request req, responder respond) {
               breaker_action(sys, options, req.params["name"], false,
                              std::move(respond));
             });
  routes.add("POST", "/admin/breakers/{name}/open", access::admin,
             [&sys, options](http_request req, responder respond) {
               breaker_action(sys, options, req.params["name"], true,
                              std::move(respond));
             });
}

} // namespace cdpd::net
