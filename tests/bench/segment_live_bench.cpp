// Live segments benchmark: the five definitions of the live-segments
// design evaluated by the customer shards (fan-out and merge included) and
// by PostgreSQL, in the same run on the same data, with the ratio; plus
// the shards' load time and memory per customer; and the latency from an
// order write being committed to the shards' count reflecting it, asked
// both as a full evaluation and from a saved segment's actor. Prints
// figures; never fails on time.
//
// Usage: segment_live_bench [customers=100000] [shards=16]
// Orders are 5 per customer, as in `cdpd seed` figures of the design.
// The database is a fresh one on the test PostgreSQL (CDPD_TEST_PG),
// dropped at exit.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/atoms.hpp"
#include "actors/segments/segment_host.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/segments/shard_tree.hpp"
#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_pool.hpp"
#include "storage/seed/demo_data.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/segments_live/issue_definitions.hpp"
#include "tests/support/pg_test_db.hpp"

namespace {

using namespace std::chrono_literals;
namespace live = cdpd::actors::segments;
namespace seg = cdpd::storage::segments;
using steady = std::chrono::steady_clock;

constexpr int rounds = 5;

double ms_since(steady::time_point t) {
  return std::chrono::duration<double, std::milli>(steady::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

caf::expected<live::region_answer>
ask(const live::segment_region& region,
    std::shared_ptr<const seg::segment_definition> def,
    std::chrono::system_clock::time_point now) {
  std::promise<caf::expected<live::region_answer>> done;
  auto answer = done.get_future();
  region.evaluate(live::shard_definition{{}, std::move(def)}, now, 0,
                  [&done](caf::expected<live::region_answer> a) {
                    done.set_value(std::move(a));
                  });
  return answer.get();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

/// Write-to-count latency: each write commits an order that makes one more
/// customer match a definition; the count is then asked in a tight loop
/// (as a caller of the region would) until it shows the write. Returns
/// non-zero when a write never shows (after 10 s).
int latency(pqxx::connection& conn, const live::segment_region& region,
            caf::actor_system& sys) {
  constexpr int writes = 200;
  auto parsed = seg::parse_definition(nlohmann::json::parse(
      R"({"logical_operator": "AND", "criteria": [
          {"event": "order", "aggregate": "count",
           "where": {"channel": "latency-probe"},
           "operator": "gte", "value": 1}]})"));
  auto def = std::make_shared<const seg::segment_definition>(
      std::move(*parsed.definition));
  std::vector<std::string> customers;
  {
    pqxx::work tx{conn};
    for (const auto& r :
         tx.exec("SELECT id::text FROM customers ORDER BY random() LIMIT " +
                 std::to_string(writes)))
      customers.push_back(r[0].as<std::string>());
    tx.commit();
  }
  auto base = ask(region, def, std::chrono::system_clock::now());
  if (!base) {
    std::printf("latency: %s\n", sys.render(base.error()).c_str());
    return 1;
  }
  std::vector<double> waits;
  std::uint64_t expected = base->count;
  for (const auto& id : customers) {
    pqxx::work tx{conn};
    tx.exec_params0("INSERT INTO orders (customer_id, order_date, "
                    "order_status, total_amount, channel) VALUES ($1::uuid, "
                    "now() AT TIME ZONE 'utc', 'completed', 10, "
                    "'latency-probe')",
                    id);
    tx.commit();
    auto written = steady::now();
    ++expected;
    for (;;) {
      auto a = ask(region, def, std::chrono::system_clock::now());
      if (a && a->count >= expected)
        break;
      if (ms_since(written) > 10'000) {
        std::printf("latency: a write did not show within 10 s\n");
        return 1;
      }
    }
    waits.push_back(ms_since(written));
  }
  std::printf("\nwrite-to-count latency over %d order writes: p50 %.2f ms, "
              "p99 %.2f ms, max %.2f ms (commit acknowledged -> the region's "
              "count shows it)\n",
              writes, percentile(waits, 0.5), percentile(waits, 0.99),
              percentile(waits, 1.0));
  return 0;
}

/// The count the segment actor of saved segment `id` holds; nothing while
/// it is not ready or does not answer.
std::optional<std::uint64_t> actor_count(caf::actor_system& sys,
                                         const std::string& id) {
  auto host = caf::actor_cast<caf::actor>(
      sys.registry().get(caf::atom_from_string(live::host_name())));
  if (!host)
    return std::nullopt;
  std::optional<std::uint64_t> out;
  caf::scoped_actor self{sys};
  self->request(host, 10s, live::segment_count_atom::value, id)
      .receive(
          [&](bool ready, std::uint64_t count, std::int64_t, std::int64_t) {
            if (ready)
              out = count;
          },
          [](caf::error&) {});
  return out;
}

/// Write-to-count latency through a saved segment's actor: the shards'
/// deltas keep its count current, so the count is read from it, not
/// evaluated. Returns non-zero when a write never shows (after 10 s).
int actor_latency(pqxx::connection& conn, caf::actor_system& sys) {
  constexpr int writes = 200;
  std::string id;
  std::vector<std::string> customers;
  {
    pqxx::work tx{conn};
    id = tx.exec1(R"(INSERT INTO segments (name, definition) VALUES
        ('latency probe', '{"logical_operator": "AND", "criteria": [
          {"event": "order", "aggregate": "count",
           "where": {"channel": "latency-probe-2"},
           "operator": "gte", "value": 1}]}'::jsonb) RETURNING id::text)")[0]
             .as<std::string>();
    for (const auto& r :
         tx.exec("SELECT id::text FROM customers ORDER BY random() LIMIT " +
                 std::to_string(writes)))
      customers.push_back(r[0].as<std::string>());
    tx.commit();
  }
  auto started = steady::now();
  auto base = actor_count(sys, id);
  while (!base && ms_since(started) < 60'000) {
    std::this_thread::sleep_for(10ms);
    base = actor_count(sys, id);
  }
  if (!base) {
    std::printf("actor latency: the segment actor never got ready\n");
    return 1;
  }
  std::printf("\nsegment actor ready %.0f ms after the segment was saved\n",
              ms_since(started));
  std::vector<double> waits;
  std::uint64_t expected = *base;
  for (const auto& customer : customers) {
    pqxx::work tx{conn};
    tx.exec_params0("INSERT INTO orders (customer_id, order_date, "
                    "order_status, total_amount, channel) VALUES ($1::uuid, "
                    "now() AT TIME ZONE 'utc', 'completed', 10, "
                    "'latency-probe-2')",
                    customer);
    tx.commit();
    auto written = steady::now();
    ++expected;
    for (;;) {
      auto c = actor_count(sys, id);
      if (c && *c >= expected)
        break;
      if (ms_since(written) > 10'000) {
        std::printf("actor latency: a write did not show within 10 s\n");
        return 1;
      }
    }
    waits.push_back(ms_since(written));
  }
  std::printf("write-to-count latency through the segment actor over %d "
              "order writes: p50 %.2f ms, p99 %.2f ms, max %.2f ms (commit "
              "acknowledged -> the actor's count shows it)\n",
              writes, percentile(waits, 0.5), percentile(waits, 0.99),
              percentile(waits, 1.0));
  return 0;
}

int run(std::int64_t customers, std::uint32_t shards) {
  cdpd::test::pg_test_db db;
  pqxx::connection conn{db.conninfo()};
  auto migrated =
      cdpd::storage::migrate(conn, cdpd::storage::embedded_migrations());
  if (!migrated) {
    std::printf("migrate: %s\n",
                cdpd::storage::describe(migrated.error()).c_str());
    return 1;
  }
  cdpd::storage::seed::seed_options options;
  options.customers = customers;
  options.orders = customers * 5;
  options.products = 200;
  auto seed_started = steady::now();
  auto seeded = cdpd::storage::seed::seed_demo_data(conn, options, {});
  if (!seeded) {
    std::printf("seed: %s\n", cdpd::storage::describe(seeded.error()).c_str());
    return 1;
  }
  std::printf("seeded %lld customers, %lld orders in %.1f s\n",
              static_cast<long long>(seeded->customers),
              static_cast<long long>(seeded->orders),
              ms_since(seed_started) / 1000);

  caf::actor_system_config cfg;
  cdpd::actors::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  cdpd::storage::pg_pool_options pool_options;
  pool_options.name = "read";
  pool_options.url = db.url();
  pool_options.size = 4;
  pool_options.acquire_timeout = 600s;
  auto pool = std::make_shared<cdpd::storage::pg_pool>(pool_options, nullptr);
  live::shard_tree_options tree_options;
  tree_options.shards = shards;
  tree_options.pool = pool;
  auto load_started = steady::now();
  auto tree =
      cdpd::actors::spawn_supervisor(sys, live::shard_tree_spec(tree_options));
  live::segment_region region{sys, shards, {}, 600s};

  // Wait for every shard to load.
  std::uint64_t bytes = 0;
  std::uint64_t held = 0;
  {
    caf::scoped_actor self{sys};
    for (std::uint32_t i = 0; i < shards; ++i) {
      for (;;) {
        live::shard_status status;
        if (auto shard = region.shard(i))
          self->request(shard, 10s, live::shard_status_atom::value)
              .receive([&](live::shard_status& s) { status = s; },
                       [](caf::error&) {});
        if (status.ready) {
          bytes += status.bytes;
          held += status.customers;
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
    }
  }
  std::printf(
      "%u shards loaded %llu customers in %.0f ms (one shared "
      "pass); %.0f bytes per customer (orders included)\n",
      shards, static_cast<unsigned long long>(held), ms_since(load_started),
      held ? static_cast<double>(bytes) / static_cast<double>(held) : 0.0);

  std::printf("\n%-34s %10s %12s %12s %9s\n", "definition", "count",
              "memory ms", "sql ms", "ratio");
  int status = 0;
  for (const auto& d : cdpd::test::issue_definitions()) {
    auto parsed = seg::parse_definition(nlohmann::json::parse(d.json));
    auto def = std::make_shared<const seg::segment_definition>(
        std::move(*parsed.definition));
    auto now = std::chrono::system_clock::now();
    std::vector<double> memory, sql;
    std::uint64_t count = 0;
    std::int64_t sql_count = 0;
    for (int r = 0; r < rounds; ++r) {
      auto t = steady::now();
      auto a = ask(region, def, now);
      memory.push_back(ms_since(t));
      if (!a) {
        std::printf("%s: %s\n", d.name, sys.render(a.error()).c_str());
        status = 1;
        break;
      }
      count = a->count;
    }
    for (int r = 0; r < rounds; ++r) {
      auto t = steady::now();
      auto c = seg::count_members(conn, *def, now);
      sql.push_back(ms_since(t));
      if (c)
        sql_count = *c;
    }
    if (memory.size() < rounds)
      continue;
    auto m = median(memory);
    auto s = median(sql);
    std::printf("%-34s %10llu %12.2f %12.2f %8.1fx%s\n", d.name,
                static_cast<unsigned long long>(count), m, s, s / m,
                static_cast<std::int64_t>(count) == sql_count
                    ? ""
                    : "  (COUNT DIFFERS FROM SQL)");
  }
  std::printf("\n(medians of %d runs; memory = fan-out to %u shards, "
              "evaluate, merge)\n",
              rounds, shards);
  if (latency(conn, region, sys) != 0)
    status = 1;
  if (actor_latency(conn, sys) != 0)
    status = 1;

  caf::scoped_actor self{sys};
  self->request(tree, 60s, cdpd::actors::shutdown_atom::value)
      .receive([] {}, [](caf::error&) {});
  self->send_exit(tree, caf::exit_reason::kill);
  pool->close();
  return status;
}

} // namespace

int main(int argc, char** argv) {
  std::int64_t customers = argc > 1 ? std::atoll(argv[1]) : 100'000;
  auto shards = static_cast<std::uint32_t>(argc > 2 ? std::atoi(argv[2]) : 16);
  if (customers <= 0 || shards == 0) {
    std::printf("usage: segment_live_bench [customers>0] [shards>0]\n");
    return 2;
  }
  try {
    return run(customers, shards);
  } catch (const std::exception& e) {
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
