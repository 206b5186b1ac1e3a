#include "tests/integration/segments_live/live_fixture.hpp"

#include <algorithm>
#include <future>
#include <limits>
#include <stdexcept>
#include <thread>

#include <pqxx/pqxx>

#include "actors/atoms.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/segments/shard_tree.hpp"
#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/seed/demo_data.hpp"
#include "storage/seed/seed_segments.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/segments_live/issue_definitions.hpp"

namespace cdpd::test {

namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;
namespace seg = storage::segments;

/// Migrates and seeds a fresh database once per process.
std::unique_ptr<pg_test_db> make_seeded() {
  auto db = std::make_unique<pg_test_db>();
  pqxx::connection conn{db->conninfo()};
  auto migrated = storage::migrate(conn, storage::embedded_migrations());
  if (!migrated)
    throw std::runtime_error("migrate: " + storage::describe(migrated.error()));
  storage::seed::seed_options options;
  options.customers = 4000;
  options.orders = 12000;
  options.products = 40;
  options.random_seed = 5;
  auto seeded = storage::seed::seed_demo_data(conn, options, {});
  if (!seeded)
    throw std::runtime_error("seed: " + storage::describe(seeded.error()));
  // Edge rows the generator does not make: nulls and empty strings.
  pqxx::work tx{conn};
  tx.exec0("INSERT INTO customers (email, first_name, last_name, phone, "
           "shipping_state, shipping_country, marketing_opt_in) VALUES "
           "('edge1@example.com', '', 'Ng', NULL, NULL, NULL, false), "
           "('edge2@example.com', 'Zoë', '', '', '', 'us', true)");
  tx.commit();
  return db;
}

} // namespace

const pg_test_db& seeded_db() {
  static std::unique_ptr<pg_test_db> db = make_seeded();
  return *db;
}

std::shared_ptr<storage::pg_pool> make_read_pool(const std::string& url) {
  storage::pg_pool_options o;
  o.name = "read";
  o.url = url;
  o.size = 4;
  o.acquire_timeout = 10s;
  o.statement_timeout = 60s;
  o.connect_timeout = 5s;
  return std::make_shared<storage::pg_pool>(o, nullptr);
}

std::shared_ptr<const seg::segment_definition>
definition_of(const std::string& json) {
  auto parsed = seg::parse_definition(nlohmann::json::parse(json));
  EXPECT_TRUE(parsed.ok()) << json;
  if (!parsed.ok())
    return std::make_shared<const seg::segment_definition>();
  return std::make_shared<const seg::segment_definition>(
      std::move(*parsed.definition));
}

std::vector<std::string> all_definitions() {
  std::vector<std::string> out;
  for (const auto& d : issue_definitions())
    out.emplace_back(d.json);
  for (const auto& s : storage::seed::seed_segments())
    out.emplace_back(s.definition);
  out.emplace_back(
      R"({"logical_operator": "NOT", "criteria": [
          {"field": "email", "operator": "contains", "value": "1"}]})");
  out.emplace_back(
      R"({"logical_operator": "AND", "criteria": [
          {"field": "created_at", "operator": "within_last_days", "value": 200},
          {"field": "average_order_value", "operator": "gt", "value": 150}]})");
  out.emplace_back(
      R"({"logical_operator": "OR", "criteria": [
          {"field": "phone", "operator": "missing"},
          {"field": "first_name", "operator": "starts_with", "value": "zo"},
          {"field": "lifetime_value", "operator": "between",
           "value": [100, 300]}]})");
  out.emplace_back(
      R"({"logical_operator": "AND", "criteria": [
          {"event": "order", "aggregate": "sum",
           "where": {"status": "delivered", "channel": ["web", "mobile"]},
           "operator": "gte", "value": 400}]})");
  return out;
}

live::region_answer sql_answer(const seg::segment_definition& def,
                               std::chrono::system_clock::time_point now) {
  return sql_answer(seeded_db().conninfo(), def, now);
}

live::region_answer sql_answer(const std::string& conninfo,
                               const seg::segment_definition& def,
                               std::chrono::system_clock::time_point now) {
  pqxx::connection conn{conninfo};
  live::region_answer out;
  auto count = seg::count_members(conn, def, now);
  EXPECT_TRUE(count) << storage::describe(count.error());
  auto ids = seg::member_ids(conn, def, now,
                             {std::numeric_limits<std::int64_t>::max(), 0});
  EXPECT_TRUE(ids) << storage::describe(ids.error());
  if (!count || !ids)
    return out;
  out.count = static_cast<std::uint64_t>(*count);
  out.ids = std::move(*ids);
  std::sort(out.ids.begin(), out.ids.end());
  return out;
}

caf::expected<live::region_answer>
ask(const live::segment_region& region,
    std::shared_ptr<const seg::segment_definition> def,
    std::chrono::system_clock::time_point now, std::size_t max_ids,
    std::chrono::seconds wait) {
  return ask(region, live::shard_definition{{}, std::move(def)}, now, max_ids,
             wait);
}

caf::expected<live::region_answer>
ask(const live::segment_region& region, live::shard_definition def,
    std::chrono::system_clock::time_point now, std::size_t max_ids,
    std::chrono::seconds wait) {
  auto done =
      std::make_shared<std::promise<caf::expected<live::region_answer>>>();
  auto answer = done->get_future();
  region.evaluate(std::move(def), now, max_ids,
                  [done](caf::expected<live::region_answer> a) {
                    done->set_value(std::move(a));
                  });
  if (answer.wait_for(wait) != std::future_status::ready)
    return caf::make_error(caf::sec::request_timeout, "no answer in time");
  return answer.get();
}

void shard_tree_fixture::SetUp() {
  actors::add_error_renderer(cfg);
  sys = std::make_unique<caf::actor_system>(cfg);
  pool = make_read_pool(database_url());
  started_.resize(shards);
  live::shard_tree_options options;
  options.shards = shards;
  options.pool = pool;
  options.shard_policy.backoff.min = 10ms;
  options.shard_policy.backoff.max = 100ms;
  adjust(options);
  auto spec = live::shard_tree_spec(options);
  for (auto& child : spec.children)
    for (std::uint32_t i = 0; i < shards; ++i) {
      if (child.name != live::shard_name(i))
        continue;
      auto start = child.start;
      child.start = [this, i, start](caf::actor_system& s) {
        auto actor = start(s);
        std::lock_guard<std::mutex> lock{mutex_};
        started_[i].push_back(actor);
        return actor;
      };
    }
  tree = actors::spawn_supervisor(*sys, std::move(spec));
  region = std::make_unique<live::segment_region>(*sys, shards);
  wait_ready();
}

void shard_tree_fixture::TearDown() {
  if (!sys)
    return; // a derived SetUp failed before the subtree started
  {
    caf::scoped_actor self{*sys};
    self->request(tree, 30s, actors::shutdown_atom::value)
        .receive([] {}, [](caf::error&) {});
    self->send_exit(tree, caf::exit_reason::kill);
  }
  region.reset();
  pool->close();
  {
    std::lock_guard<std::mutex> lock{mutex_};
    started_.clear();
  }
  sys.reset();
}

std::string shard_tree_fixture::database_url() const {
  return seeded_db().url();
}

void shard_tree_fixture::adjust(live::shard_tree_options&) {}

void shard_tree_fixture::wait_ready() {
  wait_for_shards(false);
}

void shard_tree_fixture::wait_caught_up() {
  wait_for_shards(true);
}

void shard_tree_fixture::wait_for_shards(bool caught_up) {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  caf::scoped_actor self{*sys};
  for (std::uint32_t i = 0; i < shards; ++i) {
    for (;;) {
      bool ready = false;
      auto shard = region->shard(i);
      if (shard)
        self->request(shard, 5s, live::shard_status_atom::value)
            .receive(
                [&](live::shard_status& s) {
                  ready = s.ready && (!caught_up || s.caught_up);
                },
                [](caf::error&) {});
      if (ready)
        break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "shard " << i << " did not load in time";
      // The shard reports no event to wait on; poll it briefly.
      std::this_thread::sleep_for(20ms);
    }
  }
}

std::vector<caf::actor> shard_tree_fixture::incarnations(std::uint32_t i) {
  std::lock_guard<std::mutex> lock{mutex_};
  return started_.at(i);
}

} // namespace cdpd::test
