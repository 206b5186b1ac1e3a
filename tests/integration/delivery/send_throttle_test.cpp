// Throttled sending through the rate-limiter actors: the provider's rate
// (email.rate-per-second) slows a whole campaign down, and a campaign's own
// speed gives its rows back for later without holding up another
// campaign's rows of the same batch. Real PostgreSQL, real limiter hosts,
// the real outbox provider.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/campaigns/campaign_lifecycle.hpp"
#include "actors/delivery/dispatcher.hpp"
#include "actors/limits/limiter_region.hpp"
#include "config/settings.hpp"
#include "net/email/provider.hpp"
#include "storage/repositories/campaign_run_repository.hpp"
#include "storage/repositories/delivery_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/email/email_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/unit/limits/limiter_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;
namespace lm = cdpd::actors::limits;
namespace email = cdpd::net::email;
using steady = std::chrono::steady_clock;

constexpr int hosts = 2;

/// An actor system with limiter hosts registered as a node's access
/// subtree registers them, and the region the dispatchers ask.
struct limiters {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  lm::limiter_options options;
  std::unique_ptr<cdpd::test::bare_hosts> running;
  std::shared_ptr<const lm::limiter_region> region =
      std::make_shared<lm::limiter_region>(sys, hosts);

  explicit limiters(bool spawn = true) {
    if (spawn)
      running = std::make_unique<cdpd::test::bare_hosts>(sys, hosts, options);
  }

  ~limiters() {
    if (running)
      running->stop();
  }
};

/// Sends through the outbox provider and counts sends by idempotency key
/// (the outbox also keeps one file per key).
struct outbox_sink {
  cdpd::test::temp_dir dir;
  std::shared_ptr<email::email_provider> provider;
  std::mutex mtx;
  std::map<std::string, int> sends;
  std::map<std::string, steady::time_point> last_send; ///< by campaign

  outbox_sink() {
    cdpd::config::email_settings s;
    s.provider = "outbox";
    s.outbox_dir = dir.path();
    auto made = email::make_provider(s);
    EXPECT_TRUE(made);
    if (made)
      provider = std::move(*made);
  }

  dl::send_fn fn() {
    return [this](const st::claimed_delivery& d) {
      email::email_message m;
      m.from = "Shop <news@shop.example>";
      m.to = d.email;
      m.subject = d.subject;
      m.text_body = d.body_text;
      m.unsubscribe_url = "http://127.0.0.1:8000/u/test";
      m.idempotency_key = d.idempotency_key;
      dl::send_outcome out;
      auto receipt = provider->send(m);
      if (!receipt) {
        out.result = dl::send_outcome::kind::permanent;
        out.error = "outbox refused the message";
        return out;
      }
      out.message_id = receipt->message_id;
      std::lock_guard<std::mutex> guard{mtx};
      ++sends[d.idempotency_key];
      last_send[d.campaign_id] = steady::now();
      return out;
    };
  }

  /// Files in the outbox folder.
  size_t files() const {
    size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
      if (entry.is_regular_file() && entry.path().extension() == ".eml")
        ++n;
    return n;
  }
};

/// A started campaign of one SEND_EMAIL step to `recipients` customers of a
/// state of their own; returns its id.
std::string started_campaign(delivery_test_db& db, const std::string& state,
                             int recipients) {
  db.add_customers(recipients, state, 0, state);
  auto segment = db.add_segment(state);
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  auto campaign = db.add_campaign(segment, flow);
  EXPECT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));
  EXPECT_TRUE(st::schedule_campaign(db.conn(), campaign, "UTC"));
  auto started = st::start_campaign(db.conn(), campaign, 1s);
  EXPECT_TRUE(started && started->started);
  EXPECT_EQ(started ? started->rows : 0, recipients);
  return campaign;
}

dl::dispatcher_options options(delivery_test_db& db, outbox_sink& sink,
                               const limiters& limits) {
  dl::dispatcher_options o;
  o.name = "throttled";
  o.pool = db.pool();
  o.send = sink.fn();
  o.throttle.region = limits.region;
  o.throttle.provider = "outbox";
  return o;
}

/// Runs rounds until `total` rows are sent; false after `timeout`.
bool send_all(const dl::dispatcher_options& o, int64_t total,
              std::chrono::milliseconds timeout, int64_t& sent) {
  return cdpd::test::wait_until(
      [&] {
        sent += dl::run_round(o).sent;
        return sent >= total;
      },
      timeout);
}

TEST(SendThrottle, ProviderRateSpacesTheMessagesOfACampaign) {
  delivery_test_db db;
  started_campaign(db, "CA", 20);
  limiters limits;
  outbox_sink sink;
  auto o = options(db, sink, limits);
  o.throttle.provider_per_second = 10;

  auto start = steady::now();
  int64_t sent = 0;
  ASSERT_TRUE(send_all(o, 20, 60s, sent));
  auto took = steady::now() - start;
  // 20 messages at 10 a second: 19 intervals of 100 ms after the first
  // (the burst is one message). Only a lower bound: slow is fine.
  EXPECT_GE(took, 1700ms) << "20 messages at 10/s were not throttled";
  EXPECT_EQ(sent, 20);
  EXPECT_EQ(sink.files(), 20u);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"),
            20);
}

TEST(SendThrottle, RateZeroSendsEverything) {
  delivery_test_db db;
  started_campaign(db, "CA", 20);
  limiters limits;
  outbox_sink sink;
  auto o = options(db, sink, limits);
  o.throttle.provider_per_second = 0;
  o.throttle.campaign_per_minute = 0;
  int64_t sent = 0;
  ASSERT_TRUE(send_all(o, 20, 60s, sent));
  EXPECT_EQ(sink.files(), 20u);
  for (const auto& [key, times] : sink.sends)
    EXPECT_EQ(times, 1) << key;
}

TEST(SendThrottle, WithoutLimiterHostsSendingFailsOpen) {
  delivery_test_db db;
  started_campaign(db, "CA", 20);
  limiters limits{false};
  outbox_sink sink;
  auto o = options(db, sink, limits);
  o.throttle.provider_per_second = 1;
  o.throttle.campaign_per_minute = 1;
  auto round = dl::run_round(o);
  EXPECT_EQ(round.sent, 20);
  EXPECT_EQ(round.deferred, 0);
  EXPECT_EQ(sink.files(), 20u);
}

TEST(SendThrottle, SlowCampaignGivesRowsBackWithoutHoldingUpAnother) {
  delivery_test_db db;
  auto slow = started_campaign(db, "CA", 5);
  auto fast = started_campaign(db, "NY", 5);
  db.scalar("UPDATE campaigns SET send_speed_per_minute = 60 WHERE id = '" +
            slow + "' RETURNING id");
  limiters limits;
  outbox_sink sink;
  auto o = options(db, sink, limits);
  o.batch_size = 100;
  auto sent_of = [&](const std::string& campaign) {
    return db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                    " AND campaign_id = '" +
                    campaign + "'");
  };

  // One batch holds all ten rows: the fast campaign's go out, the slow one
  // sends its burst (one message) and gives the rest back for later.
  auto start = steady::now();
  auto first = dl::run_round(o);
  EXPECT_EQ(first.claimed, 10);
  EXPECT_EQ(sent_of(fast), 5);
  EXPECT_EQ(sent_of(slow), 1);
  EXPECT_EQ(first.deferred, 4);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'pending'"
                     " AND next_attempt_at > now() AT TIME ZONE 'utc'"
                     " AND attempts = 0 AND campaign_id = '" +
                     slow + "'"),
            4)
      << "given back unattempted and due later";
  // Given-back rows are not claimed again at once.
  EXPECT_EQ(dl::run_round(o).claimed, 0);

  int64_t sent = first.sent;
  ASSERT_TRUE(send_all(o, 10, 60s, sent));
  EXPECT_EQ(sent_of(slow), 5);
  EXPECT_EQ(sent_of(fast), 5);
  EXPECT_EQ(sink.sends.size(), 10u);
  for (const auto& [key, times] : sink.sends)
    EXPECT_EQ(times, 1) << key;
  EXPECT_EQ(sink.files(), 10u);
  // Five messages at one a second: four intervals after the first.
  EXPECT_GE(sink.last_send.at(slow) - start, 3500ms);
}

TEST(SendThrottle, DefaultSpeedAppliesToCampaignsWithoutTheirOwn) {
  delivery_test_db db;
  auto plain = started_campaign(db, "CA", 3);
  auto own = started_campaign(db, "NY", 3);
  db.scalar("UPDATE campaigns SET send_speed_per_minute = 1000000"
            " WHERE id = '" +
            own + "' RETURNING id");
  limiters limits;
  outbox_sink sink;
  auto o = options(db, sink, limits);
  o.throttle.campaign_per_minute = 6; // one message per 10 s
  auto round = dl::run_round(o);
  EXPECT_EQ(round.sent, 4);
  EXPECT_EQ(round.deferred, 2);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                     " AND campaign_id = '" +
                     own + "'"),
            3);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                     " AND campaign_id = '" +
                     plain + "'"),
            1);
}

} // namespace
