#include "tests/integration/api/api_fixture.hpp"

#include <regex>
#include <stdexcept>

#include <pqxx/pqxx>

#include "actors/storage/db_actor.hpp"
#include "net/api/admin_routes.hpp"
#include "net/api/ai_routes.hpp"
#include "net/api/api_routes.hpp"
#include "net/api/message_link_routes.hpp"
#include "storage/migrations.hpp"

namespace cdpd::test {

namespace {

using namespace std::chrono_literals;

std::shared_ptr<storage::pg_pool> make_pool(const std::string& url,
                                            const char* name) {
  storage::pg_pool_options o;
  o.name = name;
  o.url = url;
  o.size = 8;
  o.acquire_timeout = 10s;
  o.statement_timeout = 30s;
  o.connect_timeout = 5s;
  return std::make_shared<storage::pg_pool>(o, nullptr);
}

caf::actor spawn_db(caf::actor_system& sys,
                    std::shared_ptr<storage::pg_pool> pool, const char* name) {
  actors::db_actor_options o;
  o.name = name;
  o.workers = 8;
  o.queue_timeout = 10s;
  return caf::actor_cast<caf::actor>(
      actors::spawn_db_actor(sys, std::move(pool), o));
}

} // namespace

api_fixture::api_fixture() : api_fixture(guard_factory{}) {}

api_fixture::api_fixture(guard_factory make_guard)
    : api_fixture(std::move(make_guard), config::ai_settings{}, false) {}

api_fixture::api_fixture(guard_factory make_guard, config::ai_settings ai,
                         bool admin) {
  {
    pqxx::connection conn{db.conninfo()};
    auto migrated = storage::migrate(conn, storage::embedded_migrations());
    if (!migrated)
      throw std::runtime_error("migrate: " +
                               storage::describe(migrated.error()));
  }
  sys = std::make_unique<caf::actor_system>(cfg);
  write_actor = spawn_db(*sys, make_pool(db.url(), "write"), "pg-write");
  read_actor = spawn_db(*sys, make_pool(db.url(), "read"), "pg-read");
  sys->registry().put(caf::atom("pg-write"),
                      caf::actor_cast<caf::strong_actor_ptr>(write_actor));
  sys->registry().put(caf::atom("pg-read"),
                      caf::actor_cast<caf::strong_actor_ptr>(read_actor));
  routes =
      std::make_shared<net::router>(make_guard ? make_guard(*sys) : nullptr);
  // Small batches and error lists, so imports in tests cross both limits.
  config::import_settings import;
  import.batch_lines = 50;
  import.max_errors = 5;
  net::add_api_routes(*routes, *sys, import);
  net::api::add_ai_routes(*routes, *sys, ai);
  net::add_message_link_routes(*routes, *sys, links);
  if (make_guard || admin)
    net::add_admin_routes(*routes, *sys, {});
  config::http_settings settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  settings.io_threads = 4;
  server = std::make_unique<net::http_server>(settings, routes, nullptr);
  auto bound = server->start();
  if (!bound)
    throw std::runtime_error("http_server::start: " +
                             caf::to_string(bound.error()));
  port = *bound;
}

api_fixture::~api_fixture() {
  server->stop();
  server.reset();
  sys->registry().erase(caf::atom("pg-write"));
  sys->registry().erase(caf::atom("pg-read"));
  caf::anon_send_exit(write_actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(read_actor, caf::exit_reason::user_shutdown);
  write_actor = nullptr;
  read_actor = nullptr;
  sys.reset();
}

http_reply api_fixture::call(const std::string& method,
                             const std::string& target,
                             const std::string& body) {
  header_list headers;
  if (!body.empty())
    headers.emplace_back("Content-Type", "application/json");
  return http_call(port, method, target, body, headers);
}

nlohmann::json api_fixture::call_json(const std::string& method,
                                      const std::string& target,
                                      const nlohmann::json& body,
                                      int expected_status) {
  auto reply = call(method, target, body.is_null() ? "" : body.dump());
  EXPECT_EQ(reply.status, expected_status)
      << method << " " << target << ": " << reply.body;
  return body_of(reply);
}

nlohmann::json api_fixture::body_of(const http_reply& reply) {
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << reply.body;
  return parsed;
}

nlohmann::json api_fixture::make_user(const std::string& email) {
  return call_json("POST", "/api/users/",
                   {{"email", email},
                    {"first_name", "Ada"},
                    {"last_name", "Lovelace"},
                    {"phone", ""},
                    {"shipping_state", "CA"},
                    {"shipping_country", "US"},
                    {"marketing_opt_in", true}},
                   200);
}

std::string api_fixture::make_segment(const std::string& name) {
  pqxx::connection conn{db.conninfo()};
  pqxx::work tx{conn};
  auto id = tx.exec_params1("INSERT INTO segments (name) VALUES ($1)"
                            " RETURNING id::text",
                            name)[0]
                .as<std::string>();
  tx.commit();
  return id;
}

nlohmann::json api_fixture::make_product(const std::string& name,
                                         double price) {
  return call_json("POST", "/api/products/",
                   {{"name", name},
                    {"category", "Electronics"},
                    {"brand", "Brand-1"},
                    {"price", price}},
                   200);
}

std::string api_fixture::sql_value(const std::string& sql) {
  pqxx::connection conn{db.conninfo()};
  pqxx::nontransaction tx{conn};
  auto row = tx.exec1(sql);
  return row[0].is_null() ? std::string{"NULL"} : row[0].as<std::string>();
}

bool looks_like_uuid(const std::string& text) {
  static const std::regex re{
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"};
  return std::regex_match(text, re);
}

bool looks_like_naive_iso(const std::string& text) {
  static const std::regex re{
      "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$"};
  return std::regex_match(text, re);
}

} // namespace cdpd::test
