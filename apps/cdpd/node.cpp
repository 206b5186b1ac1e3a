#include "apps/cdpd/node.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <memory>
#include <mutex>

#include <caf/all.hpp>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/storage/db_actor.hpp"
#include "actors/storage/redis_actor.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/policy_from_settings.hpp"
#include "actors/supervision/supervisor.hpp"
#include "apps/cdpd/auth_bootstrap.hpp"
#include "apps/cdpd/database_bootstrap.hpp"
#include "apps/cdpd/delivery_subtree.hpp"
#include "apps/cdpd/segments_subtree.hpp"
#include "config/loader.hpp"
#include "net/access/access_guard.hpp"
#include "net/access/credentials_refresher.hpp"
#include "net/access/login_page.hpp"
#include "net/api/account_routes.hpp"
#include "net/api/api_routes.hpp"
#include "net/api/auth_routes.hpp"
#include "net/api/delivery_routes.hpp"
#include "net/api/segment_live_routes.hpp"
#include "net/gateway_actor.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "net/routes/admin_routes.hpp"
#include "net/routes/message_link_routes.hpp"
#include "net/routes/system_routes.hpp"
#include "net/static_site.hpp"
#include "storage/errc.hpp"
#include "storage/node_registry.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::app {

namespace {

constexpr const char* version = "0.1.0";

/// Slack added to each derived stop bound, so a parent waits a little
/// longer than the child whose bound it sums up.
constexpr auto stop_margin = std::chrono::seconds{1};

std::atomic<bool> gave_up{false};

void fail_line(const std::string& what) {
  spdlog::error("{}", what);
}

caf::timespan to_timespan(config::millis ms) {
  return std::chrono::duration_cast<caf::timespan>(ms);
}

void configure_caf(caf::actor_system_config& cfg, const config::settings& s) {
  actors::add_error_renderer(cfg);
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
  if (auto err = error_of(done))
    spdlog::warn("could not record this node in the nodes table: {}",
                 storage::describe(err));
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

  // Storage first: nothing else is useful without the database.
  auto db = open_database(s);
  if (!db) {
    fail_line(storage::describe(db.error()));
    return 1;
  }
  if (auto migrated = wait_and_migrate(s, *db); !migrated) {
    fail_line("PostgreSQL not usable: " + storage::describe(migrated.error()));
    return 1;
  }
  auto write_pool = std::make_shared<storage::pg_pool>(
      storage::write_pool_options(s.postgres, db->write_url), metrics.get());
  auto read_pool = std::make_shared<storage::pg_pool>(
      storage::read_pool_options(s.postgres, db->write_url), metrics.get());

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
  int exit_code = 0;
  {
    caf::actor_system sys{cfg};
    services->limiter = std::make_shared<actors::limits::limiter_region>(
        sys, s.ratelimit.hosts);
    services->api_key_used = record_api_key_use(sys);
    auto routes = std::make_shared<net::router>(
        net::make_access_guard(services, s.ratelimit));
    net::system_routes_options ready;
    if (!s.auth.public_metrics)
      ready.metrics_access = net::access::viewer;
    ready.checks.push_back({"postgres", "pg-write"});
    if (!s.postgres.read_url.empty())
      ready.checks.push_back({"postgres_read", "pg-read"});
    if (redis)
      ready.checks.push_back({"redis", "redis"});
    if (site)
      ready.html_root = net::require_session(net::static_site_handler(site));
    net::add_system_routes(*routes, sys, metrics, ready);
    net::add_login_page(*routes);
    net::add_auth_routes(*routes, sys, services);
    net::add_account_routes(*routes, sys, services);
    net::add_api_routes(*routes, sys, s.import);
    net::add_message_link_routes(*routes, sys, services->links);
    net::api::add_delivery_routes(*routes, sys);
    net::api::add_segment_live_routes(
        *routes, sys,
        std::make_shared<actors::segments::segment_region>(
            sys, static_cast<std::uint32_t>(std::max(s.segments.shards, 1))));
    if (s.admin.enabled)
      net::add_admin_routes(*routes, sys, {});
    // The app's files are public (the login page needs none of them, but a
    // browser caches them); its pages send browsers without a session to
    // /login.
    if (site)
      routes->set_fallback(
          net::access::anyone,
          net::require_session(net::static_site_handler(site)));

    // Bind before anything is spawned, so a busy port is one clear line.
    auto server =
        std::make_shared<net::http_server>(s.http, routes, metrics.get());
    auto port = server->start();
    if (!port) {
      fail_line("http: " + sys.render(port.error()));
      return 1;
    }
    register_this_node(sys, *write_pool, s, *port);

    auto supervision = std::make_shared<actors::supervision_metrics>(*metrics);
    // Campaign delivery: dispatchers on the write pool, the email provider,
    // sends throttled by the limiter hosts of the access subtree.
    auto delivery =
        make_delivery_subtree(s, write_pool, state_directory(s), supervision,
                              services->links, services->limiter);
    if (!delivery) {
      server->stop();
      fail_line("email: " + sys.render(delivery.error()));
      return 1;
    }
    auto policy = [&](const std::string& name) {
      return actors::policy_from_settings(s.supervision, name);
    };
    auto db_options = [&](std::string name, int workers) {
      actors::db_actor_options o;
      o.name = std::move(name);
      o.workers = workers;
      o.queue_timeout = s.postgres.acquire_timeout;
      return o;
    };
    auto db_stop = s.postgres.statement_timeout + stop_margin;

    // The storage subtree: both pools' dispatchers and the Redis client.
    actors::supervisor_spec storage;
    storage.name = "storage";
    storage.policy = policy("storage");
    storage.metrics = supervision;
    actors::child_spec pg_write;
    pg_write.name = "pg-write";
    pg_write.kind = "pg-dispatcher";
    pg_write.start = [=](caf::actor_system& sys) {
      return actors::spawn_db_actor(
          sys, write_pool, db_options("pg-write", s.postgres.pool_size));
    };
    pg_write.shutdown_timeout = db_stop;
    pg_write.policy = policy(s.postgres.policy);
    storage.children.push_back(pg_write);
    actors::child_spec pg_read = pg_write;
    pg_read.name = "pg-read";
    pg_read.start = [=](caf::actor_system& sys) {
      return actors::spawn_db_actor(
          sys, read_pool, db_options("pg-read", s.postgres.read_pool_size));
    };
    storage.children.push_back(pg_read);
    auto storage_stop = 2 * db_stop + stop_margin;
    if (redis) {
      actors::child_spec redis_child;
      redis_child.name = "redis";
      redis_child.kind = "redis";
      redis_child.start = [=](caf::actor_system& sys) {
        return actors::spawn_redis_actor(sys, *redis, s.redis.timeout);
      };
      redis_child.shutdown_timeout = s.redis.timeout + stop_margin;
      redis_child.policy = policy(s.redis.policy);
      // A half-open breaker pings Redis by itself, so it closes again
      // without waiting for traffic.
      redis_child.probe = caf::make_message(actors::check_atom::value);
      storage.children.push_back(redis_child);
      storage_stop += redis_child.shutdown_timeout;
    }

    // The customer shards load from the read pool once storage is up.
    auto segments = make_segments_subtree(s, read_pool, policy, supervision);

    // The access subtree: the limiter hosts and the credential refresher.
    actors::supervisor_spec access;
    access.name = "access";
    access.policy = policy("default");
    access.metrics = supervision;
    actors::limits::limiter_options limiter_options;
    limiter_options.hosts = s.ratelimit.hosts;
    limiter_options.idle_timeout = s.ratelimit.idle_timeout;
    limiter_options.metrics = metrics.get();
    for (int i = 0; i < s.ratelimit.hosts; ++i) {
      actors::child_spec host;
      host.name = actors::limits::limiter_host_name(i);
      host.kind = "limiter-host";
      host.start = [=](caf::actor_system& sys) {
        return actors::limits::spawn_limiter_host(sys, i, limiter_options);
      };
      host.shutdown_timeout = stop_margin;
      host.policy = policy("default");
      access.children.push_back(host);
    }
    actors::child_spec refresher;
    refresher.name = "creds";
    refresher.kind = "credentials-refresher";
    refresher.start = [=,
                       cache = services->credentials](caf::actor_system& sys) {
      return net::spawn_credentials_refresher(sys, cache, s.auth.cache_refresh);
    };
    refresher.shutdown_timeout = stop_margin;
    refresher.policy = policy("default");
    access.children.push_back(refresher);
    auto access_stop =
        stop_margin * (static_cast<int>(access.children.size()) + 1);

    // The edge subtree: the HTTP gateway.
    actors::supervisor_spec edge;
    edge.name = "edge";
    edge.policy = policy("edge");
    edge.metrics = supervision;
    actors::child_spec gateway;
    gateway.name = "gateway";
    gateway.kind = "http-gateway";
    gateway.start = [=](caf::actor_system& sys) {
      return net::spawn_gateway(sys, server, s.http.drain_timeout);
    };
    gateway.shutdown_timeout = s.http.drain_timeout + stop_margin;
    gateway.policy = policy(s.http.policy);
    edge.children.push_back(gateway);
    auto edge_stop = gateway.shutdown_timeout + stop_margin;
    // The root stops its subtrees one after the other.
    auto tree_stop = storage_stop + segments.stop_bound + access_stop +
                     delivery->stop_bound + edge_stop + stop_margin;

    actors::supervisor_spec root_spec;
    root_spec.name = "root";
    root_spec.policy = policy("default");
    root_spec.metrics = supervision;
    root_spec.on_give_up = [](const std::string&) { gave_up = true; };
    root_spec.children.push_back(
        actors::supervisor_child(std::move(storage), storage_stop));
    root_spec.children.push_back(std::move(segments.child));
    root_spec.children.push_back(
        actors::supervisor_child(std::move(access), access_stop));
    root_spec.children.push_back(delivery->child);
    root_spec.children.push_back(
        actors::supervisor_child(std::move(edge), edge_stop));
    auto root = actors::spawn_supervisor(sys, std::move(root_spec));
    sys.registry().put(caf::atom("root"),
                       caf::actor_cast<caf::strong_actor_ptr>(root));
    spdlog::info("cdpd {} ready on {}://{}:{}", version,
                 s.http.tls_cert.empty() ? "http" : "https", s.http.address,
                 *port);

    int sig = wait_for_stop();
    if (sig > 0) {
      spdlog::info("received {}, stopping",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
    } else {
      exit_code = 1;
    }

    // Reverse order: stop taking requests, finish the ones in flight, then
    // the actor tree, then the pools.
    caf::scoped_actor self{sys};
    if (auto gw = sys.registry().get(caf::atom("gateway"))) {
      self->request(caf::actor_cast<caf::actor>(gw),
                    s.http.drain_timeout + 2 * stop_margin,
                    actors::drain_atom::value)
          .receive(
              [](bool clean) {
                spdlog::info("HTTP drained (clean: {})", clean);
              },
              [&](caf::error& err) {
                spdlog::warn("HTTP drain: {}", sys.render(err));
              });
    }
    server->stop();
    self->request(root, tree_stop, actors::shutdown_atom::value)
        .receive([] { spdlog::info("actor tree stopped"); },
                 [&](caf::error& err) {
                   if (err != caf::sec::request_receiver_down)
                     spdlog::warn("actor tree stop: {}", sys.render(err));
                 });
    sys.registry().erase(caf::atom("root"));
    self->send_exit(root, caf::exit_reason::kill);
    write_pool->close();
    read_pool->close();
    services->api_key_used = nullptr; // it refers to `sys`
    services->limiter.reset();
  }
  if (db->embedded)
    db->embedded->stop();
  spdlog::info("stopped");
  return exit_code;
}

} // namespace cdpd::app
