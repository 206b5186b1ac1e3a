// email.rate-per-second through the real daemon: its dispatchers ask the
// node's limiter hosts, so a campaign to the outbox leaves at that rate.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actors/campaigns/campaign_lifecycle.hpp"
#include "storage/repositories/delivery_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace std::chrono_literals;
TEST(NodeThrottle, RatePerSecondSpacesACampaignThroughTheLimiterHosts) {
  cdpd::test::delivery_test_db db;
  db.add_customers(20, "CA");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
  auto campaign = db.add_campaign(segment, flow);

  cdpd::test::temp_state_dir state;
  auto outbox = state.path() + "/outbox";
  auto port = cdpd::test::free_port();
  auto daemon = cdpd::test::start_cdpd(
      port, {"--postgres.url=" + db.url(), "--state.dir=" + state.path(),
             "--log.level=warn", "--email.provider=outbox",
             "--email.outbox-dir=" + outbox, "--email.rate-per-second=10",
             "--delivery.dispatchers=2", "--delivery.poll-interval=100ms"});
  ASSERT_TRUE(cdpd::test::wait_ready_status(port, 200, 60s))
      << daemon->output();
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));

  ASSERT_TRUE(cdpd::test::wait_until(
      [&] {
        return db.count("SELECT count(*) FROM deliveries"
                        " WHERE status = 'sent'") == 20;
      },
      60s))
      << daemon->output();
  auto times = cdpd::test::outbox_write_times(outbox);
  ASSERT_EQ(times.size(), 20u);
  auto [first, last] = std::minmax_element(times.begin(), times.end());
  // Two dispatchers share the provider's key: 20 messages at 10 a second
  // take 19 intervals of 100 ms. Only a lower bound: slow is fine.
  EXPECT_GE(*last - *first, 1700ms) << daemon->output();
}

} // namespace
