#include "storage/redis_url.hpp"

#include <gtest/gtest.h>

#include "storage/errc.hpp"

namespace cdpd::storage {
namespace {

TEST(ParseRedisUrl, HostOnlyUsesDefaults) {
  auto ep = parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(ep) << describe(ep.error());
  EXPECT_EQ(ep->host, "cache.internal");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->password, "");
  EXPECT_EQ(ep->username, "");
  EXPECT_EQ(ep->db, 0);
}

TEST(ParseRedisUrl, PortAndDatabase) {
  auto ep = parse_redis_url("redis://127.0.0.1:26379/3");
  ASSERT_TRUE(ep) << describe(ep.error());
  EXPECT_EQ(ep->host, "127.0.0.1");
  EXPECT_EQ(ep->port, 26379);
  EXPECT_EQ(ep->db, 3);
  auto slash_only = parse_redis_url("redis://h:1/");
  ASSERT_TRUE(slash_only);
  EXPECT_EQ(slash_only->db, 0);
}

TEST(ParseRedisUrl, PasswordAndUser) {
  auto only_password = parse_redis_url("redis://:s3cret@h:7000");
  ASSERT_TRUE(only_password) << describe(only_password.error());
  EXPECT_EQ(only_password->username, "");
  EXPECT_EQ(only_password->password, "s3cret");
  EXPECT_EQ(only_password->port, 7000);
  auto with_user = parse_redis_url("redis://app:p%40ss%2Fword@h/2");
  ASSERT_TRUE(with_user) << describe(with_user.error());
  EXPECT_EQ(with_user->username, "app");
  EXPECT_EQ(with_user->password, "p@ss/word");
  EXPECT_EQ(with_user->db, 2);
  // The last '@' ends the user info, so a raw '@' in a password works.
  auto raw_at = parse_redis_url("redis://:a@b@h");
  ASSERT_TRUE(raw_at) << describe(raw_at.error());
  EXPECT_EQ(raw_at->password, "a@b");
  EXPECT_EQ(raw_at->host, "h");
}

TEST(ParseRedisUrl, Ipv6Literal) {
  auto ep = parse_redis_url("redis://[::1]:6380/1");
  ASSERT_TRUE(ep) << describe(ep.error());
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->db, 1);
}

TEST(ParseRedisUrl, RejectsWhatItCannotHonour) {
  for (const char* bad :
       {"", "cache:6379", "rediss://h", "unix:///tmp/redis.sock", "redis://",
        "redis://:6379", "redis://h:", "redis://h:0", "redis://h:70000",
        "redis://h:12ab", "redis://h/x", "redis://h/-1", "redis://h?db=1",
        "redis://secret@h", "redis://:bad%zz@h", "redis://[::1",
        "redis://[::1]x"}) {
    auto ep = parse_redis_url(bad);
    ASSERT_FALSE(ep) << "accepted \"" << bad << "\"";
    EXPECT_TRUE(ep.error() == errc::invalid_url) << bad;
    EXPECT_NE(describe(ep.error()).find("redis://"), std::string::npos)
        << describe(ep.error());
  }
}

TEST(ParseRedisUrl, ExplainsAMissingColonBeforeThePassword) {
  auto ep = parse_redis_url("redis://secret@h");
  ASSERT_FALSE(ep);
  EXPECT_NE(describe(ep.error()).find("redis://:secret@host"),
            std::string::npos)
      << describe(ep.error());
}

} // namespace
} // namespace cdpd::storage
