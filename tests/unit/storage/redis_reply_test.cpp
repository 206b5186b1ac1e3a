#include "storage/redis_reply.hpp"

#include <gtest/gtest.h>

namespace cdpd::storage {
namespace {

TEST(RedisReply, FactoriesSetTheKind) {
  EXPECT_TRUE(redis_reply::nil().is_nil());
  EXPECT_EQ(redis_reply::status("OK").type, redis_reply::kind::status);
  EXPECT_EQ(redis_reply::string("x").type, redis_reply::kind::string);
  EXPECT_EQ(redis_reply::number(7).integer, 7);
  EXPECT_TRUE(redis_reply::error("ERR no").is_error());
  EXPECT_EQ(redis_reply::array({redis_reply::nil()}).elements.size(), 1u);
}

TEST(RedisReply, ComparesByValue) {
  auto a =
      redis_reply::array({redis_reply::string("x"), redis_reply::number(1)});
  auto b =
      redis_reply::array({redis_reply::string("x"), redis_reply::number(1)});
  auto c =
      redis_reply::array({redis_reply::string("x"), redis_reply::number(2)});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(redis_reply::status("OK"), redis_reply::string("OK"));
}

TEST(RedisReply, RendersLikeRedisCli) {
  EXPECT_EQ(to_string(redis_reply::nil()), "(nil)");
  EXPECT_EQ(to_string(redis_reply::status("PONG")), "PONG");
  EXPECT_EQ(to_string(redis_reply::string("abc")), "\"abc\"");
  EXPECT_EQ(to_string(redis_reply::number(3)), "(integer) 3");
  EXPECT_EQ(to_string(redis_reply::error("ERR x")), "(error) ERR x");
  EXPECT_EQ(to_string(redis_reply::array(
                {redis_reply::string("a"), redis_reply::nil()})),
            "[1) \"a\", 2) (nil)]");
  EXPECT_STREQ(to_string(redis_reply::kind::integer), "integer");
}

} // namespace
} // namespace cdpd::storage
