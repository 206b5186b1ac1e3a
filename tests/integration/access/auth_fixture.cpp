#include "tests/integration/access/auth_fixture.hpp"

#include <future>
#include <stdexcept>

#include <pqxx/pqxx>

#include "actors/limits/limiter_region.hpp"
#include "actors/storage/db_actor.hpp"
#include "net/access/access_guard.hpp"
#include "net/access/credentials_refresher.hpp"
#include "net/access/password_hasher.hpp"
#include "net/api/account_routes.hpp"
#include "net/api/auth_routes.hpp"
#include "net/api/token_key_routes.hpp"
#include "net/auth/password.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/repositories/account_repository.hpp"

namespace cdpd::test {

namespace {

using namespace std::chrono_literals;

std::shared_ptr<storage::pg_pool> make_pool(const std::string& url,
                                            const char* name) {
  storage::pg_pool_options o;
  o.name = name;
  o.url = url;
  o.size = 4;
  o.acquire_timeout = 10s;
  o.statement_timeout = 30s;
  o.connect_timeout = 5s;
  return std::make_shared<storage::pg_pool>(o, nullptr);
}

caf::actor spawn_db(caf::actor_system& sys,
                    std::shared_ptr<storage::pg_pool> pool, const char* name) {
  actors::db_actor_options o;
  o.name = name;
  o.workers = 4;
  o.queue_timeout = 10s;
  return caf::actor_cast<caf::actor>(
      actors::spawn_db_actor(sys, std::move(pool), o));
}

void put(caf::actor_system& sys, const std::string& name, caf::actor a) {
  sys.registry().put(caf::atom_from_string(name),
                     caf::actor_cast<caf::strong_actor_ptr>(a));
}

} // namespace

auth_fixture::auth_fixture() {
  {
    pqxx::connection conn{db.conninfo()};
    auto migrated = storage::migrate(conn, storage::embedded_migrations());
    if (!migrated)
      throw std::runtime_error("migrate: " +
                               storage::describe(migrated.error()));
  }
  sys = std::make_unique<caf::actor_system>(cfg);
  write_pool = make_pool(db.url(), "write");
  read_pool = make_pool(db.url(), "read");
  write_actor = spawn_db(*sys, write_pool, "pg-write");
  read_actor = spawn_db(*sys, read_pool, "pg-read");
  put(*sys, "pg-write", write_actor);
  put(*sys, "pg-read", read_actor);
  hasher = net::spawn_password_hasher(*sys);
  put(*sys, net::password_hasher_name, hasher);
  actors::limits::limiter_options limiter_options;
  limiter_options.hosts = limiter_host_count;
  for (int i = 0; i < limiter_host_count; ++i) {
    limiter_hosts.push_back(caf::actor_cast<caf::actor>(
        actors::limits::spawn_limiter_host(*sys, i, limiter_options)));
    put(*sys, actors::limits::limiter_host_name(i), limiter_hosts.back());
  }

  services = std::make_shared<net::auth_services>();
  services->settings.jwt_secret = std::string(48, 'k');
  services->settings.login_max_failures = 3;
  services->tokens = std::make_shared<net::auth::jwt_codec>(
      services->settings.jwt_secret, services->settings.jwt_issuer);
  services->credentials = std::make_shared<net::credential_cache>();
  services->limiter = std::make_shared<actors::limits::limiter_region>(
      *sys, limiter_host_count);
  // General limits well above what a test sends, so only the login
  // throttle refuses.
  config::ratelimit_settings limits;
  limits.general_per_minute = 10'000;
  limits.general_per_hour = 100'000;
  routes =
      std::make_shared<net::router>(net::make_access_guard(services, limits));
  net::add_auth_routes(*routes, *sys, services);
  net::add_account_routes(*routes, *sys, services);
  net::add_token_key_routes(*routes, *sys, services);

  config::http_settings settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  settings.io_threads = 2;
  server = std::make_unique<net::http_server>(settings, routes, nullptr);
  auto bound = server->start();
  if (!bound)
    throw std::runtime_error("http_server::start: " +
                             caf::to_string(bound.error()));
  port = *bound;
}

auth_fixture::~auth_fixture() {
  server->stop();
  server.reset();
  for (const auto& name : {"pg-write", "pg-read", net::password_hasher_name})
    sys->registry().erase(caf::atom_from_string(name));
  caf::anon_send_exit(hasher, caf::exit_reason::user_shutdown);
  hasher = nullptr;
  for (int i = 0; i < limiter_host_count; ++i)
    sys->registry().erase(
        caf::atom_from_string(actors::limits::limiter_host_name(i)));
  for (auto& a : limiter_hosts)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(write_actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(read_actor, caf::exit_reason::user_shutdown);
  limiter_hosts.clear();
  write_actor = nullptr;
  read_actor = nullptr;
  routes.reset();
  services.reset();
  sys.reset();
}

std::string auth_fixture::make_account(const std::string& email,
                                       const std::string& role,
                                       const std::string& password) {
  auto hash = net::auth::hash_password(password);
  if (!hash)
    throw std::runtime_error("hash_password failed");
  pqxx::connection conn{db.conninfo()};
  auto made = storage::create_account(conn, email, *hash, role);
  if (!made || !made->value)
    throw std::runtime_error("create_account " + email + " failed");
  auto loaded = net::load_credentials_now(*read_pool, *services);
  if (!loaded)
    throw std::runtime_error("load_credentials_now: " +
                             storage::describe(loaded.error()));
  return made->value->id;
}

http_reply auth_fixture::login(const std::string& email,
                               const std::string& password) {
  return call("POST", "/api/auth/login",
              {{"email", email}, {"password", password}});
}

nlohmann::json auth_fixture::session(const std::string& email,
                                     const std::string& password) {
  auto reply = login(email, password);
  EXPECT_EQ(reply.status, 200) << email << ": " << reply.body;
  return body_of(reply);
}

http_reply auth_fixture::call(const std::string& method,
                              const std::string& target,
                              const nlohmann::json& body,
                              const std::string& token, header_list headers) {
  if (!body.is_null())
    headers.emplace_back("Content-Type", "application/json");
  if (!token.empty())
    headers.emplace_back("Authorization", "Bearer " + token);
  return http_call(port, method, target, body.is_null() ? "" : body.dump(),
                   headers);
}

nlohmann::json auth_fixture::body_of(const http_reply& reply) {
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << reply.body;
  return parsed;
}

std::string auth_fixture::sql_value(const std::string& sql) {
  pqxx::connection conn{db.conninfo()};
  pqxx::nontransaction tx{conn};
  auto row = tx.exec1(sql);
  return row[0].is_null() ? std::string{"NULL"} : row[0].as<std::string>();
}

bool auth_fixture::charge_failures(const std::string& key, int64_t cost,
                                   bool peek) {
  // Shared: a verdict arriving after a timed-out wait must find it alive.
  auto allowed = std::make_shared<std::promise<bool>>();
  actors::limits::limit_request request;
  request.key = key;
  request.rates = {{"login-failures", services->settings.login_max_failures,
                    services->settings.login_lockout}};
  request.cost = cost;
  request.peek = peek;
  request.done = [allowed](const actors::limits::verdict& v) {
    allowed->set_value(v.allowed);
  };
  auto answer = allowed->get_future();
  services->limiter->check(std::move(request));
  if (answer.wait_for(10s) != std::future_status::ready)
    throw std::runtime_error("no verdict from the limiter");
  return answer.get();
}

std::string auth_fixture::token_id(const std::string& token) const {
  auto claims = services->tokens->verify(token, net::auth::clock::now());
  if (!claims)
    throw std::runtime_error("token does not verify");
  return claims->jti;
}

} // namespace cdpd::test
