// The webhook URL rules without the network: address kinds and the checks
// of a URL's form, including IP literals that name non-public hosts.
#include "actors/domain/webhook_target.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

using namespace cdpd::actors::domain;

namespace {

address_kind kind_of(const char* text) {
  sockaddr_in v4{};
  if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return classify_address(reinterpret_cast<sockaddr*>(&v4));
  }
  sockaddr_in6 v6{};
  EXPECT_EQ(inet_pton(AF_INET6, text, &v6.sin6_addr), 1) << text;
  v6.sin6_family = AF_INET6;
  return classify_address(reinterpret_cast<sockaddr*>(&v6));
}

std::string check(const std::string& url, webhook_rules rules = {}) {
  webhook_url_parts parts;
  return check_webhook_url(url, rules, parts);
}

TEST(WebhookTarget, AddressKinds) {
  EXPECT_EQ(kind_of("127.0.0.1"), address_kind::loopback);
  EXPECT_EQ(kind_of("127.255.1.2"), address_kind::loopback);
  EXPECT_EQ(kind_of("0.0.0.0"), address_kind::unspecified);
  EXPECT_EQ(kind_of("10.20.30.40"), address_kind::private_net);
  EXPECT_EQ(kind_of("172.16.0.1"), address_kind::private_net);
  EXPECT_EQ(kind_of("172.31.255.255"), address_kind::private_net);
  EXPECT_EQ(kind_of("172.32.0.1"), address_kind::global);
  EXPECT_EQ(kind_of("192.168.1.1"), address_kind::private_net);
  EXPECT_EQ(kind_of("100.64.0.1"), address_kind::private_net);
  EXPECT_EQ(kind_of("169.254.169.254"), address_kind::link_local);
  EXPECT_EQ(kind_of("224.0.0.1"), address_kind::multicast);
  EXPECT_EQ(kind_of("255.255.255.255"), address_kind::reserved);
  EXPECT_EQ(kind_of("8.8.8.8"), address_kind::global);
  EXPECT_EQ(kind_of("::1"), address_kind::loopback);
  EXPECT_EQ(kind_of("::"), address_kind::unspecified);
  EXPECT_EQ(kind_of("fe80::1"), address_kind::link_local);
  EXPECT_EQ(kind_of("fd00::1"), address_kind::private_net);
  EXPECT_EQ(kind_of("ff02::1"), address_kind::multicast);
  EXPECT_EQ(kind_of("::ffff:127.0.0.1"), address_kind::loopback);
  EXPECT_EQ(kind_of("::ffff:169.254.169.254"), address_kind::link_local);
  EXPECT_EQ(kind_of("64:ff9b::a9fe:a9fe"), address_kind::reserved);
  EXPECT_EQ(kind_of("2606:4700::1111"), address_kind::global);
}

TEST(WebhookTarget, UrlForm) {
  EXPECT_EQ(check("https://hooks.example.com/in"), "");
  EXPECT_EQ(check("https://8.8.8.8:8443/in?x=1"), "");
  EXPECT_NE(check("http://hooks.example.com/in").find("webhooks.allow-http"),
            std::string::npos);
  EXPECT_EQ(check("http://hooks.example.com/in", {true, false}), "");
  EXPECT_NE(check("ftp://hooks.example.com/in").find("https"),
            std::string::npos);
  EXPECT_NE(check("hooks.example.com/in"), "");
  EXPECT_NE(check(""), "");
  EXPECT_NE(check("https://user:pw@hooks.example.com/"), "");
  EXPECT_NE(check("https://hooks.example.com/#frag"), "");
}

TEST(WebhookTarget, LiteralAddressesNeedAllowPrivate) {
  for (auto url : {"https://127.0.0.1/in", "https://10.0.0.8/in",
                   "https://169.254.169.254/latest/meta-data",
                   "https://[::1]:9000/in", "https://[fe80::1]/in",
                   "https://0.0.0.0/in", "https://[::ffff:10.1.1.1]/in"}) {
    auto why = check(url);
    EXPECT_NE(why.find("webhooks.allow-private"), std::string::npos)
        << url << ": " << why;
    EXPECT_EQ(check(url, {false, true}), "") << url;
  }
  EXPECT_NE(check("https://127.0.0.1/in").find("loopback"), std::string::npos);
  EXPECT_NE(check("https://169.254.169.254/").find("link-local"),
            std::string::npos);
}

TEST(WebhookTarget, NamesAreResolved) {
  auto why = check_webhook_target("https://localhost/in", {});
  EXPECT_NE(why.find("loopback"), std::string::npos) << why;
  EXPECT_EQ(check_webhook_target("https://localhost/in", {false, true}), "");
  EXPECT_NE(check_webhook_target("https://no-such-host.invalid/in", {}), "");
}

} // namespace
