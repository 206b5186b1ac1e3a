#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/segments/engine/evaluate.hpp"
#include "storage/segments/definition.hpp"

namespace {

namespace seg = cdpd::storage::segments;
using namespace cdpd::actors::segments::engine;
using json = nlohmann::json;

constexpr std::int64_t day_us = 86'400'000'000;
// 2026-06-15 00:00:00 UTC
constexpr std::int64_t now_us = 1781481600000000;

customer_columns sample() {
  columns_builder b;
  customer_record a;
  a.id = "00000000-0000-0000-0000-00000000000a";
  a.email = "Anna@Example.com";
  a.first_name = "Ánna";
  a.last_name = "Smith";
  a.shipping_state = "CA";
  a.total_order_value_cents = 29;
  a.order_count = 2;
  a.last_order_date = now_us - 3 * day_us;
  a.created_at = now_us - 400 * day_us;
  b.add_customer(a);
  b.add_order({now_us - 3 * day_us,
               1000,
               "delivered",
               "web",
               {{"Electronics", "11111111-1111-1111-1111-111111111111"}}});
  b.add_order({now_us - 40 * day_us, 1001, "delivered", "store", {}});
  customer_record z;
  z.id = "00000000-0000-0000-0000-00000000000b";
  z.email = "zed@mail.de";
  z.first_name = "ZED";
  z.last_name = "";
  z.marketing_opt_in = false;
  z.created_at = now_us - 10 * day_us;
  b.add_customer(z);
  return *b.finish();
}

std::vector<std::string> ids(const json& definition) {
  auto parsed = seg::parse_definition(definition);
  EXPECT_TRUE(parsed.ok()) << definition.dump();
  if (!parsed.ok())
    return {"<invalid>"};
  auto cols = sample();
  std::chrono::system_clock::time_point now{std::chrono::microseconds{now_us}};
  auto bits = evaluate(*parsed.definition, cols, now);
  EXPECT_TRUE(bits) << definition.dump();
  std::vector<std::string> out;
  if (bits)
    bits->for_each(
        [&](std::size_t r) { out.push_back(cols.ids[r].substr(35)); });
  return out;
}

json leaf(const char* f, const char* o, json v) {
  return {{"criteria", {{{"field", f}, {"operator", o}, {"value", v}}}}};
}

using list = std::vector<std::string>;

TEST(engine_evaluate, text_tests_are_case_insensitive_with_unicode) {
  EXPECT_EQ(ids(leaf("first_name", "starts_with", "ÁN")), list{"a"});
  EXPECT_EQ(ids(leaf("email", "contains", "EXAMPLE")), list{"a"});
  EXPECT_EQ(ids(leaf("email", "ends_with", "DE")), list{"b"});
  EXPECT_EQ(ids(leaf("first_name", "eq", "zed")), list{});
}

TEST(engine_evaluate, nulls_and_empty_strings) {
  EXPECT_EQ(ids(leaf("shipping_state", "neq", "NY")), list{"a"});
  EXPECT_EQ(ids(leaf("shipping_state", "not_in", json::array())), list{"a"});
  EXPECT_EQ(
      ids({{"criteria", {{{"field", "last_name"}, {"operator", "missing"}}}}}),
      list{"b"});
  EXPECT_EQ(ids(leaf("average_order_value", "gt", 0)), list{"a"});
}

TEST(engine_evaluate, numbers_compare_as_decimals) {
  EXPECT_EQ(ids(leaf("total_order_value", "eq", 0.29)), list{"a"});
  EXPECT_EQ(ids(leaf("average_order_value", "eq", 10.005)), list{"a"});
  EXPECT_EQ(ids(leaf("lifetime_value", "eq", 20.01)), list{"a"});
  EXPECT_EQ(ids(leaf("total_order_value", "eq", "0.29")), list{});
  EXPECT_EQ(ids(leaf("days_since_last_order", "gt", 900000)), list{"b"});
}

TEST(engine_evaluate, relative_dates_and_groups) {
  EXPECT_EQ(ids(leaf("last_order_date", "lt", "relative_7")), list{"a"});
  EXPECT_EQ(ids(leaf("last_order_date", "gt", "relative_7")), list{"b"});
  // Other operators give no result; a group of only those matches nobody.
  EXPECT_EQ(ids(leaf("last_order_date", "eq", "relative_7")), list{});
  json none{
      {"logical_operator", "NOT"},
      {"criteria",
       {{{"field", "marketing_opt_in"}, {"operator", "eq"}, {"value", true}},
        {{"field", "created_at"},
         {"operator", "eq"},
         {"value", "relative_1"}}}}};
  EXPECT_EQ(ids(none), list{"b"});
}

TEST(engine_evaluate, event_conditions) {
  json recent{{"criteria",
               {{{"event", "order"},
                 {"where", {{"category", "Electronics"}}},
                 {"within_last_days", 30},
                 {"operator", "gte"},
                 {"value", 1}}}}};
  EXPECT_EQ(ids(recent), list{"a"});
  json none{
      {"criteria", {{{"event", "order"}, {"operator", "eq"}, {"value", 0}}}}};
  EXPECT_EQ(ids(none), list{"b"});
  json sum{{"criteria",
            {{{"event", "order"},
              {"aggregate", "sum"},
              {"where", {{"channel", json::array({"store", "web"})}}},
              {"operator", "between"},
              {"value", json::array({20.01, 20.01})}}}}};
  EXPECT_EQ(ids(sum), list{"a"});
}

} // namespace
