// POST /api/segments/preview, GET /api/segments/{id}/members and the
// saved-segment routes answered by segment actors (count, users, evaluate)
// through a real HTTP server, over real customer shards on the seeded
// database, compared with the SQL back end.

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/segments/customer_shard.hpp"
#include "actors/storage/db_actor.hpp"
#include "actors/supervision/errc.hpp"
#include "config/settings.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/segment_live_routes.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"
#include "storage/segments/definition.hpp"
#include "tests/integration/segments_live/issue_definitions.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace live = actors::segments;

/// An HTTP server with the live segment routes on a free port.
std::unique_ptr<net::http_server>
serve(caf::actor_system& sys,
      std::shared_ptr<const live::segment_region> region, uint16_t& port) {
  auto routes = std::make_shared<net::router>();
  net::api::add_segment_live_routes(*routes, sys, std::move(region));
  net::api::add_segment_routes(*routes, sys);
  config::http_settings settings;
  settings.address = "127.0.0.1";
  settings.port = 0;
  settings.io_threads = 2;
  auto server = std::make_unique<net::http_server>(settings, routes, nullptr);
  auto bound = server->start();
  if (!bound)
    throw std::runtime_error("http_server::start failed");
  port = *bound;
  return server;
}

class live_routes_test : public shard_tree_fixture {
protected:
  void SetUp() override {
    shard_tree_fixture::SetUp();
    actors::db_actor_options o;
    o.name = "pg-read";
    o.workers = 2;
    o.queue_timeout = 10s;
    reader = caf::actor_cast<caf::actor>(actors::spawn_db_actor(*sys, pool, o));
    sys->registry().put(caf::atom("pg-read"),
                        caf::actor_cast<caf::strong_actor_ptr>(reader));
    server =
        serve(*sys, std::make_shared<live::segment_region>(*sys, shards), port);
  }

  void TearDown() override {
    server->stop();
    server.reset();
    sys->registry().erase(caf::atom("pg-read"));
    caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
    reader = nullptr;
    shard_tree_fixture::TearDown();
  }

  /// Saves a segment directly in the database; returns its id.
  std::string save_segment(const std::string& definition) {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    auto id = tx.exec_params1("INSERT INTO segments (name, definition) "
                              "VALUES ('live', $1::jsonb) RETURNING id::text",
                              definition)[0]
                  .as<std::string>();
    tx.commit();
    return id;
  }

  /// Waits until segment `id`'s actor is ready (GET /api/segments/{id}
  /// shows a count); false after 30 s.
  bool wait_live(const std::string& id) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    auto live = [&] {
      auto reply = http_call(port, "GET", "/api/segments/" + id);
      return reply.status == 200 &&
             !json::parse(reply.body).at("count").is_null();
    };
    while (!live()) {
      if (std::chrono::steady_clock::now() >= deadline)
        return false;
      // The routes report no event to wait on.
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  caf::actor reader;
  std::unique_ptr<net::http_server> server;
  uint16_t port = 0;
};

std::vector<std::string> lines_of(const std::string& body) {
  std::vector<std::string> out;
  std::istringstream in{body};
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

TEST_F(live_routes_test, preview_answers_count_and_sample_without_saving) {
  pqxx::connection conn{seeded_db().conninfo()};
  auto segments_before =
      pqxx::work{conn}.exec1("SELECT count(*) FROM segments")[0].as<int>();
  for (const auto& d : issue_definitions()) {
    auto def = json::parse(d.json);
    auto expected =
        sql_answer(*definition_of(d.json), std::chrono::system_clock::now());
    for (const auto& body : {def, json{{"definition", def}}}) {
      auto reply = http_call(port, "POST", "/api/segments/preview", body.dump(),
                             {{"Content-Type", "application/json"}});
      ASSERT_EQ(reply.status, 200) << reply.body;
      auto answer = json::parse(reply.body);
      // Relative dates move with the clock; the seeded data has none near
      // a day boundary of the test's run, so counts agree.
      EXPECT_EQ(answer.at("count").get<std::uint64_t>(), expected.count)
          << d.name;
      std::vector<std::string> first(
          expected.ids.begin(),
          expected.ids.begin() +
              static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                  net::api::preview_sample_size, expected.ids.size())));
      EXPECT_EQ(answer.at("sample").get<std::vector<std::string>>(), first)
          << d.name;
    }
  }
  EXPECT_EQ(
      pqxx::work{conn}.exec1("SELECT count(*) FROM segments")[0].as<int>(),
      segments_before);
}

TEST_F(live_routes_test, preview_rejects_an_invalid_definition) {
  auto reply = http_call(
      port, "POST", "/api/segments/preview",
      R"({"logical_operator": "AND", "criteria": [{"field": "nope", "operator": "eq", "value": 1}]})",
      {{"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(http_call(port, "POST", "/api/segments/preview", "[1]").status,
            422);
}

TEST_F(live_routes_test, members_lists_every_member_as_ndjson_or_csv) {
  const auto& d = issue_definitions()[3];
  auto id = save_segment(d.json);
  auto expected =
      sql_answer(*definition_of(d.json), std::chrono::system_clock::now());
  ASSERT_GT(expected.count, 0u);

  auto ndjson = http_call(port, "GET", "/api/segments/" + id + "/members");
  ASSERT_EQ(ndjson.status, 200) << ndjson.body;
  EXPECT_EQ(ndjson.header("content-type"), "application/x-ndjson");
  EXPECT_EQ(ndjson.header("x-total-count"), std::to_string(expected.count));
  std::vector<std::string> ids;
  for (const auto& line : lines_of(ndjson.body))
    ids.push_back(json::parse(line).at("id").get<std::string>());
  EXPECT_EQ(ids, expected.ids);

  auto csv = http_call(port, "GET", "/api/segments/" + id + "/members", {},
                       {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  auto rows = lines_of(csv.body);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front(), "id");
  rows.erase(rows.begin());
  EXPECT_EQ(rows, expected.ids);
}

TEST_F(live_routes_test, members_stream_every_page_of_a_large_segment) {
  // Nearly every customer: several of the route's pages of 1,000 ids.
  auto definition = R"({"logical_operator": "OR", "criteria": [
      {"field": "marketing_opt_in", "operator": "eq", "value": true},
      {"field": "marketing_opt_in", "operator": "eq", "value": false},
      {"field": "total_order_value", "operator": "gte", "value": 0}]})";
  auto id = save_segment(definition);
  ASSERT_TRUE(wait_live(id));
  auto expected =
      sql_answer(*definition_of(definition), std::chrono::system_clock::now());
  ASSERT_GT(expected.count, 2'500u);

  auto ndjson =
      http_call(port, "GET", "/api/segments/" + id + "/members", {}, {}, 60s);
  ASSERT_EQ(ndjson.status, 200) << ndjson.body.substr(0, 500);
  EXPECT_EQ(ndjson.header("transfer-encoding"), "chunked");
  EXPECT_EQ(ndjson.header("content-type"), "application/x-ndjson");
  EXPECT_EQ(ndjson.header("x-total-count"), std::to_string(expected.count));
  std::vector<std::string> ids;
  for (const auto& line : lines_of(ndjson.body))
    ids.push_back(json::parse(line).at("id").get<std::string>());
  // SQL's set, each id once, in id order.
  EXPECT_EQ(ids.size(), expected.ids.size());
  EXPECT_EQ(ids, expected.ids);

  auto csv = http_call(port, "GET", "/api/segments/" + id + "/members", {},
                       {{"Accept", "text/csv"}}, 60s);
  ASSERT_EQ(csv.status, 200) << csv.body.substr(0, 500);
  EXPECT_EQ(csv.header("transfer-encoding"), "chunked");
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.header("x-total-count"), std::to_string(expected.count));
  auto rows = lines_of(csv.body);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front(), "id");
  rows.erase(rows.begin());
  EXPECT_EQ(rows.size(), expected.ids.size());
  EXPECT_EQ(rows, expected.ids);
}

TEST_F(live_routes_test, count_and_segment_come_from_the_segment_actor) {
  const auto& d = issue_definitions()[2];
  auto id = save_segment(d.json);
  auto segment_json = [&] {
    auto reply = http_call(port, "GET", "/api/segments/" + id);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body);
  };
  // The host sees the new segment within a poll; its actor then evaluates.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto got = segment_json();
  while (got.at("count").is_null() &&
         std::chrono::steady_clock::now() < deadline) {
    // The routes report no event to wait on.
    std::this_thread::sleep_for(20ms);
    got = segment_json();
  }
  ASSERT_FALSE(got.at("count").is_null()) << got.dump();
  auto expected =
      sql_answer(*definition_of(d.json), std::chrono::system_clock::now());
  EXPECT_EQ(got.at("count").get<std::uint64_t>(), expected.count);
  EXPECT_TRUE(got.at("updated_at").is_string()) << got.dump();
  EXPECT_TRUE(got.at("last_evaluated_at").is_string()) << got.dump();
  EXPECT_EQ(got.at("id"), id);

  auto count = http_call(port, "GET", "/api/segments/" + id + "/count");
  ASSERT_EQ(count.status, 200) << count.body;
  EXPECT_EQ(json::parse(count.body),
            (json{{"segment_id", id}, {"count", expected.count}}));

  // A customer that enters the segment shows in the count without a full
  // evaluation (the definition is not relative, so none is scheduled).
  auto evaluated = got.at("last_evaluated_at");
  // Unique per run: the seeded database is shared by repeated tests.
  auto probe_email = "count-route-probe-" + id + "@example.com";
  auto probe_id = save_segment(json{
      {"logical_operator", "AND"},
      {"criteria",
       json::array(
           {{{"field", "email"}, {"operator", "eq"}, {"value", probe_email}}})}}
                                   .dump());
  deadline = std::chrono::steady_clock::now() + 30s;
  auto probe_count = [&] {
    auto reply = http_call(port, "GET", "/api/segments/" + probe_id);
    return json::parse(reply.body).at("count");
  };
  while (probe_count().is_null() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  auto before = probe_count();
  ASSERT_FALSE(before.is_null());
  {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    tx.exec_params0("INSERT INTO customers (email, first_name, last_name) "
                    "VALUES ($1, 'C', 'R')",
                    probe_email);
    tx.commit();
  }
  auto after = before;
  while (after == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    after = probe_count();
  }
  EXPECT_EQ(after.get<std::uint64_t>(), before.get<std::uint64_t>() + 1);
  auto probe_reply = http_call(port, "GET", "/api/segments/" + probe_id);
  auto probe_json = json::parse(probe_reply.body);
  EXPECT_NE(probe_json.at("updated_at"), probe_json.at("last_evaluated_at"))
      << "the entry came as a delta";
  EXPECT_EQ(segment_json().at("last_evaluated_at"), evaluated);
}

/// The ids of a users or evaluate answer's `users`.
std::vector<std::string> user_ids(const json& answer) {
  std::vector<std::string> out;
  for (const auto& u : answer.at("users"))
    out.push_back(u.at("id").get<std::string>());
  return out;
}

TEST_F(live_routes_test, users_and_evaluate_come_from_the_segment_actor) {
  const auto& d = issue_definitions()[3];
  auto id = save_segment(d.json);
  ASSERT_TRUE(wait_live(id));
  auto def = definition_of(d.json);
  auto expected = sql_answer(*def, std::chrono::system_clock::now());
  constexpr std::size_t limit = 25;
  ASSERT_GT(expected.count, limit);
  // The actor's first members in id order, which (created_at, id) order
  // would not give.
  std::vector<std::string> first(expected.ids.begin(),
                                 expected.ids.begin() +
                                     static_cast<std::ptrdiff_t>(limit));
  auto query = "?limit=" + std::to_string(limit);

  auto users = http_call(port, "GET", "/api/segments/" + id + "/users" + query);
  ASSERT_EQ(users.status, 200) << users.body;
  auto u = json::parse(users.body);
  EXPECT_EQ(u.at("segment_id"), id);
  EXPECT_EQ(u.at("total_count").get<std::uint64_t>(), expected.count);
  EXPECT_EQ(user_ids(u), first);
  auto extra = storage::segments::first_extra_column(*def);
  ASSERT_TRUE(extra.has_value());
  auto extra_name = std::string{storage::segments::name(*extra)};
  EXPECT_EQ(u.at("columns"), (json{"name", "email", extra_name}));

  auto evaluate =
      http_call(port, "POST", "/api/segments/" + id + "/evaluate" + query);
  ASSERT_EQ(evaluate.status, 200) << evaluate.body;
  auto e = json::parse(evaluate.body);
  EXPECT_EQ(e.at("segment_id"), id);
  EXPECT_EQ(e.at("matching_users_count").get<std::uint64_t>(), expected.count);
  EXPECT_EQ(user_ids(e), first);

  // Every row is the customer's own, read by id.
  pqxx::connection conn{seeded_db().conninfo()};
  pqxx::work tx{conn};
  for (std::size_t i = 0;
       i < first.size() && i < u.at("users").size() && i < e.at("users").size();
       ++i) {
    auto row = tx.exec_params1(
        "SELECT email, first_name || ' ' || last_name, shipping_state"
        " FROM customers WHERE id = $1::uuid",
        first[i]);
    const auto& user = u.at("users")[i];
    EXPECT_EQ(user.at("email"), row[0].as<std::string>());
    EXPECT_EQ(user.at("name"), row[1].as<std::string>());
    EXPECT_EQ(user.at(extra_name), row[2].as<std::string>());
    const auto& record = e.at("users")[i];
    EXPECT_EQ(record.at("email"), row[0].as<std::string>());
    EXPECT_EQ(record.at("shipping_state"), row[2].as<std::string>());
    EXPECT_TRUE(record.at("created_at").is_string());
    EXPECT_TRUE(record.at("total_order_value").is_number());
  }
}

TEST_F(live_routes_test, users_and_evaluate_show_a_write_after_the_actor) {
  // Unique per run: the seeded database is shared by repeated tests.
  auto probe_email =
      "members-route-probe-" +
      std::to_string(
          std::chrono::system_clock::now().time_since_epoch().count()) +
      "@example.com";
  auto id = save_segment(json{
      {"logical_operator", "AND"},
      {"criteria",
       json::array(
           {{{"field", "email"}, {"operator", "eq"}, {"value", probe_email}},
            {{"field", "shipping_state"},
             {"operator", "eq"},
             {"value",
              "TX"}}})}}.dump());
  ASSERT_TRUE(wait_live(id));
  auto users = [&] {
    auto reply = http_call(port, "GET", "/api/segments/" + id + "/users");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body);
  };
  auto before = users();
  EXPECT_EQ(before.at("total_count"), 0);
  EXPECT_EQ(before.at("users"), json::array());

  std::string customer;
  {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    customer = tx.exec_params1("INSERT INTO customers (email, first_name, "
                               "last_name, shipping_state) VALUES ($1, 'M', "
                               "'R', 'TX') RETURNING id::text",
                               probe_email)[0]
                   .as<std::string>();
    tx.commit();
  }
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto after = users();
  while (after.at("total_count") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    after = users();
  }
  EXPECT_EQ(after.at("total_count"), 1);
  EXPECT_EQ(after.at("users"), (json::array({{{"id", customer},
                                              {"name", "M R"},
                                              {"email", probe_email},
                                              {"shipping_state", "TX"}}})));
  EXPECT_EQ(after.at("columns"), (json{"name", "email", "shipping_state"}));

  auto evaluate = http_call(port, "POST", "/api/segments/" + id + "/evaluate");
  ASSERT_EQ(evaluate.status, 200) << evaluate.body;
  auto e = json::parse(evaluate.body);
  EXPECT_EQ(e.at("matching_users_count"), 1);
  EXPECT_EQ(user_ids(e), std::vector<std::string>{customer});
}

TEST_F(live_routes_test, count_of_an_unknown_segment_is_404) {
  auto reply = http_call(
      port, "GET", "/api/segments/00000000-0000-4000-8000-000000000000/count");
  EXPECT_EQ(reply.status, 404) << reply.body;
}

TEST_F(live_routes_test, members_of_an_unknown_segment_is_404) {
  auto reply =
      http_call(port, "GET",
                "/api/segments/00000000-0000-4000-8000-000000000000/members");
  EXPECT_EQ(reply.status, 404) << reply.body;
}

TEST(live_routes_loading, a_loading_shard_gives_503_with_retry_after) {
  caf::actor_system_config cfg;
  actors::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  // A shard that cannot reach its database stays "loading".
  auto pool = make_read_pool("postgresql://postgres@127.0.0.1:" +
                             std::to_string(free_port()) + "/none");
  live::shard_options options;
  options.pool = pool;
  options.retry_delay = 50ms;
  auto shard = live::spawn_customer_shard(sys, options);
  sys.registry().put(caf::atom_from_string(live::shard_name(0)),
                     caf::actor_cast<caf::strong_actor_ptr>(shard));
  uint16_t port = 0;
  auto server =
      serve(sys, std::make_shared<live::segment_region>(sys, 1), port);
  auto started = std::chrono::steady_clock::now();
  auto reply = http_call(port, "POST", "/api/segments/preview",
                         issue_definitions()[0].json,
                         {{"Content-Type", "application/json"}});
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_TRUE(reply.has_header("retry-after"));
  server->stop();
  sys.registry().erase(caf::atom_from_string(live::shard_name(0)));
  caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
  pool->close();
}

} // namespace
} // namespace cdpd::test
