// Webhook workers against a real PostgreSQL and webhook_receiver.py on
// loopback, which checks every signature with Python's hmac: signed
// deliveries, tampered and stale requests refused by the receiver, order
// per endpoint and at-least-once under failures and stalls with several
// workers, 4xx and redirects failing without being followed, giving up
// after retry-for, disabling after disable-after, and the SSRF check at
// send time.
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/domain/webhook_work.hpp"
#include "actors/webhooks/webhook_signature.hpp"
#include "actors/webhooks/webhook_worker.hpp"
#include "storage/migrations.hpp"
#include "storage/repositories/webhook_delivery_repository.hpp"
#include "storage/repositories/webhook_repository.hpp"
#include "tests/integration/webhooks/receiver_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd;
using namespace cdpd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

class webhook_worker_test : public ::testing::Test {
protected:
  webhook_worker_test() {
    pqxx::connection conn{db.conninfo()};
    auto migrated = storage::migrate(conn, storage::embedded_migrations());
    if (!migrated)
      throw std::runtime_error(storage::describe(migrated.error()));
    storage::pg_pool_options o;
    o.url = db.url();
    o.size = 8;
    o.acquire_timeout = 10s;
    pool = std::make_shared<storage::pg_pool>(o, nullptr);
  }

  /// An endpoint on the receiver's `path`, its secret given to the
  /// receiver; returns its id.
  std::string add_endpoint(webhook_receiver& receiver,
                           const std::string& path) {
    storage::webhook_fields f;
    f.url = receiver.url(path);
    auto secret = actors::domain::make_webhook_secret();
    auto made = pool->run([&](pqxx::connection& c) {
      return storage::create_webhook(c, f, secret);
    });
    if (!made)
      throw std::runtime_error(storage::describe(made.error()));
    receiver.add_secret(path, secret);
    secrets[path] = secret;
    return made->id;
  }

  /// Creates `n` segments, one transaction each; returns their events' ids
  /// in event order.
  std::vector<std::string> make_events(int n) {
    pqxx::connection conn{db.conninfo()};
    for (int i = 0; i < n; ++i) {
      pqxx::work tx{conn};
      tx.exec_params0("INSERT INTO segments (name) VALUES ($1)",
                      "segment " + std::to_string(i));
      tx.commit();
    }
    pqxx::work tx{conn};
    std::vector<std::string> ids;
    for (const auto& row :
         tx.exec("SELECT id FROM events WHERE type = 'segment.created'"
                 " ORDER BY seq"))
      ids.push_back(row[0].as<std::string>());
    return ids;
  }

  actors::webhooks::webhook_worker_options options(const std::string& owner) {
    actors::webhooks::webhook_worker_options o;
    o.name = owner;
    o.owner = owner;
    o.pool = pool;
    o.timeout = 1'000ms;
    o.retry_backoff = 10ms;
    o.max_backoff = 100ms;
    o.poll_interval = 20ms;
    o.batch_size = 10;
    o.allow_private = true;
    return o;
  }

  /// Runs `workers` threads of rounds (owners w0, w1, ...) until `done`
  /// holds or `timeout` passes; true when it held.
  template <class Done, class Tune>
  bool run_workers(int workers, Done done, Tune tune,
                   std::chrono::milliseconds timeout = 120s) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i)
      threads.emplace_back([&, i] {
        auto o = options("w" + std::to_string(i));
        tune(o);
        while (!stop) {
          auto round = actors::webhooks::run_webhook_round(o);
          if (round.claimed == 0 && round.fanned_out == 0)
            std::this_thread::sleep_for(o.poll_interval);
        }
      });
    auto held = wait_until(done, timeout);
    stop = true;
    for (auto& t : threads)
      t.join();
    return held;
  }

  template <class Done> bool run_workers(int workers, Done done) {
    return run_workers(workers, done, [](auto&) {});
  }

  std::string sql(const std::string& query) {
    pqxx::connection conn{db.conninfo()};
    pqxx::work tx{conn};
    auto r = tx.exec1(query);
    return r[0].is_null() ? "NULL" : r[0].as<std::string>();
  }

  pg_test_db db;
  std::shared_ptr<storage::pg_pool> pool;
  scratch_dir dir;
  std::map<std::string, std::string> secrets;
};

/// Receipts of `events` ("deliver", "stall", ...) on `path`, in order.
std::vector<receipt> on_path(const std::vector<receipt>& all,
                             const std::string& path,
                             std::set<std::string> events) {
  std::vector<receipt> out;
  for (const auto& r : all)
    if (r.path == path && events.count(r.event) != 0)
      out.push_back(r);
  return out;
}

std::size_t count_of(const std::vector<receipt>& all,
                     const std::string& event) {
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(),
                    [&](const receipt& r) { return r.event == event; }));
}

TEST_F(webhook_worker_test, SignedDeliveriesPassAnIndependentCheck) {
  webhook_receiver receiver{free_port(), dir.path()};
  receiver.start();
  add_endpoint(receiver, "/a");
  auto events = make_events(10);
  ASSERT_TRUE(run_workers(
      1,
      [&] {
        return on_path(receiver.receipts(), "/a", {"deliver"}).size() >= 10;
      }))
      << sql("SELECT string_agg(coalesce(last_error, '-'), ' | ')"
             " FROM webhook_deliveries");
  auto all = receiver.receipts();
  EXPECT_EQ(count_of(all, "bad"), 0u);
  auto got = on_path(all, "/a", {"deliver"});
  ASSERT_EQ(got.size(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(got[i].id, events[i]) << i;
    EXPECT_EQ(got[i].signature.rfind("v1,", 0), 0u);
    EXPECT_LE(std::abs(std::stoll(got[i].timestamp) -
                       static_cast<long long>(std::time(nullptr))),
              60);
  }
  EXPECT_EQ(sql("SELECT count(*) FROM webhook_deliveries WHERE status ="
                " 'delivered' AND last_status = 200 AND attempts = 1"
                " AND latency_ms IS NOT NULL AND finished_at IS NOT NULL"),
            "10");

  // The body is the event: id, type, timestamp, data.
  auto payload =
      sql("SELECT payload FROM webhook_deliveries WHERE event_id = '" +
          events[0] + "'");
  auto body = json::parse(payload);
  EXPECT_EQ(body["id"], events[0]);
  EXPECT_EQ(body["type"], "segment.created");
  EXPECT_EQ(body["data"]["name"], "segment 0");
  EXPECT_TRUE(body["timestamp"].is_string());

  // What the receiver refuses: a tampered body, a stale timestamp with a
  // signature that is otherwise right, a signature made with another key.
  auto post = [&](const std::string& text, const std::string& ts,
                  const std::string& sig) {
    return http_call(receiver.port(), "POST", "/a", text,
                     {{"Content-Type", "application/json"},
                      {"webhook-id", events[0]},
                      {"webhook-timestamp", ts},
                      {"webhook-signature", sig}});
  };
  const auto& secret = secrets["/a"];
  auto now = static_cast<int64_t>(std::time(nullptr));
  auto fresh = actors::webhooks::sign_webhook(secret, events[0], now, payload);
  EXPECT_EQ(post(payload, std::to_string(now), fresh).status, 200);
  auto tampered = post(payload + " ", std::to_string(now), fresh);
  EXPECT_EQ(tampered.status, 401);
  EXPECT_EQ(tampered.body, "bad signature");
  auto old = now - 3600;
  auto stale =
      post(payload, std::to_string(old),
           actors::webhooks::sign_webhook(secret, events[0], old, payload));
  EXPECT_EQ(stale.status, 401);
  EXPECT_EQ(stale.body, "stale timestamp");
  auto other_key = actors::domain::make_webhook_secret();
  EXPECT_EQ(
      post(payload, std::to_string(now),
           actors::webhooks::sign_webhook(other_key, events[0], now, payload))
          .status,
      401);
}

TEST_F(webhook_worker_test, InOrderAndAtLeastOnceUnderFailuresAndStalls) {
  webhook_receiver receiver{
      free_port(),
      dir.path(),
      {"--fail=0.3", "--stall=0.05", "--stall-seconds=1.5", "--seed=7"}};
  receiver.start();
  std::vector<std::string> paths{"/a", "/b", "/c"};
  for (const auto& p : paths)
    add_endpoint(receiver, p);
  auto events = make_events(40);
  auto all_received = [&] {
    auto all = receiver.receipts();
    for (const auto& p : paths) {
      std::set<std::string> ids;
      for (const auto& r : on_path(all, p, {"deliver", "stall"}))
        ids.insert(r.id);
      if (ids.size() < events.size())
        return false;
    }
    return sql("SELECT count(*) FROM webhook_deliveries WHERE status ="
               " 'delivered'") == std::to_string(3 * events.size());
  };
  ASSERT_TRUE(run_workers(3, all_received, [](auto& o) { o.timeout = 500ms; }));
  auto all = receiver.receipts();
  EXPECT_EQ(count_of(all, "bad"), 0u);
  EXPECT_EQ(count_of(all, "overlap"), 0u);
  EXPECT_GT(count_of(all, "fail"), 0u);
  for (const auto& p : paths) {
    std::size_t next = 0;
    std::size_t duplicates = 0;
    std::set<std::string> seen;
    std::string trail; // event positions as they arrived, for a failure
    for (const auto& r : all)
      if (r.path == p)
        trail += " " + r.event.substr(0, 1) +
                 std::to_string(std::find(events.begin(), events.end(), r.id) -
                                events.begin());
    SCOPED_TRACE(p + trail);
    for (const auto& r : on_path(all, p, {"deliver", "stall"})) {
      if (next < events.size() && r.id == events[next]) {
        seen.insert(r.id);
        ++next;
      } else {
        EXPECT_TRUE(seen.count(r.id) != 0)
            << p << ": " << r.id << " arrived before " << events[next];
        ++duplicates;
      }
    }
    EXPECT_EQ(next, events.size()) << p;
    auto stalls = on_path(all, p, {"stall"}).size();
    EXPECT_LE(duplicates, stalls) << p;
    std::cout << p << ": " << events.size() << " events, "
              << on_path(all, p, {"fail"}).size() << " failures, " << stalls
              << " stalls, " << duplicates << " duplicates\n";
  }
}

TEST_F(webhook_worker_test, RefusalsFailAtOnceAndRedirectsAreNotFollowed) {
  webhook_receiver receiver{
      free_port(), dir.path(), {"--status=/gone=410", "--status=/moved=307"}};
  receiver.start();
  add_endpoint(receiver, "/gone");
  add_endpoint(receiver, "/moved");
  make_events(3);
  ASSERT_TRUE(run_workers(1, [&] {
    return sql("SELECT count(*) FROM webhook_deliveries WHERE status ="
               " 'failed'") == "6";
  }));
  EXPECT_EQ(sql("SELECT string_agg(DISTINCT last_status::text, ',' ORDER BY"
                " last_status::text) FROM webhook_deliveries"),
            "307,410");
  EXPECT_EQ(sql("SELECT max(attempts) FROM webhook_deliveries"), "1");
  auto all = receiver.receipts();
  EXPECT_EQ(on_path(all, "/gone", {"status"}).size(), 3u);
  EXPECT_EQ(on_path(all, "/moved", {"status"}).size(), 3u);
  EXPECT_EQ(
      on_path(all, "/followed", {"deliver", "fail", "status", "bad"}).size(),
      0u);
  EXPECT_EQ(sql("SELECT last_body FROM webhook_deliveries WHERE last_status"
                " = 410 LIMIT 1"),
            "status 410 as asked");
}

TEST_F(webhook_worker_test, GivesUpAfterRetryForThenTheNextOneGoes) {
  webhook_receiver receiver{free_port(), dir.path(), {"--fail-paths=/down"}};
  receiver.start();
  add_endpoint(receiver, "/down");
  make_events(2);
  ASSERT_TRUE(run_workers(
      1,
      [&] {
        return sql("SELECT count(*) FROM webhook_deliveries WHERE status ="
                   " 'failed'") == "2";
      },
      [](auto& o) {
        o.limits.retry_for = 300ms;
        o.retry_backoff = 50ms;
      }));
  EXPECT_EQ(sql("SELECT min(attempts) > 1 FROM webhook_deliveries"), "t");
  EXPECT_EQ(sql("SELECT max(last_status) FROM webhook_deliveries"), "500");
  EXPECT_EQ(sql("SELECT bool_and(enabled) FROM webhook_endpoints"), "t");
}

TEST_F(webhook_worker_test, DisablesAnEndpointFailingForDisableAfter) {
  webhook_receiver receiver{free_port(), dir.path(), {"--fail-paths=/down"}};
  receiver.start();
  auto id = add_endpoint(receiver, "/down");
  add_endpoint(receiver, "/up");
  make_events(2);
  auto tune = [](auto& o) {
    o.limits.disable_after = 300ms;
    o.retry_backoff = 20ms;
  };
  ASSERT_TRUE(run_workers(
      2,
      [&] {
        return sql("SELECT enabled FROM webhook_endpoints WHERE id = '" + id +
                   "'") == "f";
      },
      tune));
  auto reason = sql(
      "SELECT disabled_reason FROM webhook_endpoints WHERE id = '" + id + "'");
  EXPECT_NE(reason.find("failing since"), std::string::npos) << reason;
  EXPECT_NE(reason.find("HTTP 500"), std::string::npos) << reason;
  EXPECT_EQ(
      sql("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = '" + id +
          "' AND status = 'pending'"),
      "2");
  // Nothing more is sent to it, while the healthy endpoint got its events.
  auto before = on_path(receiver.receipts(), "/down", {"fail"}).size();
  run_workers(
      1, [] { return false; }, tune, 500ms);
  EXPECT_EQ(on_path(receiver.receipts(), "/down", {"fail"}).size(), before);
  EXPECT_EQ(on_path(receiver.receipts(), "/up", {"deliver"}).size(), 2u);
}

TEST_F(webhook_worker_test, RefusesNonPublicAddressesAtSendTime) {
  webhook_receiver receiver{free_port(), dir.path()};
  receiver.start();
  add_endpoint(receiver, "/a");
  make_events(1);
  ASSERT_TRUE(run_workers(
      1,
      [&] {
        return sql("SELECT count(*) FROM webhook_deliveries WHERE last_error"
                   " LIKE '%loopback%'") == "1";
      },
      [](auto& o) {
        o.allow_private = false;
        o.retry_backoff = 1'000ms;
      }));
  EXPECT_EQ(receiver.receipts().size(), 0u);
  EXPECT_EQ(sql("SELECT status FROM webhook_deliveries"), "pending");
}

TEST_F(webhook_worker_test, ReplaysSendTheSameMessagesAgainInOrder) {
  webhook_receiver receiver{free_port(), dir.path()};
  receiver.start();
  auto id = add_endpoint(receiver, "/a");
  auto events = make_events(3);
  auto delivered = [&](std::size_t n) {
    return [&receiver, n] {
      return on_path(receiver.receipts(), "/a", {"deliver"}).size() >= n;
    };
  };
  ASSERT_TRUE(run_workers(1, delivered(3)));
  auto queued = pool->run([&](pqxx::connection& c) {
    return storage::replay_webhooks_since(c, id, "2000-01-01T00:00:00");
  });
  ASSERT_TRUE(queued);
  EXPECT_EQ(**queued, 3);
  auto first = std::stoll(sql("SELECT min(id) FROM webhook_deliveries"));
  auto one = pool->run([&](pqxx::connection& c) {
    return storage::replay_webhook_delivery(c, id, first);
  });
  ASSERT_TRUE(one && *one);
  auto ping = pool->run(
      [&](pqxx::connection& c) { return storage::queue_webhook_ping(c, id); });
  ASSERT_TRUE(ping && *ping);
  ASSERT_TRUE(run_workers(1, delivered(8)));
  auto got = on_path(receiver.receipts(), "/a", {"deliver"});
  ASSERT_EQ(got.size(), 8u);
  std::vector<std::string> expected{events[0], events[1],        events[2],
                                    events[0], events[1],        events[2],
                                    events[0], (*ping)->event_id};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(got[i].id, expected[i]) << i;
  EXPECT_EQ(count_of(receiver.receipts(), "bad"), 0u);
  EXPECT_EQ(sql("SELECT count(*) FROM webhook_deliveries WHERE replay_of IS"
                " NOT NULL AND status = 'delivered'"),
            "1");
}

} // namespace
