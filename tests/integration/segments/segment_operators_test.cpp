#include <memory>

#include <gtest/gtest.h>

#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/segments/small_dataset.hpp"

namespace cdpd::test {
namespace {

// One condition as a flat definition.
std::string one(const std::string& field, const std::string& op,
                const std::string& value) {
  return R"({"criteria":[{"field":")" + field + R"(","operator":")" + op +
         R"(","value":)" + value + "}]}";
}

std::string one(const std::string& field, const std::string& op) {
  return R"({"criteria":[{"field":")" + field + R"(","operator":")" + op +
         R"("}]})";
}

class SegmentOperators : public ::testing::Test {
protected:
  static void SetUpTestSuite() { data = std::make_unique<small_dataset>(); }
  static void TearDownTestSuite() { data.reset(); }
  static std::string match(const std::string& def) { return data->match(def); }
  static std::unique_ptr<small_dataset> data;
};

std::unique_ptr<small_dataset> SegmentOperators::data;

TEST_F(SegmentOperators, NumbersCompareNumerically) {
  EXPECT_EQ(match(one("total_order_value", "gt", "1000")), "ce");
  EXPECT_EQ(match(one("total_order_value", "gte", "1000")), "ace");
  EXPECT_EQ(match(one("total_order_value", "lt", "1000")), "bd");
  EXPECT_EQ(match(one("total_order_value", "lte", "999.99")), "bd");
  EXPECT_EQ(match(one("total_order_value", "eq", "1000")), "a");
  EXPECT_EQ(match(one("total_order_value", "eq", "1000.0")), "a");
  EXPECT_EQ(match(one("total_order_value", "neq", "1000")), "bcde");
  EXPECT_EQ(match(one("total_order_value", "between", "[999.99, 1000.01]")),
            "acd");
  EXPECT_EQ(match(one("total_order_value", "in", R"([0, 5000, "x"])")), "be");
  EXPECT_EQ(match(one("total_order_value", "not_in", "[0]")), "acde");
  EXPECT_EQ(match(one("total_order_value", "exists")), "abcde");
  EXPECT_EQ(match(one("total_order_value", "missing")), "");
  EXPECT_EQ(match(one("order_count", "eq", "0")), "b");
  EXPECT_EQ(match(one("order_count", "gte", "10")), "de");
}

TEST_F(SegmentOperators, TypeMismatchesAndNullsNeverMatch) {
  EXPECT_EQ(match(one("total_order_value", "gt", R"("100")")), "");
  EXPECT_EQ(match(one("total_order_value", "gt", "null")), "");
  EXPECT_EQ(match(one("total_order_value", "between", R"([1, "9"])")), "");
  EXPECT_EQ(match(one("shipping_state", "eq", "5")), "");
  EXPECT_EQ(match(one("shipping_state", "eq", "null")), "");
  EXPECT_EQ(match(one("marketing_opt_in", "eq", R"("true")")), "");
  EXPECT_EQ(match(one("last_order_date", "gt", R"("")")), "");
  EXPECT_EQ(match(one("last_order_date", "lt", R"("yesterday")")), "");
  // A non-matching leaf is FALSE, so its negation matches everybody.
  EXPECT_EQ(match(R"({"logical_operator":"NOT","criteria":[
      {"field":"last_order_date","operator":"gt","value":""}]})"),
            "abcde");
}

TEST_F(SegmentOperators, StringsAreCaseSensitiveExceptTextSearch) {
  EXPECT_EQ(match(one("shipping_state", "eq", R"("CA")")), "a");
  EXPECT_EQ(match(one("shipping_state", "neq", R"("CA")")), "bde");
  EXPECT_EQ(match(one("shipping_state", "contains", R"("ca")")), "ad");
  EXPECT_EQ(match(one("shipping_state", "not_contains", R"("ca")")), "be");
  EXPECT_EQ(match(one("shipping_state", "contains", R"("")")), "abde");
  EXPECT_EQ(match(one("shipping_state", "starts_with", R"("C")")), "ad");
  EXPECT_EQ(match(one("shipping_state", "ends_with", R"("A")")), "ad");
  EXPECT_EQ(match(one("shipping_state", "in", R"(["CA", "NY"])")), "ae");
  EXPECT_EQ(match(one("shipping_state", "not_in", R"(["CA"])")), "bde");
  EXPECT_EQ(match(one("shipping_country", "eq", R"("US")")), "abe");
  EXPECT_EQ(match(one("first_name", "eq", R"("bob")")), "b");
  EXPECT_EQ(match(one("first_name", "eq", R"("Bob")")), "");
  EXPECT_EQ(match(one("email", "eq", R"("e@x.com")")), "");
  EXPECT_EQ(match(one("email", "eq", R"("e@X.COM")")), "e");
  EXPECT_EQ(match(one("last_name", "eq", R"("d'Arcy")")), "d");
}

TEST_F(SegmentOperators, StringOrderIsByCodePoint) {
  EXPECT_EQ(match(one("shipping_state", "gt", R"("CA")")), "de");
  EXPECT_EQ(match(one("shipping_state", "lt", R"("CA")")), "b");
  EXPECT_EQ(match(one("shipping_state", "between", R"(["A", "Z"])")), "ae");
  EXPECT_EQ(match(one("last_name", "lt", R"("B")")), "a");
  EXPECT_EQ(match(one("last_name", "gt", R"("Z")")), "cde");
}

TEST_F(SegmentOperators, TextSearchTreatsWildcardsLiterally) {
  EXPECT_EQ(match(one("email", "contains", R"("%_\\")")), "d");
  EXPECT_EQ(match(one("email", "contains", R"("_")")), "d");
  EXPECT_EQ(match(one("email", "contains", R"("X.COM")")), "abcde");
  EXPECT_EQ(match(one("email", "starts_with", R"("D%")")), "d");
  EXPECT_EQ(match(one("email", "starts_with", R"("e@x")")), "e");
  EXPECT_EQ(match(one("email", "ends_with", R"("@x.com")")), "abcde");
}

TEST_F(SegmentOperators, ExistsAndMissingTreatBlankStringsAsMissing) {
  EXPECT_EQ(match(one("shipping_state", "exists")), "ade");
  EXPECT_EQ(match(one("shipping_state", "missing")), "bc");
  EXPECT_EQ(match(one("phone", "exists")), "a");
  EXPECT_EQ(match(one("phone", "missing")), "bcde");
  EXPECT_EQ(match(one("last_order_date", "exists")), "acde");
  EXPECT_EQ(match(one("last_order_date", "missing")), "b");
}

TEST_F(SegmentOperators, Booleans) {
  EXPECT_EQ(match(one("marketing_opt_in", "eq", "true")), "acde");
  EXPECT_EQ(match(one("marketing_opt_in", "eq", "false")), "b");
  EXPECT_EQ(match(one("marketing_opt_in", "neq", "true")), "b");
  EXPECT_EQ(match(one("marketing_opt_in", "in", "[true]")), "acde");
  EXPECT_EQ(match(one("marketing_opt_in", "not_in", "[false]")), "acde");
}

TEST_F(SegmentOperators, RelativeDatesAroundTheCutoff) {
  // c ordered exactly 30 days ago, d one second later.
  EXPECT_EQ(match(one("last_order_date", "lt", R"("relative_30")")), "ad");
  EXPECT_EQ(match(one("last_order_date", "gt", R"("relative_30")")), "be");
  EXPECT_EQ(match(one("last_order_date", "lt", R"("relative_90")")), "acd");
  EXPECT_EQ(match(one("last_order_date", "gt", R"("relative_90")")), "be");
  // Other operators give no result: alone nothing matches, next to another
  // criterion they do not count.
  EXPECT_EQ(match(one("last_order_date", "eq", R"("relative_30")")), "");
  EXPECT_EQ(match(one("last_order_date", "lte", R"("relative_30")")), "");
  EXPECT_EQ(match(R"({"criteria":[
      {"field":"last_order_date","operator":"eq","value":"relative_30"},
      {"field":"order_count","operator":"gt","value":0}]})"),
            "acde");
}

TEST_F(SegmentOperators, WithinLastDays) {
  EXPECT_EQ(match(one("last_order_date", "within_last_days", "30")), "acd");
  EXPECT_EQ(match(one("last_order_date", "not_within_last_days", "30")), "be");
  EXPECT_EQ(match(one("last_order_date", "within_last_days", R"("30")")), "");
  EXPECT_EQ(match(one("created_at", "within_last_days", "150")), "e");
}

TEST_F(SegmentOperators, AbsoluteDates) {
  EXPECT_EQ(match(one("last_order_date", "eq", R"("2024-05-16")")), "cd");
  EXPECT_EQ(match(one("last_order_date", "neq", R"("2024-05-16")")), "ae");
  EXPECT_EQ(match(one("last_order_date", "gt", R"("2024-05-16")")), "a");
  EXPECT_EQ(match(one("last_order_date", "gte", R"("2024-05-16")")), "acd");
  EXPECT_EQ(match(one("last_order_date", "lte", R"("2024-05-16")")), "cde");
  EXPECT_EQ(match(one("last_order_date", "lt", R"("2024-05-16")")), "e");
  EXPECT_EQ(match(one("last_order_date", "eq", R"("2024-05-16T12:00:00")")),
            "c");
  EXPECT_EQ(match(one("last_order_date", "gte", R"("2024-05-16T12:00:00.5")")),
            "ad");
  EXPECT_EQ(
      match(one("last_order_date", "gte", R"("2024-05-16T14:00:00+02:00")")),
      "acd");
  EXPECT_EQ(match(one("last_order_date", "between",
                      R"(["2024-05-01", "2024-05-16"])")),
            "cd");
  EXPECT_EQ(match(one("last_order_date", "in",
                      R"(["2024-03-16", "2024-06-05T12:00:00", 7])")),
            "ae");
  EXPECT_EQ(match(one("created_at", "eq", R"("2024-01-02")")), "bc");
  EXPECT_EQ(match(one("created_at", "gt", R"("2024-01-02")")), "de");
}

TEST_F(SegmentOperators, DaysSinceLastOrder) {
  // a 10, c 30, d 29 (one second short of 30), e 91, b never (999999).
  EXPECT_EQ(match(one("days_since_last_order", "gt", "90")), "be");
  EXPECT_EQ(match(one("days_since_last_order", "lt", "30")), "ad");
  EXPECT_EQ(match(one("days_since_last_order", "eq", "30")), "c");
  EXPECT_EQ(match(one("days_since_last_order", "between", "[29, 30]")), "cd");
  EXPECT_EQ(match(one("days_since_last_order", "gte", "999999")), "b");
  EXPECT_EQ(match(one("days_since_last_order", "missing")), "");
}

TEST_F(SegmentOperators, LifetimeAndAverageOrderValue) {
  // From real orders: a 600+400, c 50, e 3x100; b and d have none.
  EXPECT_EQ(match(one("lifetime_value", "eq", "0")), "bd");
  EXPECT_EQ(match(one("lifetime_value", "gt", "100")), "ae");
  EXPECT_EQ(match(one("lifetime_value", "between", "[50, 300]")), "ce");
  EXPECT_EQ(match(one("average_order_value", "lt", "1000")), "ace");
  EXPECT_EQ(match(one("average_order_value", "gte", "100")), "ae");
  EXPECT_EQ(match(one("average_order_value", "eq", "500")), "a");
  EXPECT_EQ(match(one("average_order_value", "missing")), "bd");
  EXPECT_EQ(match(one("average_order_value", "exists")), "ace");
}

TEST_F(SegmentOperators, NestedGroupsAndNot) {
  EXPECT_EQ(match(R"({"logical_operator":"AND","criteria":[
      {"field":"shipping_country","operator":"eq","value":"US"},
      {"logical_operator":"OR","criteria":[
        {"field":"shipping_state","operator":"eq","value":"CA"},
        {"logical_operator":"NOT","criteria":[
          {"field":"order_count","operator":"lt","value":10}]}]}]})"),
            "ae");
  // A NULL state is a non-match, so NOT includes it.
  EXPECT_EQ(match(R"({"logical_operator":"NOT","criteria":[
      {"field":"shipping_state","operator":"eq","value":"CA"}]})"),
            "bcde");
  // NOT means none of the criteria.
  EXPECT_EQ(match(R"({"logical_operator":"NOT","criteria":[
      {"field":"shipping_state","operator":"eq","value":"CA"},
      {"field":"shipping_state","operator":"eq","value":"NY"}]})"),
            "bcd");
  // Groups whose criteria give no result give none themselves.
  EXPECT_EQ(match(R"({"logical_operator":"NOT","criteria":[
      {"field":"last_order_date","operator":"eq","value":"relative_30"}]})"),
            "");
  EXPECT_EQ(match(R"({"logical_operator":"OR","criteria":[
      {"criteria":[]},
      {"field":"last_order_date","operator":"eq","value":"relative_30"},
      {"field":"order_count","operator":"eq","value":0}]})"),
            "b");
  std::string deep =
      R"({"field":"shipping_state","operator":"eq","value":"CA"})";
  for (int i = 0; i < 20; ++i)
    deep = R"({"logical_operator":"AND","criteria":[)" + deep + "]}";
  EXPECT_EQ(match(deep), "a");
}

TEST_F(SegmentOperators, LegacyAndEmptyDefinitions) {
  EXPECT_EQ(match(R"({"total_order_value":{"gt":1000}})"), "ce");
  EXPECT_EQ(match(R"({"logical_operator":"OR","shipping_state":{"eq":"CA"},
      "order_count":{"eq":0}})"),
            "ab");
  EXPECT_EQ(match(R"({"last_order_date":{"lt":"relative_30"}})"), "ad");
  EXPECT_EQ(match("{}"), "");
  EXPECT_EQ(match(R"({"logical_operator":"OR","criteria":[]})"), "");
}

TEST_F(SegmentOperators, PagesFollowCreationOrder) {
  auto def = storage::segments::parse_definition(nlohmann::json::parse(
      R"({"criteria":[{"field":"email","operator":"exists"}]})"));
  ASSERT_TRUE(def.ok());
  std::chrono::system_clock::time_point at{small_dataset::now()};
  auto page = storage::segments::member_ids(data->db.conn(), *def.definition,
                                            at, {2, 1});
  ASSERT_TRUE(page) << storage::describe(page.error());
  EXPECT_EQ(*page, (std::vector<std::string>{data->b, data->c}));
  auto rows =
      storage::segments::members(data->db.conn(), *def.definition, at, {1, 0});
  ASSERT_TRUE(rows) << storage::describe(rows.error());
  ASSERT_EQ(rows->size(), 1u);
  const auto& a = rows->front();
  EXPECT_EQ(a.id, data->a);
  EXPECT_EQ(a.email, "a@x.com");
  EXPECT_EQ(a.phone, "+1-555-0100");
  EXPECT_EQ(a.first_name, "Ann");
  EXPECT_EQ(a.last_name, "Archer");
  EXPECT_TRUE(a.marketing_opt_in);
  EXPECT_EQ(a.shipping_state, "CA");
  EXPECT_EQ(a.shipping_country, "US");
  EXPECT_DOUBLE_EQ(a.total_order_value, 1000.0);
  EXPECT_EQ(a.order_count, 5);
  EXPECT_EQ(a.last_order_date, small_dataset::now() - std::chrono::days{10});
  EXPECT_EQ(a.created_at, utc(2024, 1, 1, 10));
  auto none =
      storage::segments::members(data->db.conn(), *def.definition, at, {0, 0});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

} // namespace
} // namespace cdpd::test
