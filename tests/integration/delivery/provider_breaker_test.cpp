// The email provider behind its breaker, against a real SMTP port: refused
// connections open the breaker, sends then fail fast and dispatchers claim
// nothing; once an SMTP server (aiosmtpd) listens and the reset timeout
// passed, one probe goes through and closes it again.
#include <chrono>
#include <csignal>
#include <memory>

#include <gtest/gtest.h>

#include "actors/delivery/provider_breaker.hpp"
#include "apps/cdpd/delivery_subtree.hpp"
#include "config/settings.hpp"
#include "net/auth/link_token.hpp"
#include "net/email/provider.hpp"
#include "tests/integration/email/email_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::actors::breaker_state;
using cdpd::actors::delivery::provider_breaker;
using cdpd::actors::delivery::send_outcome;

TEST(ProviderBreaker, OpensOnRefusedConnectionsAndClosesOnAProbe) {
  auto port = cdpd::test::free_port();
  cdpd::test::temp_dir dir;
  cdpd::config::email_settings settings;
  settings.provider = "smtp";
  settings.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  settings.timeout = 5s;
  auto provider = cdpd::net::email::make_provider(settings);
  ASSERT_TRUE(provider);
  cdpd::net::email::message_links links{
      "http://127.0.0.1:8000",
      std::make_shared<const cdpd::net::auth::link_signer>(
          "provider-breaker-test-key-32-bytes-long")};
  auto send = cdpd::app::make_email_sender(std::move(*provider),
                                           "Shop <news@shop.example>", links);

  cdpd::actors::breaker_policy policy;
  policy.enabled = true;
  policy.max_failures = 2;
  policy.reset_timeout = 300ms;
  auto breaker = std::make_shared<provider_breaker>(policy);
  auto guarded = breaker->guard(send);

  cdpd::storage::claimed_delivery d;
  d.id = 1;
  d.campaign_id = "c";
  d.email = "reader@example.com";
  d.idempotency_key = "c:1:reader";
  d.subject = "Hello {{first_name}}";
  d.body_text = "Body";
  d.first_name = "Ana";

  for (int i = 0; i < 2; ++i) {
    auto refused = guarded(d);
    EXPECT_EQ(refused.result, send_outcome::kind::retryable);
    EXPECT_EQ(refused.error.find("circuit open"), std::string::npos)
        << refused.error;
  }
  EXPECT_EQ(breaker->state(), breaker_state::open);
  EXPECT_FALSE(breaker->ready());
  auto fast = guarded(d);
  EXPECT_EQ(fast.result, send_outcome::kind::held);
  EXPECT_NE(fast.error.find("circuit open"), std::string::npos) << fast.error;

  cdpd::test::child_process smtp{{"/usr/bin/python3", "-m", "aiosmtpd", "-n",
                                  "-l", "127.0.0.1:" + std::to_string(port),
                                  "-c", "aiosmtpd.handlers.Mailbox",
                                  dir.path() + "/maildir"}};
  ASSERT_TRUE(cdpd::test::wait_until(
      [&] { return cdpd::test::port_accepts(port); }, 20s))
      << smtp.output();
  ASSERT_TRUE(cdpd::test::wait_until([&] { return breaker->ready(); }, 5s));
  auto probe = guarded(d);
  EXPECT_EQ(probe.result, send_outcome::kind::sent) << probe.error;
  EXPECT_EQ(breaker->state(), breaker_state::closed);
  EXPECT_TRUE(breaker->ready());
  smtp.signal(SIGTERM);
  smtp.wait(5s);
}

} // namespace
