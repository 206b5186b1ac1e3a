// Webhook delivery speed: events delivered per second by the real workers
// (two threads, one endpoint, as a node with webhooks.workers = 2 runs
// them) to webhook_receiver.py on loopback, beside what the receiver takes
// from two senders posting as fast as they can in the same run, and the
// latency from an event's commit to its receipt (p50, p99) at a steady
// trickle. Needs CDPD_TEST_PG; prints figures, never fails on time.
//   webhook_bench [events]      (default 2000)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <thread>

#include <pqxx/pqxx>

#include "actors/domain/webhook_work.hpp"
#include "actors/webhooks/webhook_post.hpp"
#include "actors/webhooks/webhook_signature.hpp"
#include "actors/webhooks/webhook_worker.hpp"
#include "storage/migrations.hpp"
#include "storage/repositories/webhook_repository.hpp"
#include "tests/integration/webhooks/receiver_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::size_t receipts_on(const test::webhook_receiver& r,
                        const std::string& path) {
  std::size_t n = 0;
  for (const auto& x : r.receipts())
    if (x.path == path && x.event == "deliver")
      ++n;
  return n;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

} // namespace

int main(int argc, char** argv) {
  int events = argc > 1 ? std::atoi(argv[1]) : 2000;
  test::pg_test_db db;
  {
    pqxx::connection conn{db.conninfo()};
    auto migrated = storage::migrate(conn, storage::embedded_migrations());
    if (!migrated) {
      std::fprintf(stderr, "migrate: %s\n",
                   storage::describe(migrated.error()).c_str());
      return 1;
    }
  }
  storage::pg_pool_options po;
  po.url = db.url();
  po.size = 4;
  auto pool = std::make_shared<storage::pg_pool>(po, nullptr);
  test::scratch_dir dir;
  test::webhook_receiver receiver{test::free_port(), dir.path()};
  receiver.start();
  auto secret = actors::domain::make_webhook_secret();
  receiver.add_secret("/bench", secret);
  receiver.add_secret("/capacity", secret);
  storage::webhook_fields f;
  f.url = receiver.url("/bench");
  auto made = pool->run([&](pqxx::connection& c) {
    return storage::create_webhook(c, f, secret);
  });
  if (!made) {
    std::fprintf(stderr, "endpoint: %s\n",
                 storage::describe(made.error()).c_str());
    return 1;
  }

  // The receiver's own capacity: two senders on the workers' libcurl path,
  // signed messages, 3 s.
  std::atomic<int64_t> posted{0};
  {
    auto start = clock_type::now();
    std::vector<std::thread> senders;
    for (int t = 0; t < 2; ++t)
      senders.emplace_back([&, t] {
        std::string body = R"({"type":"capacity"})";
        for (int i = 0; seconds_since(start) < 3.0; ++i) {
          auto id = "cap-" + std::to_string(t) + "-" + std::to_string(i);
          auto ts = static_cast<int64_t>(std::time(nullptr));
          auto r = actors::webhooks::post_webhook(
              receiver.url("/capacity"),
              {{"Content-Type", "application/json"},
               {"webhook-id", id},
               {"webhook-timestamp", std::to_string(ts)},
               {"webhook-signature",
                actors::webhooks::sign_webhook(secret, id, ts, body)}},
              body, 10s, true);
          if (r.status == 200)
            ++posted;
        }
      });
    for (auto& s : senders)
      s.join();
    std::printf("receiver capacity: %.0f requests/s (2 senders, %lld in "
                "%.1f s)\n",
                static_cast<double>(posted) / seconds_since(start),
                static_cast<long long>(posted.load()), seconds_since(start));
  }

  auto options = [&](int i) {
    actors::webhooks::webhook_worker_options o;
    o.name = o.owner = "bench-" + std::to_string(i);
    o.pool = pool;
    o.allow_private = true;
    o.poll_interval = 20ms;
    o.batch_size = 50;
    return o;
  };
  std::atomic<bool> stop{false};
  auto run_workers = [&] {
    std::vector<std::thread> workers;
    for (int i = 0; i < 2; ++i)
      workers.emplace_back([&, i] {
        auto o = options(i);
        while (!stop) {
          auto round = actors::webhooks::run_webhook_round(o);
          if (round.claimed == 0 && round.fanned_out == 0)
            std::this_thread::sleep_for(o.poll_interval);
        }
      });
    return workers;
  };

  // Throughput: a backlog of `events` committed at once, then the workers.
  {
    pqxx::connection conn{db.conninfo()};
    pqxx::work tx{conn};
    tx.exec_params0("INSERT INTO segments (name) SELECT 'bench ' || g"
                    " FROM generate_series(1, $1) g",
                    events);
    tx.commit();
  }
  auto start = clock_type::now();
  auto workers = run_workers();
  test::wait_until(
      [&] {
        return receipts_on(receiver, "/bench") >=
               static_cast<std::size_t>(events);
      },
      600s);
  auto took = seconds_since(start);
  std::printf("webhooks delivered: %.0f events/s (%d events, 1 endpoint, 2 "
              "workers, %.1f s)\n",
              events / took, events, took);

  // Latency: one event per 10 ms, each its own transaction, for 3 s.
  std::map<std::string, double> committed; // event id -> commit time
  {
    pqxx::connection conn{db.conninfo()};
    auto until = clock_type::now() + 3s;
    for (int i = 0; clock_type::now() < until; ++i) {
      pqxx::work tx{conn};
      tx.exec_params0("INSERT INTO segments (name) VALUES ($1)",
                      "trickle " + std::to_string(i));
      auto id = tx.exec1("SELECT id FROM events ORDER BY seq DESC LIMIT 1")[0]
                    .as<std::string>();
      tx.commit();
      committed[id] = std::chrono::duration<double>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      std::this_thread::sleep_for(10ms);
    }
  }
  test::wait_until(
      [&] {
        return receipts_on(receiver, "/bench") >=
               static_cast<std::size_t>(events) + committed.size();
      },
      120s);
  stop = true;
  for (auto& w : workers)
    w.join();
  std::vector<double> latencies;
  for (const auto& r : receiver.receipts()) {
    auto it = committed.find(r.id);
    if (r.path == "/bench" && r.event == "deliver" && it != committed.end())
      latencies.push_back((r.received_at - it->second) * 1000.0);
  }
  std::printf("commit to receipt: p50 %.1f ms, p99 %.1f ms (%zu events at "
              "100/s, webhooks.poll-interval 20 ms)\n",
              percentile(latencies, 0.5), percentile(latencies, 0.99),
              latencies.size());
  return 0;
}
