#include "net/http/uri.hpp"

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

TEST(split_target, separates_path_and_query) {
  auto parts = split_target("/a/b?x=1&y=2");
  EXPECT_EQ(parts.path, "/a/b");
  EXPECT_EQ(parts.query, "x=1&y=2");
}

TEST(split_target, handles_missing_and_empty_query_and_fragment) {
  EXPECT_EQ(split_target("/a").path, "/a");
  EXPECT_EQ(split_target("/a").query, "");
  EXPECT_EQ(split_target("/a?").path, "/a");
  EXPECT_EQ(split_target("/a?").query, "");
  EXPECT_EQ(split_target("/a?x=1#frag").query, "x=1");
  EXPECT_EQ(split_target("/a#frag?x").path, "/a");
  EXPECT_EQ(split_target("/a?x=a?b").query, "x=a?b");
}

TEST(percent_decode, decodes_escapes) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2F%2f"), "//");
  EXPECT_EQ(percent_decode("%C3%A9t%C3%A9"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("plain"), "plain");
}

TEST(percent_decode, plus_is_a_space_only_in_queries) {
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a%2Bb", true), "a+b");
}

TEST(percent_decode, rejects_malformed_escapes) {
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("abc%4"), std::nullopt);
  EXPECT_EQ(percent_decode("%g0"), std::nullopt);
  EXPECT_EQ(percent_decode("%0g"), std::nullopt);
}

TEST(parse_query, decodes_names_and_values) {
  auto query = parse_query("name=J%C3%BCrgen+M&tag=a%26b&empty=&flag");
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(query->at("name"), "J\xC3\xBCrgen M");
  EXPECT_EQ(query->at("tag"), "a&b");
  EXPECT_EQ(query->at("empty"), "");
  EXPECT_EQ(query->at("flag"), "");
  EXPECT_EQ(query->size(), 4u);
}

TEST(parse_query, first_occurrence_wins_and_empty_pairs_are_skipped) {
  auto query = parse_query("&a=1&&a=2&b=x=y&");
  ASSERT_TRUE(query.has_value());
  EXPECT_EQ(query->at("a"), "1");
  EXPECT_EQ(query->at("b"), "x=y");
  EXPECT_EQ(query->size(), 2u);
}

TEST(parse_query, empty_query_is_empty) {
  auto query = parse_query("");
  ASSERT_TRUE(query.has_value());
  EXPECT_TRUE(query->empty());
}

TEST(parse_query, rejects_malformed_escapes) {
  EXPECT_EQ(parse_query("a=%zz"), std::nullopt);
  EXPECT_EQ(parse_query("%=1"), std::nullopt);
}

} // namespace
} // namespace cdpd::net
