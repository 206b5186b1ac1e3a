// Campaign delivery under faults, end to end: the real cdpd daemon sends
// through its `http` provider to flaky_sink.py, an email API on loopback that
// honours Idempotency-Key and journals every arrival. Whatever goes wrong
// (failing and stalling provider, kill -9 of the sender, a pause, the
// provider gone), every delivery ends sent exactly once or dead, and no sent
// row is missing at the provider.
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/delivery_faults/sink_support.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::child_process;
using cdpd::test::delivery_test_db;
using cdpd::test::wait_until;

using sink = cdpd::test::email_sink;

/// One test's world: a migrated database, a temp dir, the sink and a cdpd
/// that sends to it.
class DeliveryFaults : public ::testing::Test {
protected:
  DeliveryFaults()
      : sink_port(cdpd::test::free_port()), cdpd_port(cdpd::test::free_port()) {
  }

  void make_sink(std::vector<std::string> args) {
    provider = std::make_unique<sink>(sink_port, state.path() + "/journal",
                                      std::move(args));
  }

  /// Starts cdpd on the test database, sending to the sink, with `extra`
  /// options last (they win).
  void start_cdpd(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "--postgres.url=" + db.url(),
        "--state.dir=" + state.path() + "/cdpd",
        "--log.level=warn",
        "--email.provider=http",
        "--email.http-url=" + provider->url(),
        "--email.timeout=1s",
        "--delivery.lease=3s",
        "--delivery.poll-interval=100ms",
        "--delivery.retry-backoff=100ms",
        "--delivery.wait-day=2s",
        "--delivery.pause-failures=0",
        "--supervision.connector.reset-timeout=1s",
        "--supervision.connector.max-reset-timeout=2s"};
    args.insert(args.end(), extra.begin(), extra.end());
    daemon = cdpd::test::start_cdpd(cdpd_port, args);
    ASSERT_TRUE(cdpd::test::wait_ready_status(cdpd_port, 200, 60s))
        << daemon->output();
  }

  /// A campaign of `steps` to `customers` opted-in customers; returns its
  /// id (draft).
  std::string make_campaign(int customers,
                            const std::vector<delivery_test_db::step>& steps) {
    db.add_customers(customers, "CA");
    auto segment = db.add_segment("CA");
    return db.add_campaign(segment, db.add_flow(segment, steps));
  }

  void set_status(const std::string& id, const std::string& status) {
    auto reply = cdpd::test::http_call(
        cdpd_port, "PUT", "/api/campaigns/" + id + "/status?status=" + status);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  int64_t rows(const std::string& id, const std::string& where) {
    return db.count("SELECT count(*) FROM deliveries WHERE campaign_id = '" +
                    id + "' AND " + where);
  }

  bool finished(const std::string& id) {
    return rows(id, "status IN ('pending', 'sending', 'failed')") == 0 &&
           db.scalar("SELECT status FROM campaigns WHERE id = '" + id + "'") ==
               "completed";
  }

  /// Every row is terminal; each sent row reached the sink exactly once
  /// under its own key and one Message-ID; no key was delivered twice.
  void expect_exactly_once(const std::string& id, int64_t expected_rows) {
    auto seen = provider->read();
    EXPECT_EQ(rows(id, "true"), expected_rows);
    EXPECT_EQ(rows(id, "status IN ('pending', 'sending', 'failed')"), 0);
    pqxx::work tx{db.conn()};
    auto sent = tx.exec("SELECT idempotency_key, message_id FROM deliveries"
                        " WHERE campaign_id = '" +
                        id + "' AND status = 'sent'");
    tx.commit();
    size_t missing = 0;
    for (const auto& row : sent) {
      auto key = row[0].as<std::string>();
      auto i = seen.delivered.find(key);
      if (i == seen.delivered.end())
        ++missing;
    }
    EXPECT_EQ(missing, 0u) << "rows recorded sent that the provider never got";
    for (const auto& [key, count] : seen.delivered)
      EXPECT_EQ(count, 1) << key;
    for (const auto& [key, ids] : seen.message_ids)
      EXPECT_EQ(ids.size(), 1u)
          << "Message-ID changed between attempts of " << key;
    // Every delivered key is one of this campaign's rows: a retry never
    // invents a new key, so the provider's deduplication holds.
    pqxx::work keys{db.conn()};
    auto all = keys.exec("SELECT idempotency_key FROM deliveries WHERE"
                         " campaign_id = '" +
                         id + "'");
    keys.commit();
    std::set<std::string> known;
    for (const auto& row : all)
      known.insert(row[0].as<std::string>());
    for (const auto& [key, count] : seen.delivered)
      EXPECT_TRUE(known.count(key)) << "unknown key " << key;
  }

  delivery_test_db db;
  cdpd::test::temp_state_dir state;
  uint16_t sink_port;
  uint16_t cdpd_port;
  std::unique_ptr<sink> provider;
  std::unique_ptr<child_process> daemon;
};

const std::vector<delivery_test_db::step> two_steps{
    {"SEND_EMAIL", "First {{first_name}}", "One", 0},
    {"WAIT", "", "", 1},
    {"SEND_EMAIL", "Second {{first_name}}", "Two", 0}};

const std::vector<delivery_test_db::step> one_step{
    {"SEND_EMAIL", "Hello {{first_name}}", "Body", 0}};

TEST_F(DeliveryFaults, FailingAndStallingProviderEndsWithEveryRowSentOnce) {
  make_sink({"--fail=0.3", "--slow=0.05", "--slow-seconds=2", "--seed=7"});
  provider->start();
  auto id = make_campaign(300, two_steps);
  start_cdpd({"--delivery.dispatchers=4", "--delivery.max-attempts=12",
              "--delivery.max-age=10m"});
  set_status(id, "active");
  ASSERT_TRUE(wait_until([&] { return finished(id); }, 240s))
      << "rows still open: "
      << rows(id, "status IN ('pending', 'sending', 'failed')");
  expect_exactly_once(id, 600);
  auto seen = provider->read();
  // 30% failures and 5% stalls: retries happened, the answer lost in each
  // stall came back as a duplicate the provider did not deliver again.
  EXPECT_GT(seen.failures, 100);
  EXPECT_GT(seen.duplicates, 0);
  // Only a send whose answer was lost may be sent again; a retry for any
  // other reason (a lease that ran out under a slow batch) would send twice
  // through a provider without idempotency keys, such as SMTP.
  EXPECT_LE(seen.duplicates, seen.stalls);
  // Twelve attempts at a 35% failure rate: no row should have died.
  EXPECT_EQ(rows(id, "status = 'dead'"), 0);
  EXPECT_EQ(seen.total_delivered(), 600u);
  std::cout << "faults: " << seen.failures << " injected failures, "
            << seen.stalls << " stalled answers, " << seen.duplicates
            << " deduplicated retries\n";
}

TEST_F(DeliveryFaults, KillNineWhileSendingLosesNothingAndSendsNothingTwice) {
  make_sink({"--delay=0.01"});
  provider->start();
  auto id = make_campaign(800, one_step);
  start_cdpd({"--delivery.batch-size=50"});
  set_status(id, "active");
  ASSERT_TRUE(wait_until(
      [&] { return provider->read().total_delivered() >= 200; }, 120s));
  daemon->signal(SIGKILL);
  daemon->wait(10s);
  auto at_kill = provider->read().total_delivered();
  EXPECT_LT(at_kill, 800u) << "the kill came too late to mean anything";
  // Rows claimed by the dead process wait for their lease (3 s).
  start_cdpd({"--delivery.batch-size=50"});
  ASSERT_TRUE(wait_until([&] { return finished(id); }, 120s))
      << "rows still open: "
      << rows(id, "status IN ('pending', 'sending', 'failed')");
  expect_exactly_once(id, 800);
  EXPECT_EQ(rows(id, "status = 'sent'"), 800);
  EXPECT_EQ(provider->read().total_delivered(), 800u);
  std::cout << "kill -9 after " << at_kill << " deliveries; "
            << provider->read().duplicates
            << " deduplicated retries after the restart\n";
}

TEST_F(DeliveryFaults, PauseStopsSendingWithinASecondAndResumeFinishes) {
  make_sink({"--delay=0.01"});
  provider->start();
  auto id = make_campaign(800, one_step);
  start_cdpd({"--delivery.batch-size=10"});
  set_status(id, "active");
  ASSERT_TRUE(wait_until(
      [&] { return provider->read().total_delivered() >= 150; }, 120s));
  set_status(id, "paused");
  // Claims stop at once; a claimed batch of ten may still finish.
  std::this_thread::sleep_for(1s);
  auto after_pause = provider->read().total_delivered();
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(provider->read().total_delivered(), after_pause)
      << "sending went on while the campaign was paused";
  EXPECT_LT(after_pause, 800u);
  set_status(id, "active");
  ASSERT_TRUE(wait_until([&] { return finished(id); }, 120s));
  expect_exactly_once(id, 800);
  EXPECT_EQ(rows(id, "status = 'sent'"), 800);
}

TEST_F(DeliveryFaults, ProviderDownOpensTheBreakerAndNothingIsLost) {
  make_sink({});
  auto id = make_campaign(200, one_step);
  start_cdpd({"--delivery.max-attempts=5"});
  set_status(id, "active");
  // The provider refuses connections: a few sends fail, the breaker opens
  // and the rows wait instead of burning their attempts.
  ASSERT_TRUE(wait_until([&] { return rows(id, "attempts > 0") > 0; }, 30s));
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(rows(id, "status = 'sent'"), 0);
  EXPECT_EQ(rows(id, "status = 'dead'"), 0)
      << "rows died while the provider was down";
  auto tried = rows(id, "attempts > 0");
  EXPECT_LT(tried, 200) << "every row was tried against a dead provider";
  provider->start();
  ASSERT_TRUE(wait_until([&] { return finished(id); }, 120s))
      << "rows still open: "
      << rows(id, "status IN ('pending', 'sending', 'failed')");
  expect_exactly_once(id, 200);
  EXPECT_EQ(rows(id, "status = 'sent'"), 200);
  std::cout << "provider down: " << tried
            << " rows were tried before the breaker held them\n";
}

} // namespace
