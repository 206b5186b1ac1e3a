#include "apps/cdpd/node.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/campaigns/campaign_gauges.hpp"
#include "actors/campaigns/campaign_messages.hpp"
#include "actors/cluster/cluster_messages.hpp"
#include "actors/limits/limit_messages.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/policy_from_settings.hpp"
#include "actors/supervision/snapshot.hpp"
#include "actors/supervision/supervisor.hpp"
#include "actors/webhooks/webhook_tree.hpp"
#include "apps/cdpd/auth_bootstrap.hpp"
#include "apps/cdpd/cluster_subtree.hpp"
#include "apps/cdpd/database_bootstrap.hpp"
#include "apps/cdpd/delivery_subtree.hpp"
#include "apps/cdpd/node_subtrees.hpp"
#include "apps/cdpd/scope_exit.hpp"
#include "apps/cdpd/segments_subtree.hpp"
#include "config/loader.hpp"
#include "net/access/access_guard.hpp"
#include "net/access/login_page.hpp"
#include "net/api/account_routes.hpp"
#include "net/api/admin_routes.hpp"
#include "net/api/ai_routes.hpp"
#include "net/api/api_routes.hpp"
#include "net/api/auth_routes.hpp"
#include "net/api/delivery_routes.hpp"
#include "net/api/message_link_routes.hpp"
#include "net/api/segment_live_routes.hpp"
#include "net/api/system_routes.hpp"
#include "net/api/token_key_routes.hpp"
#include "net/api/webhook_routes.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"
#include "net/http/static_site.hpp"
#include "storage/errc.hpp"
#include "storage/node_registry.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::app {

namespace {

constexpr const char* version = "0.1.0";

std::atomic<bool> gave_up{false};

void fail_line(const std::string& what) {
  spdlog::error("{}", what);
}

caf::timespan to_timespan(config::millis ms) {
  return std::chrono::duration_cast<caf::timespan>(ms);
}

void configure_caf(caf::actor_system_config& cfg, const config::settings& s) {
  actors::add_error_renderer(cfg);
  // Every message that may cross nodes, under the same names on every node.
  actors::add_supervision_types(cfg);
  actors::limits::add_limit_types(cfg);
  actors::segments::add_segment_types(cfg);
  actors::campaigns::add_campaign_types(cfg);
  actors::cluster::add_cluster_types(cfg);
  // Only a clustered node runs CAF's network layer: a single node has no
  // middleman threads, sockets or heartbeats.
  if (s.cluster.port != 0) {
    cfg.load<caf::io::middleman>();
    cfg.set("middleman.app-identifiers",
            std::vector<std::string>{cluster_wire_identifier});
  }
  if (s.scheduler.max_threads > 0)
    cfg.set("scheduler.max-threads",
            static_cast<size_t>(s.scheduler.max_threads));
  // An idle worker that sleeps on its condition variable is woken by new
  // work at once; one that polls with 50 us sleeps (timer slack makes them
  // ~100 us) notices it only at its next poll, which is most of what a
  // limiter check cost at the edge (tests/bench/limiter_bench.cpp).
  cfg.set("work-stealing.moderate-poll-attempts",
          static_cast<size_t>(s.scheduler.moderate_poll_attempts));
  cfg.set("work-stealing.relaxed-sleep-duration",
          to_timespan(s.scheduler.relaxed_sleep));
  cfg.set("middleman.heartbeat-interval",
          to_timespan(s.middleman.heartbeat_interval));
  cfg.set("middleman.connection-timeout",
          to_timespan(s.middleman.connection_timeout));
}

/// Waits for SIGINT/SIGTERM or for the root supervisor to give up.
int wait_for_stop() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec tick{0, 200'000'000};
  while (!gave_up.load()) {
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig > 0)
      return sig;
  }
  return 0;
}

void register_this_node(caf::actor_system& sys, storage::pg_pool& pool,
                        const config::settings& s, uint16_t port) {
  auto node_id = caf::to_string(sys.node());
  auto address = s.http.address + ":" + std::to_string(port);
  auto done = pool.run([&](pqxx::connection& c) {
    return storage::register_node(c, node_id, address, version);
  });
  if (!done)
    spdlog::warn("could not record this node in the nodes table: {}",
                 storage::describe(done.error()));
}

} // namespace

void block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run_migrate(const config::settings& s) {
  auto db = open_database(s);
  if (!db) {
    fail_line(storage::describe(db.error()));
    return 1;
  }
  auto migrated = wait_and_migrate(s, *db);
  if (!migrated) {
    fail_line(storage::describe(migrated.error()));
    return 1;
  }
  return 0;
}

namespace {

/// Every route of the node, on `sys`.
std::shared_ptr<net::router>
make_routes(caf::actor_system& sys, const config::settings& s,
            const std::shared_ptr<net::auth_services>& services,
            const std::shared_ptr<prometheus::Registry>& metrics,
            const std::shared_ptr<const net::static_site>& site, bool redis,
            std::shared_ptr<actors::segments::change_barrier> barrier) {
  auto routes = std::make_shared<net::router>(
      net::make_access_guard(services, s.ratelimit));
  net::system_routes_options ready;
  if (s.auth.public_metrics == "true")
    ready.metrics = net::metrics_exposure::everyone;
  else if (s.auth.public_metrics == "false")
    ready.metrics = net::metrics_exposure::nobody;
  ready.checks.push_back({"postgres", "pg-write"});
  if (!s.postgres.read_url.empty())
    ready.checks.push_back({"postgres_read", "pg-read"});
  if (redis)
    ready.checks.push_back({"redis", "redis"});
  if (s.cluster.port != 0)
    ready.checks.push_back({"cluster", actors::cluster::membership_name});
  if (site)
    ready.html_root = net::require_session(net::static_site_handler(site));
  net::add_system_routes(*routes, sys, metrics, ready);
  net::add_login_page(*routes);
  net::add_auth_routes(*routes, sys, services);
  net::add_account_routes(*routes, sys, services);
  net::add_token_key_routes(*routes, sys, services);
  net::add_api_routes(*routes, sys, s.import);
  net::api::add_webhook_routes(*routes, sys, s.webhooks);
  net::api::add_ai_routes(*routes, sys, s.ai, metrics.get(), redis);
  net::add_message_link_routes(*routes, sys, services->links);
  net::api::add_delivery_routes(*routes, sys);
  net::api::add_segment_live_routes(
      *routes, sys,
      std::make_shared<actors::segments::segment_region>(
          sys, static_cast<std::uint32_t>(std::max(s.segments.shards, 1)),
          actors::segments::read_barrier{std::move(barrier),
                                         s.segments.read_barrier_timeout}));
  if (s.admin.enabled) {
    net::admin_routes_options admin;
    admin.limiter_hosts = s.ratelimit.hosts;
    net::add_admin_routes(*routes, sys, admin);
  }
  // The app's files are public (the login page needs none of them, but a
  // browser caches them); its pages send browsers without a session to
  // /login.
  if (site)
    routes->set_fallback(net::access::anyone,
                         net::require_session(net::static_site_handler(site)));
  return routes;
}

/// The process metrics every node publishes.
std::shared_ptr<prometheus::Registry> make_metrics() {
  auto metrics = std::make_shared<prometheus::Registry>();
  prometheus::BuildGauge()
      .Name("process_start_time_seconds")
      .Help("Start time of the process since unix epoch in seconds.")
      .Register(*metrics)
      .Add({})
      .Set(static_cast<double>(std::time(nullptr)));
  prometheus::BuildGauge()
      .Name("cdpd_build_info")
      .Help("Always 1; the labels say which cdpd this is.")
      .Register(*metrics)
      .Add({{"version", version}})
      .Set(1);
  return metrics;
}

/// Drains HTTP, stops the server, then the actor tree below `root`.
void stop_tree(caf::actor_system& sys, const config::settings& s,
               net::http_server& server, const caf::actor& root,
               actors::millis tree_stop) {
  caf::scoped_actor self{sys};
  if (auto gw = sys.registry().get(caf::atom("gateway"))) {
    self->request(caf::actor_cast<caf::actor>(gw),
                  s.http.drain_timeout + 2 * stop_margin,
                  actors::drain_atom::value)
        .receive(
            [](bool clean) { spdlog::info("HTTP drained (clean: {})", clean); },
            [&](caf::error& err) {
              spdlog::warn("HTTP drain: {}", sys.render(err));
            });
  }
  server.stop();
  self->request(root, tree_stop, actors::shutdown_atom::value)
      .receive([] { spdlog::info("actor tree stopped"); },
               [&](caf::error& err) {
                 if (err != caf::sec::request_receiver_down)
                   spdlog::warn("actor tree stop: {}", sys.render(err));
               });
  sys.registry().erase(caf::atom("root"));
  self->send_exit(root, caf::exit_reason::kill);
}

} // namespace

int run_node(const config::settings& s) {
  // A bad http.static-dir is a configuration error: refuse it before the
  // database is touched. The site is read into memory once, here.
  std::shared_ptr<const net::static_site> site;
  if (!s.http.static_dir.empty()) {
    auto loaded = net::static_site::load(s.http.static_dir);
    if (!loaded) {
      fail_line(net::static_site::describe(loaded.error()));
      return 2;
    }
    site = std::move(*loaded);
    spdlog::info("serving {} files ({} bytes) from {}", site->file_count(),
                 site->total_bytes(), s.http.static_dir);
  }
  auto metrics = make_metrics();
  // Said last, and only by a node that was ready: a failed start is one
  // line.
  bool served = false;
  scope_exit say_stopped{[&served] {
    if (served)
      spdlog::info("stopped");
  }};

  // Storage first: nothing else is useful without the database.
  auto db = open_database(s);
  if (!db) {
    fail_line(storage::describe(db.error()));
    return 1;
  }
  scope_exit stop_database{[&db] {
    if (db->embedded)
      db->embedded->stop();
  }};
  if (auto migrated = wait_and_migrate(s, *db); !migrated) {
    fail_line("PostgreSQL not usable: " + storage::describe(migrated.error()));
    return 1;
  }
  auto write_pool = std::make_shared<storage::pg_pool>(
      storage::write_pool_options(s.postgres, db->write_url), metrics.get());
  auto read_pool = std::make_shared<storage::pg_pool>(
      storage::read_pool_options(s.postgres, db->write_url), metrics.get());
  scope_exit close_pools{[&] {
    write_pool->close();
    read_pool->close();
  }};

  auto auth = prepare_auth(s, *write_pool);
  if (!auth) {
    const auto& why = auth.error().context();
    fail_line("auth: " + (why.match_elements<std::string>()
                              ? why.get_as<std::string>(0)
                              : caf::to_string(auth.error())));
    return 1;
  }
  auto services = std::move(*auth);

  std::optional<storage::redis_endpoint> redis;
  if (!s.redis.url.empty()) {
    auto endpoint = storage::parse_redis_url(s.redis.url);
    if (!endpoint) {
      fail_line("redis.url: " + storage::describe(endpoint.error()));
      return 1;
    }
    redis = *endpoint;
  }

  caf::actor_system_config cfg;
  configure_caf(cfg, s);
  caf::actor_system sys{cfg};
  // In a cluster, each limiter host runs on the member that rendezvous
  // hashing gives it; the membership fills this in once the node joined.
  std::shared_ptr<actors::cluster::placement> placement;
  if (s.cluster.port != 0)
    placement = std::make_shared<actors::cluster::placement>();
  services->limiter = std::make_shared<actors::limits::limiter_region>(
      sys, s.ratelimit.hosts, limiter_router(placement),
      placement ? metrics.get() : nullptr);
  services->api_key_used = record_api_key_use(sys);
  // Both refer to `sys`, which ends before the services do.
  scope_exit release_services{[&services] {
    services->api_key_used = nullptr;
    services->limiter.reset();
  }};
  // Segment answers wait for the shards' change listener to have read
  // every write committed before the question.
  auto barrier = std::make_shared<actors::segments::change_barrier>();
  auto routes =
      make_routes(sys, s, services, metrics, site, redis.has_value(), barrier);

  // Bind before anything is spawned, so a busy port is one clear line.
  auto server =
      std::make_shared<net::http_server>(s.http, routes, metrics.get());
  auto port = server->start();
  if (!port) {
    fail_line("http: " + sys.render(port.error()));
    return 1;
  }
  register_this_node(sys, *write_pool, s, *port);
  std::optional<cluster_node> cluster;
  if (s.cluster.port != 0) {
    auto joined =
        start_cluster_node(sys, s, db->write_url, *port, *metrics, placement);
    if (!joined) {
      server->stop();
      const auto& why = joined.error().context();
      fail_line("cluster: " + (why.match_elements<std::string>()
                                   ? why.get_as<std::string>(0)
                                   : sys.render(joined.error())));
      return 1;
    }
    cluster = std::move(*joined);
  }
  // The agent lives as long as the process (its loss is how the others
  // learn of a dead node), so it is stopped last, after the tree.
  scope_exit stop_agent{[&cluster] {
    if (cluster)
      caf::anon_send_exit(cluster->agent, caf::exit_reason::kill);
  }};

  auto supervision = std::make_shared<actors::supervision_metrics>(*metrics);
  // Campaign delivery: dispatchers on the write pool, the email provider,
  // sends throttled by the limiter hosts of the access subtree.
  auto delivery = make_delivery_subtree(
      s, write_pool, state_directory(s), supervision, services->links,
      services->limiter,
      std::make_shared<actors::campaigns::campaign_gauges>(*metrics),
      cluster ? cluster->membership.lease_state : nullptr,
      cluster ? cluster->membership.self.name : std::string{},
      campaign_router(placement));
  if (!delivery) {
    server->stop();
    fail_line("email: " + sys.render(delivery.error()));
    return 1;
  }
  policy_lookup policy = [&s](const std::string& name) {
    return actors::policy_from_settings(s.supervision, name);
  };
  // In start order; the root stops them one after the other, in reverse.
  std::vector<subtree> subtrees;
  // Membership first: the node is a member before its work starts.
  if (cluster)
    subtrees.push_back(
        make_cluster_subtree(cluster->membership, policy, supervision));
  subtrees.push_back(make_storage_subtree(s, write_pool, read_pool, redis,
                                          policy, supervision));
  // The customer shards load from the read pool once storage is up.
  auto segments =
      make_segments_subtree(s, read_pool, barrier, policy, supervision);
  subtrees.push_back({std::move(segments.child), segments.stop_bound});
  subtrees.push_back(
      make_access_subtree(s, services, metrics.get(), policy, supervision));
  subtrees.push_back({delivery->child, delivery->stop_bound});
  auto assistant = make_ai_subtree(s, policy, supervision);
  if (!assistant) {
    server->stop();
    fail_line(sys.render(assistant.error()));
    return 1;
  }
  if (*assistant)
    subtrees.push_back(std::move(**assistant));
  // Webhooks: workers on the write pool, one breaker per endpoint host.
  auto hooks = actors::webhooks::make_webhook_subtree(
      s, write_pool, metrics.get(), supervision,
      cluster ? cluster->membership.self.name : std::string{});
  subtrees.push_back({std::move(hooks.child), hooks.stop_bound});
  subtrees.push_back(make_edge_subtree(s, server, policy, supervision));

  actors::supervisor_spec root_spec;
  root_spec.name = "root";
  root_spec.policy = policy("default");
  root_spec.metrics = supervision;
  root_spec.on_give_up = [](const std::string&) { gave_up = true; };
  actors::millis tree_stop = stop_margin;
  for (auto& t : subtrees) {
    tree_stop += t.stop_bound;
    root_spec.children.push_back(std::move(t.child));
  }
  auto root = actors::spawn_supervisor(sys, std::move(root_spec));
  sys.registry().put(caf::atom("root"),
                     caf::actor_cast<caf::strong_actor_ptr>(root));
  served = true;
  spdlog::info("cdpd {} ready on {}://{}:{}", version,
               s.http.tls_cert.empty() ? "http" : "https", s.http.address,
               *port);

  int sig = wait_for_stop();
  if (sig > 0)
    spdlog::info("received {}, stopping",
                 sig == SIGTERM ? "SIGTERM" : "SIGINT");
  // Reverse order: stop taking requests, finish the ones in flight, then
  // the actor tree; the guards above then close the pools and stop the
  // database.
  stop_tree(sys, s, *server, root, tree_stop);
  return sig > 0 ? 0 : 1;
}

} // namespace cdpd::app
