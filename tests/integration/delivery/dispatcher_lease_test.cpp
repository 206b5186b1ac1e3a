#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "actors/delivery/dispatcher.hpp"
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
  ASSERT_TRUE(st::transition_campaign(db.conn(), campaign, "active"));

  ASSERT_EQ(*st::schedule_campaigns(db.conn(), "UTC"), 1);
  auto started = st::start_campaign(db.conn(), campaign, 1s);
  ASSERT_TRUE(started && started->started);
  ASSERT_EQ(started->rows, 30);

  counting_sink sink;
  dl::dispatcher_options o;
  o.name = "survivor";
  o.pool = db.pool();
  o.send = sink.fn();
  o.lease = 60s;

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
  // The round that recorded the last row completed the campaign.
  EXPECT_EQ(db.scalar("SELECT status || '/' || exec_phase FROM campaigns"),
            "completed/done");
}

} // namespace
