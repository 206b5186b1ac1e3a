#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actors/campaigns/campaign_lifecycle.hpp"
#include "actors/delivery/dispatcher.hpp"
#include "storage/repositories/campaign_run_repository.hpp"
#include "storage/repositories/delivery_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;

/// A provider stand-in that counts sends by idempotency key, as a provider
/// deduplicating by key would see them.
struct counting_sink {
  std::mutex mtx;
  std::map<std::string, int> sends;

  dl::send_fn fn() {
    return [this](const st::claimed_delivery& d) {
      std::lock_guard<std::mutex> guard{mtx};
      ++sends[d.idempotency_key];
      dl::send_outcome out;
      out.message_id = "<" + std::to_string(d.id) + "@test>";
      return out;
    };
  }
};

TEST(DeliveryLease, ExpiredClaimIsSentOnceByAnotherDispatcher) {
  delivery_test_db db;
  db.add_customers(30, "CA");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  auto campaign = db.add_campaign(segment, flow);
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));

  ASSERT_TRUE(*st::schedule_campaign(db.conn(), campaign, "UTC"));
  auto started = st::start_campaign(db.conn(), campaign, 1s);
  ASSERT_TRUE(started && started->started);
  ASSERT_EQ(started->rows, 30);

  counting_sink sink;
  dl::dispatcher_options o;
  o.name = "survivor";
  o.pool = db.pool();
  o.send = sink.fn();
  o.lease = 60s;
  cdpd::actors::campaigns::campaign_report total;
  o.report = [&](const cdpd::actors::campaigns::campaign_report& r) {
    EXPECT_EQ(r.campaign_id, campaign);
    total.pending += r.pending;
    total.failed += r.failed;
    total.sent += r.sent;
    total.dead += r.dead;
  };

  // A dispatcher claims every row with a short lease, then dies before it
  // sends or records anything.
  auto crashed = st::claim_deliveries(db.conn(), 100, 3s);
  ASSERT_TRUE(crashed);
  ASSERT_EQ(crashed->size(), 30u);
  // While the lease holds, nobody else takes the rows.
  EXPECT_EQ(dl::run_round(o).claimed, 0);

  // Once it expired, the survivor sends each row once.
  int64_t sent = 0;
  ASSERT_TRUE(cdpd::test::wait_until(
      [&] {
        sent += dl::run_round(o).sent;
        return sent == 30;
      },
      30s));
  EXPECT_EQ(sink.sends.size(), 30u);
  for (const auto& [key, times] : sink.sends)
    EXPECT_EQ(times, 1) << key;
  for (const auto& d : *crashed)
    EXPECT_EQ(sink.sends.count(d.idempotency_key), 1u);
  // The crashed claim cannot record anything any more.
  for (const auto& d : *crashed)
    EXPECT_FALSE(*st::record_sent(db.conn(), d.id, d.attempts, "<late@x>"));
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                     " AND attempts = 2 AND message_id LIKE '%@test>'"),
            30);
  // The campaign was told of each send once: its counts moved from
  // pending to sent, as the table's did.
  EXPECT_EQ(total.pending, -30);
  EXPECT_EQ(total.sent, 30);
  EXPECT_EQ(total.failed, 0);
  EXPECT_EQ(total.dead, 0);
}

/// A started campaign of one step to `customers` customers; returns its id.
std::string started_campaign(delivery_test_db& db, int customers) {
  db.add_customers(customers, "CA");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  auto campaign = db.add_campaign(segment, flow);
  EXPECT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));
  EXPECT_TRUE(*st::schedule_campaign(db.conn(), campaign, "UTC"));
  auto started = st::start_campaign(db.conn(), campaign, 1s);
  EXPECT_TRUE(started && started->started);
  return campaign;
}

TEST(DeliveryLease, BatchSlowerThanItsLeaseIsNotSentTwice) {
  delivery_test_db db;
  started_campaign(db, 40);
  counting_sink sink;
  // A slow dispatcher: twenty sends of 60 ms outlast its 1 s lease.
  dl::dispatcher_options slow;
  slow.name = "slow";
  slow.pool = db.pool();
  slow.send = [&sink, send = sink.fn()](const st::claimed_delivery& d) {
    std::this_thread::sleep_for(60ms);
    return send(d);
  };
  slow.batch_size = 20;
  slow.lease = 1s;
  slow.send_timeout = 100ms;
  // A quick one that keeps looking for rows whose lease ran out.
  auto quick = slow;
  quick.name = "quick";
  quick.send = sink.fn();
  quick.batch_size = 5;
  std::atomic<bool> slow_done{false};
  std::thread slow_thread{[&] {
    dl::run_round(slow);
    slow_done = true;
  }};
  // Let the slow one claim first.
  ASSERT_TRUE(cdpd::test::wait_until(
      [&] {
        return db.count("SELECT count(*) FROM deliveries WHERE status = "
                        "'sending'") > 0;
      },
      10s));
  while (!slow_done) {
    dl::run_round(quick);
    std::this_thread::sleep_for(20ms);
  }
  slow_thread.join();
  dl::run_round(quick);
  EXPECT_EQ(sink.sends.size(), 40u);
  for (const auto& [key, times] : sink.sends)
    EXPECT_EQ(times, 1) << key << " was sent by both dispatchers";
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"),
            40);
}

TEST(DeliveryLease, RowsHeldWhileTheProviderIsDownKeepTheirAttempts) {
  delivery_test_db db;
  started_campaign(db, 10);
  dl::dispatcher_options o;
  o.pool = db.pool();
  o.send = [](const st::claimed_delivery&) {
    dl::send_outcome out;
    out.result = dl::send_outcome::kind::held;
    out.error = "email provider unavailable (circuit open)";
    return out;
  };
  auto round = dl::run_round(o);
  EXPECT_EQ(round.claimed, 10);
  EXPECT_EQ(round.released, 10);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = "
                     "'pending' AND attempts = 0 AND lease_until IS NULL"),
            10);

  // A provider that goes down in the middle of a batch: the rest of the
  // batch goes back without being tried.
  bool up = true;
  int tried = 0;
  o.ready = [&up] { return up; };
  o.send = [&](const st::claimed_delivery&) {
    ++tried;
    up = false; // the first send opens the breaker
    dl::send_outcome out;
    out.result = dl::send_outcome::kind::retryable;
    out.error = "connection refused";
    return out;
  };
  round = dl::run_round(o);
  EXPECT_EQ(tried, 1);
  EXPECT_EQ(round.failed, 1);
  EXPECT_EQ(round.released, 9);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE attempts = 0"
                     " AND status = 'pending'"),
            9);
}

} // namespace
