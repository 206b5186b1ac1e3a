#include "net/http/request_id.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

TEST(request_id, accepts_sane_ids) {
  EXPECT_TRUE(acceptable_request_id("abc-123"));
  EXPECT_TRUE(acceptable_request_id("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"));
  EXPECT_TRUE(acceptable_request_id(std::string(128, 'x')));
  EXPECT_TRUE(acceptable_request_id("!~"));
}

TEST(request_id, rejects_empty_long_and_unprintable_ids) {
  EXPECT_FALSE(acceptable_request_id(""));
  EXPECT_FALSE(acceptable_request_id(std::string(129, 'x')));
  EXPECT_FALSE(acceptable_request_id("has space"));
  EXPECT_FALSE(acceptable_request_id("tab\there"));
  EXPECT_FALSE(acceptable_request_id("new\nline"));
  EXPECT_FALSE(acceptable_request_id("caf\xC3\xA9"));
  EXPECT_FALSE(acceptable_request_id(std::string{"nul\0x", 5}));
}

TEST(request_id, generates_32_hex_digits) {
  auto id = generate_request_id();
  ASSERT_EQ(id.size(), 32u);
  for (char c : id)
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
  EXPECT_TRUE(acceptable_request_id(id));
}

TEST(request_id, generated_ids_differ) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i)
    ids.insert(generate_request_id());
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(request_id, choose_keeps_acceptable_and_replaces_others) {
  EXPECT_EQ(choose_request_id("client-id-7"), "client-id-7");
  auto replaced = choose_request_id(std::string(200, 'x'));
  EXPECT_EQ(replaced.size(), 32u);
  EXPECT_NE(choose_request_id(""), "");
}

} // namespace
} // namespace cdpd::net
