#include <gtest/gtest.h>

#include "net/api/paging.hpp"
#include "net/api/validation.hpp"

using namespace cdpd::net::api;
using nlohmann::json;

TEST(validation, CoercesLikePydantic1) {
  issues found;
  json obj{{"s", 12},      {"b", "yes"},           {"i", "42"}, {"f", "1.5"},
           {"n", nullptr}, {"bad", json::array()}, {"t", 2.9}};
  const json loc = json::array({"body"});
  EXPECT_EQ(read_string(obj, "s", loc, found).value, "12");
  EXPECT_EQ(read_bool(obj, "b", loc, found).value, true);
  EXPECT_EQ(read_int(obj, "i", loc, found).value, 42);
  EXPECT_EQ(read_int(obj, "t", loc, found).value, 2);
  EXPECT_EQ(read_number(obj, "f", loc, found).value, 1.5);
  EXPECT_TRUE(read_string(obj, "n", loc, found).is_null());
  EXPECT_FALSE(read_string(obj, "absent", loc, found).present);
  EXPECT_TRUE(found.empty());
  EXPECT_FALSE(read_string(obj, "bad", loc, found).value);
  EXPECT_FALSE(read_int(obj, "s2", loc, found).present);
  EXPECT_FALSE(found.empty());
}

TEST(validation, ResponseIs422WithTheDetailArray) {
  issues found;
  auto f = read_string(json::object(), "email", json::array({"body"}), found);
  EXPECT_FALSE(require(f, json::array({"body"}), "email", found));
  auto response = found.response();
  EXPECT_EQ(response.status, 422);
  auto body = json::parse(response.body);
  EXPECT_EQ(body["detail"],
            json::parse(R"([{"loc":["body","email"],"msg":"field required",)"
                        R"("type":"value_error.missing"}])"));
}

TEST(validation, BodiesMustBeObjects) {
  for (auto text : {"", "  ", "{", "[]", "3"}) {
    issues found;
    EXPECT_FALSE(parse_object(text, found)) << text;
    EXPECT_FALSE(found.empty());
  }
  issues found;
  EXPECT_TRUE(parse_object(R"({"a":1})", found));
}

TEST(validation, NumbersBeyondDoubleAreADecodeError) {
  // nlohmann reports 1e999 as out_of_range, not parse_error: a 422, never
  // an escaping exception (found by tests/fuzz/json_body_fuzz.cpp).
  for (auto text : {R"({"a":1e999})", R"({"a":-1e400})"}) {
    issues found;
    EXPECT_FALSE(parse_object(text, found)) << text;
    auto body = nlohmann::json::parse(found.response().body);
    EXPECT_EQ(body["detail"][0]["type"], "value_error.jsondecode") << text;
  }
}

TEST(validation, DeepNestingIsRefusedNotRecursedInto) {
  // 128 levels pass; one more is a 422 naming the limit. A hostile body of
  // a million brackets is refused the same way, without exhausting the
  // stack.
  auto nested = [](int depth) {
    return "{\"a\":" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  issues ok;
  EXPECT_TRUE(parse_object(nested(max_json_depth), ok));
  for (int depth : {max_json_depth + 1, 1'000'000}) {
    issues found;
    EXPECT_FALSE(parse_object(nested(depth), found)) << depth;
    auto body = nlohmann::json::parse(found.response().body);
    EXPECT_EQ(body["detail"][0]["msg"], "JSON nested deeper than 128 levels");
    EXPECT_EQ(body["detail"][0]["type"], "value_error.jsondepth");
  }
}

TEST(validation, PagingClampsAndParsesCursors) {
  cdpd::net::http_request req;
  req.query = {{"limit", "5000"}, {"skip", "-3"}};
  issues found;
  auto page = read_page(req, found);
  EXPECT_TRUE(found.empty());
  EXPECT_EQ(page.limit, max_page_limit);
  EXPECT_EQ(page.skip, 0);
  cdpd::storage::page_cursor cursor{"2024-01-01T00:00:00.123456",
                                    "123e4567-e89b-42d3-a456-426614174000"};
  auto decoded = decode_cursor(encode_cursor(cursor));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->created_at, cursor.created_at);
  EXPECT_EQ(decoded->id, cursor.id);
  EXPECT_FALSE(decode_cursor("2024-01-01~nope"));
}
