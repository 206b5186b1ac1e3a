// Recovery of the live segments, end to end: a stream of customer and order
// writes goes through the real daemon's API, cdpd is killed with SIGKILL in
// the middle of it and started again on the same database. Every write it
// acknowledged must be in PostgreSQL, and every in-memory answer (previews
// over the shards and saved segments' counts) must equal the SQL back end's.
// And a preview asked right after a write was acknowledged always counts
// it (the read barrier), with other clients writing and asking meanwhile.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
using cdpd::test::http_call;
using cdpd::test::wait_until;
using json = nlohmann::json;

/// Definitions that the writes below move customers in and out of.
const std::vector<std::string>& checked_definitions() {
  static const std::vector<std::string> all{
      R"({"criteria": [{"field": "shipping_state", "operator": "eq",
          "value": "CA"}]})",
      R"({"logical_operator": "AND", "criteria": [
          {"field": "shipping_state", "operator": "eq", "value": "TX"},
          {"field": "marketing_opt_in", "operator": "eq", "value": true}]})",
      R"({"criteria": [{"field": "order_count", "operator": "gte",
          "value": 1}]})",
      R"({"logical_operator": "OR", "criteria": [
          {"field": "total_order_value", "operator": "gt", "value": 1000},
          {"logical_operator": "NOT", "criteria": [
            {"field": "marketing_opt_in", "operator": "eq", "value": true}]}]})",
      R"({"criteria": [{"event": "order", "aggregate": "count",
          "within_last_days": 30, "operator": "gte", "value": 2}]})",
  };
  return all;
}

/// What the writer was told succeeded.
struct acknowledged {
  std::vector<std::pair<std::string, std::string>> created; ///< id, email
  std::vector<std::pair<std::string, std::string>> updated; ///< id, state
  std::vector<std::string> orders;                          ///< order ids
  size_t total() const {
    return created.size() + updated.size() + orders.size();
  }
};

class SegmentRecovery : public ::testing::Test {
protected:
  SegmentRecovery() : port(cdpd::test::free_port()) {}

  void TearDown() override {
    if (daemon) {
      daemon->signal(SIGTERM);
      daemon->wait(30s);
    }
  }

  void start() {
    daemon = cdpd::test::start_cdpd(
        port,
        {"--postgres.url=" + db.url(), "--state.dir=" + state.path() + "/cdpd",
         "--log.level=warn", "--segments.shards=4"});
    ASSERT_TRUE(cdpd::test::wait_ready_status(port, 200, 60s))
        << daemon->output();
    // The shards answer 503 while they load.
    ASSERT_TRUE(wait_until(
        [&] { return preview_count(checked_definitions()[0]) >= 0; }, 120s))
        << daemon->output();
  }

  /// The shards' count for `definition`, or -1 while they cannot answer.
  int64_t preview_count(const std::string& definition) {
    auto reply = http_call(port, "POST", "/api/segments/preview", definition,
                           {{"Content-Type", "application/json"}});
    if (reply.status != 200)
      return -1;
    return json::parse(reply.body).at("count").get<int64_t>();
  }

  /// A saved segment's count through the API, or -1 on an error.
  int64_t saved_count(const std::string& id) {
    auto reply = http_call(port, "GET", "/api/segments/" + id + "/count");
    if (reply.status != 200)
      return -1;
    return json::parse(reply.body).at("count").get<int64_t>();
  }

  int64_t sql_count(const std::string& definition) {
    auto parsed =
        cdpd::storage::segments::parse_definition(json::parse(definition));
    EXPECT_TRUE(parsed.ok()) << definition;
    if (!parsed.ok())
      return -2;
    pqxx::connection conn{db.url()};
    auto count = cdpd::storage::segments::count_members(
        conn, *parsed.definition, std::chrono::system_clock::now());
    EXPECT_TRUE(count);
    return count ? *count : -2;
  }

  /// Waits until every in-memory answer equals SQL (no writes run now);
  /// reports the definitions that never did.
  void expect_counts_equal_sql(const std::vector<std::string>& saved) {
    const auto& defs = checked_definitions();
    for (size_t i = 0; i < defs.size(); ++i) {
      auto expected = sql_count(defs[i]);
      int64_t memory = -1;
      int64_t stored = -1;
      bool equal = wait_until(
          [&] {
            memory = preview_count(defs[i]);
            stored = saved_count(saved[i]);
            return memory == expected && stored == expected;
          },
          60s);
      EXPECT_TRUE(equal) << "definition " << defs[i] << ": SQL " << expected
                         << ", shards " << memory << ", saved segment "
                         << stored;
    }
  }

  std::vector<std::string> save_segments() {
    std::vector<std::string> ids;
    pqxx::work tx{db.conn()};
    for (const auto& def : checked_definitions())
      ids.push_back(tx.exec_params("INSERT INTO segments (name, definition)"
                                   " VALUES ('recovery ' || $1, $2::jsonb)"
                                   " RETURNING id",
                                   std::to_string(ids.size()), def)[0][0]
                        .as<std::string>());
    tx.commit();
    return ids;
  }

  /// Seeded customers (CA and NY, every third not opted in), a third of
  /// them with orders spread over the last 60 days.
  std::vector<std::string> seed() {
    db.add_customers(1000, "CA", 3);
    db.add_customers(1000, "NY", 3);
    pqxx::work tx{db.conn()};
    tx.exec("INSERT INTO orders (customer_id, order_date, order_status,"
            " total_amount, channel) SELECT id, (now() AT TIME ZONE 'utc') -"
            " (n % 60) * interval '1 day', 'delivered', 40 + n % 900, 'web'"
            " FROM (SELECT id,"
            " row_number() OVER (ORDER BY id) AS n FROM customers) c"
            " WHERE n % 3 = 0");
    std::vector<std::string> ids;
    for (const auto& row : tx.exec("SELECT id FROM customers ORDER BY id"))
      ids.push_back(row[0].as<std::string>());
    tx.commit();
    return ids;
  }

  /// True for a 200; any other answer is a fault of the test or of cdpd
  /// (a write cut short by the kill fails the connection instead).
  static bool accepted(const cdpd::test::http_reply& reply) {
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.status == 200;
  }

  /// One write through the API: a new customer, an edit of a seeded one or
  /// an order. Records it when the API acknowledged it; throws when the
  /// connection failed.
  void write_one(int i, const std::vector<std::string>& seeded,
                 acknowledged& acked) {
    static const char* states[] = {"CA", "TX", "NY", "WA"};
    const std::string state = states[i % 4];
    if (i % 3 == 0) {
      auto email = "w" + std::to_string(i) + "@example.org";
      json body{{"email", email},           {"first_name", "W"},
                {"last_name", "R"},         {"shipping_state", state},
                {"shipping_country", "US"}, {"marketing_opt_in", i % 2 == 0}};
      auto reply = http_call(port, "POST", "/api/users/", body.dump(),
                             {{"Content-Type", "application/json"}});
      if (accepted(reply))
        acked.created.emplace_back(
            json::parse(reply.body).at("id").get<std::string>(), email);
    } else if (i % 3 == 1) {
      // Each seeded customer is edited at most once, so an acknowledged
      // edit is also the last one.
      const auto& id = seeded[static_cast<size_t>(i / 3) % seeded.size()];
      json body{{"shipping_state", state}, {"marketing_opt_in", i % 4 != 1}};
      auto reply = http_call(port, "PUT", "/api/users/" + id, body.dump(),
                             {{"Content-Type", "application/json"}});
      if (accepted(reply))
        acked.updated.emplace_back(id, state);
    } else {
      const auto& id = seeded[static_cast<size_t>(i * 7) % seeded.size()];
      json body{{"user_id", id},
                {"order_status", "delivered"},
                {"total_amount", 50 + i % 700},
                {"currency", "USD"}};
      auto reply = http_call(port, "POST", "/api/orders/", body.dump(),
                             {{"Content-Type", "application/json"}});
      if (accepted(reply))
        acked.orders.push_back(
            json::parse(reply.body).at("id").get<std::string>());
    }
  }

  delivery_test_db db;
  cdpd::test::temp_state_dir state;
  uint16_t port;
  std::unique_ptr<cdpd::test::child_process> daemon;
};

TEST_F(SegmentRecovery, AcknowledgedWritesSurviveKillAndCountsEqualSql) {
  auto seeded = seed();
  auto saved = save_segments();
  start();
  expect_counts_equal_sql(saved);

  // Writes stream in from a client thread; cdpd is killed under them.
  acknowledged acked;
  std::atomic<size_t> acked_so_far{0};
  std::atomic<bool> killed{false};
  int attempted = 0;
  std::thread writer{[&] {
    for (int i = 0; i < 1500; ++i) {
      try {
        attempted = i + 1;
        write_one(i, seeded, acked);
        acked_so_far = acked.total();
      } catch (const std::exception&) {
        if (killed)
          return; // the daemon is gone: the rest is unacknowledged
      }
    }
  }};
  bool enough = wait_until([&] { return acked_so_far >= 300; }, 120s);
  daemon->signal(SIGKILL);
  killed = true;
  daemon->wait(30s);
  daemon.reset();
  writer.join();
  ASSERT_TRUE(enough) << "the writes did not get going";
  std::cout << "[ recovery ] " << acked.total() << " of " << attempted
            << " writes acknowledged before kill -9\n";

  // Every acknowledged write is in PostgreSQL after the restart.
  start();
  size_t missing = 0;
  {
    pqxx::work tx{db.conn()};
    for (const auto& [id, email] : acked.created)
      missing += tx.exec_params("SELECT 1 FROM customers WHERE id = $1 AND"
                                " email = $2",
                                id, email)
                     .empty();
    for (const auto& [id, st] : acked.updated)
      missing += tx.exec_params("SELECT 1 FROM customers WHERE id = $1 AND"
                                " shipping_state = $2",
                                id, st)
                     .empty();
    for (const auto& id : acked.orders)
      missing +=
          tx.exec_params("SELECT 1 FROM orders WHERE id = $1", id).empty();
    tx.commit();
  }
  EXPECT_EQ(missing, 0u) << "acknowledged writes lost";
  expect_counts_equal_sql(saved);

  // Writes after the restart reach memory too.
  acknowledged later;
  for (int i = 1500; i < 1530; ++i)
    write_one(i, seeded, later);
  EXPECT_EQ(later.total(), 30u);
  expect_counts_equal_sql(saved);
}

TEST_F(SegmentRecovery, EveryAnswerCountsTheWritesAcknowledgedBeforeIt) {
  auto seeded = seed();
  const std::string moved =
      R"({"criteria": [{"field": "shipping_state", "operator": "eq",
          "value": "TX"}]})";
  std::string saved;
  {
    pqxx::work tx{db.conn()};
    saved = tx.exec_params1("INSERT INTO segments (name, definition) VALUES"
                            " ('moved', $1::jsonb) RETURNING id",
                            moved)[0]
                .as<std::string>();
    tx.commit();
  }
  start();
  // The saved segment's actor is ready (its figures are live).
  ASSERT_TRUE(wait_until(
      [&] {
        auto reply = http_call(port, "GET", "/api/segments/" + saved);
        return reply.status == 200 &&
               !json::parse(reply.body).at("last_evaluated_at").is_null();
      },
      60s));
  const std::string created =
      R"({"criteria": [{"field": "shipping_state", "operator": "eq",
          "value": "WA"}]})";
  ASSERT_EQ(preview_count(moved), 0);

  // Another client creates customers and asks previews all along.
  std::atomic<bool> stop{false};
  std::atomic<int> load_requests{0};
  std::thread load{[&] {
    for (int i = 0; !stop; ++i) {
      json body{{"email", "load" + std::to_string(i) + "@example.org"},
                {"shipping_state", "WA"},
                {"shipping_country", "US"}};
      http_call(port, "POST", "/api/users/", body.dump(),
                {{"Content-Type", "application/json"}});
      preview_count(created);
      load_requests += 2;
    }
  }};

  // Each customer moved to TX is acknowledged, then counted at once by a
  // preview over the shards and by the saved segment's actor.
  int stale = 0;
  int stale_saved = 0;
  int unavailable = 0;
  std::vector<double> preview_ms;
  for (size_t i = 0; i < seeded.size(); ++i) {
    auto reply = http_call(port, "PUT", "/api/users/" + seeded[i],
                           R"({"shipping_state": "TX"})",
                           {{"Content-Type", "application/json"}});
    ASSERT_EQ(reply.status, 200) << reply.body;
    auto asked = std::chrono::steady_clock::now();
    auto count = preview_count(moved);
    preview_ms.push_back(std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - asked)
                             .count());
    if (count < 0)
      ++unavailable;
    else if (count != static_cast<int64_t>(i + 1))
      ++stale;
    if (saved_count(saved) != static_cast<int64_t>(i + 1))
      ++stale_saved;
  }
  stop = true;
  load.join();
  std::sort(preview_ms.begin(), preview_ms.end());
  std::cout << "[ read barrier ] " << seeded.size()
            << " previews right after their write: " << stale << " stale, "
            << unavailable << " unavailable; preview p50 "
            << preview_ms[preview_ms.size() / 2] << " ms, p99 "
            << preview_ms[preview_ms.size() * 99 / 100] << " ms; "
            << stale_saved << " stale saved-segment counts; " << load_requests
            << " requests of the other client\n";
  EXPECT_EQ(stale, 0) << "previews missed an acknowledged write";
  EXPECT_EQ(stale_saved, 0) << "saved counts missed an acknowledged write";
  EXPECT_EQ(unavailable, 0) << "previews answered 503";
  EXPECT_GT(load_requests, 0);
}

} // namespace
