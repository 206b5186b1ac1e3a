// [http] TLS, [email], [delivery] and [segments]: environment names, the
// rules between keys, and that the provider key never shows.
#include <gtest/gtest.h>

#include "config/schema.hpp"
#include "tests/unit/config/load_helpers.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

TEST(DeliveryOptions, DefaultsSendToTheOutboxAtOnce) {
  const settings s;
  EXPECT_EQ(s.email.provider, "outbox");
  EXPECT_EQ(s.email.smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(s.delivery.timezone, "UTC");
  EXPECT_EQ(s.delivery.wait_day, 24h);
  EXPECT_GT(s.delivery.lease, s.email.timeout);
  EXPECT_EQ(s.segments.shards, 16);
  EXPECT_TRUE(s.http.tls_cert.empty());
}

TEST(DeliveryOptions, TakenFromTheEnvironment) {
  auto s = loaded({}, {{"CDPD_EMAIL_PROVIDER", "smtp"},
                       {"CDPD_EMAIL_SMTP_URL", "smtp://127.0.0.1:2525"},
                       {"CDPD_EMAIL_RATE_PER_SECOND", "12"},
                       {"CDPD_DELIVERY_WAIT_DAY", "2s"}})
               .values;
  EXPECT_EQ(s.email.provider, "smtp");
  EXPECT_EQ(s.email.rate_per_second, 12);
  EXPECT_EQ(s.delivery.wait_day, 2s);
}

TEST(DeliveryOptions, TlsNeedsBothFiles) {
  auto message = load_fails({"--http.tls-cert=/etc/cdpd/cert.pem"});
  EXPECT_NE(message.find("http.tls-key"), std::string::npos) << message;
  EXPECT_NE(message.find("both"), std::string::npos) << message;
}

TEST(DeliveryOptions, HttpProviderNeedsItsUrl) {
  auto message = load_fails({"--email.provider=http"});
  EXPECT_NE(message.find("email.http-url"), std::string::npos) << message;
}

TEST(DeliveryOptions, LeaseMustOutlastOneSend) {
  auto message = load_fails({"--delivery.lease=10s", "--email.timeout=30s"});
  EXPECT_NE(message.find("delivery.lease"), std::string::npos) << message;
  EXPECT_NE(message.find("email.timeout (30s)"), std::string::npos) << message;
}

TEST(DeliveryOptions, UrlsAreChecked) {
  for (auto bad : {"--email.smtp-url=mail.example.com",
                   "--email.http-url=ftp://x", "--delivery.public-url=x",
                   "--delivery.public-url=https://shop.example.com/"})
    EXPECT_FALSE(load_fails({bad}).empty()) << bad;
}

TEST(DeliveryOptions, ProviderKeyIsNeverShown) {
  auto s = loaded({"--email.http-api-key=SG.very-secret"}).values;
  EXPECT_EQ(dump(s).find("very-secret"), std::string::npos);
  auto message = load_fails(
      {"--email.http-api-key=SG.very-secret", "--email.timeout=nope"});
  EXPECT_EQ(message.find("very-secret"), std::string::npos) << message;
}

} // namespace
} // namespace cdpd::config
