// Message link tokens: made and checked without a database, bound to their
// kind, delivery and (for clicks) URL, and refused when altered.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/auth/link_token.hpp"

namespace cdpd::net::auth {
namespace {

const link_signer signer{"a-cluster-signing-key-of-32-bytes-or-more"};

int64_t in_seconds(int64_t seconds) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         seconds;
}

TEST(LinkToken, RoundTripsEveryKind) {
  auto expires = in_seconds(3600);
  for (auto kind :
       {link_kind::unsubscribe, link_kind::open, link_kind::click}) {
    auto token = signer.sign(kind, 42, "https://shop.example/p?x=1", expires);
    EXPECT_EQ(token.rfind("42." + std::to_string(expires) + ".", 0), 0u)
        << token;
    EXPECT_EQ(signer.verify(kind, token, "https://shop.example/p?x=1"), 42);
  }
  EXPECT_EQ(signer.sign(link_kind::unsubscribe, 42).size(), 3u + 22u);
}

TEST(LinkToken, AnExpiredClickLinkRedirectsNowhere) {
  std::string url = "https://shop.example/sale";
  auto expired = signer.sign(link_kind::click, 42, url, in_seconds(-1));
  EXPECT_FALSE(signer.verify(link_kind::click, expired, url));
  // Nor can the expiry be moved: the MAC covers it.
  auto later = std::to_string(in_seconds(3600));
  auto first_dot = expired.find('.');
  auto second_dot = expired.find('.', first_dot + 1);
  auto extended =
      expired.substr(0, first_dot + 1) + later + expired.substr(second_dot);
  EXPECT_FALSE(signer.verify(link_kind::click, extended, url)) << extended;
  // Nor dropped: click and open links must carry one.
  for (auto kind : {link_kind::click, link_kind::open}) {
    auto forever = signer.sign(kind, 42, url);
    EXPECT_FALSE(signer.verify(kind, forever, url)) << forever;
  }
  // Unsubscribe links keep working without one (RFC 8058).
  EXPECT_EQ(signer.verify(link_kind::unsubscribe,
                          signer.sign(link_kind::unsubscribe, 42)),
            42);
}

TEST(LinkToken, BoundToKindDeliveryUrlAndKey) {
  auto unsubscribe = signer.sign(link_kind::unsubscribe, 42);
  EXPECT_FALSE(signer.verify(link_kind::open, unsubscribe));
  auto click = signer.sign(link_kind::click, 42, "https://shop.example/a",
                           in_seconds(3600));
  EXPECT_FALSE(signer.verify(link_kind::click, click, "https://evil.example"));
  EXPECT_FALSE(signer.verify(link_kind::click, click, "https://shop.example/"));
  // Another delivery's id with this MAC.
  auto mac = unsubscribe.substr(unsubscribe.find('.'));
  EXPECT_FALSE(signer.verify(link_kind::unsubscribe, "43" + mac));
  link_signer other{"another-cluster-signing-key-of-32-bytes"};
  EXPECT_FALSE(other.verify(link_kind::unsubscribe, unsubscribe));
}

TEST(LinkToken, MalformedTextIsRefused) {
  auto good = signer.sign(link_kind::unsubscribe, 7);
  auto mac = good.substr(good.find('.'));
  for (std::string bad : std::vector<std::string>{
           "", ".", "7", "7.", "007" + mac, "+7" + mac, "-7" + mac, "0" + mac,
           "7" + mac + "x", "99999999999999999999" + mac,
           good.substr(0, good.size() - 1), std::string(500, '7')})
    EXPECT_FALSE(signer.verify(link_kind::unsubscribe, bad)) << bad;
  EXPECT_EQ(signer.verify(link_kind::unsubscribe, good), 7);
}

} // namespace
} // namespace cdpd::net::auth
