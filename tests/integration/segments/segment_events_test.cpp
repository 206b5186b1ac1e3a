#include <memory>

#include <gtest/gtest.h>

#include "tests/integration/segments/small_dataset.hpp"

namespace cdpd::test {
namespace {

// Real orders of the small dataset (days before now):
//   a: 600 delivered web Electronics (10), 400 shipped mobile Books (40)
//   c: 50 pending web Electronics+Books (30, exactly at a 30-day cutoff)
//   e: 100 delivered marketplace Toys (91, 200, 400)
//   b, d: none
class SegmentEvents : public ::testing::Test {
protected:
  static void SetUpTestSuite() { data = std::make_unique<small_dataset>(); }
  static void TearDownTestSuite() { data.reset(); }
  static std::string match(const std::string& event) {
    return data->match(R"({"criteria":[)" + event + "]}");
  }
  static std::unique_ptr<small_dataset> data;
};

std::unique_ptr<small_dataset> SegmentEvents::data;

TEST_F(SegmentEvents, CountsOrders) {
  EXPECT_EQ(match(R"({"event":"order","operator":"gte","value":2})"), "ae");
  EXPECT_EQ(match(R"({"event":"order","operator":"eq","value":0})"), "bd");
  EXPECT_EQ(match(R"({"event":"order","operator":"neq","value":0})"), "ace");
  EXPECT_EQ(match(R"({"event":"order","operator":"between","value":[1,2]})"),
            "ac");
  EXPECT_EQ(match(R"({"event":"order","aggregate":"count","operator":"lt",
      "value":3})"),
            "abcd");
}

TEST_F(SegmentEvents, CategoryWithinLastDays) {
  // "at least N orders in category Electronics in the last 30 days"
  EXPECT_EQ(match(R"({"event":"order","where":{"category":"Electronics"},
      "within_last_days":30,"operator":"gte","value":1})"),
            "ac");
  EXPECT_EQ(match(R"({"event":"order","where":{"category":"Electronics"},
      "within_last_days":30,"operator":"gte","value":2})"),
            "");
  EXPECT_EQ(match(R"({"event":"order","within_last_days":100,
      "operator":"gte","value":1})"),
            "ace");
  EXPECT_EQ(match(R"({"event":"order","within_last_days":91,
      "operator":"gte","value":1})"),
            "ace");
  EXPECT_EQ(match(R"({"event":"order","within_last_days":90.9,
      "operator":"gte","value":1})"),
            "ac");
}

TEST_F(SegmentEvents, SumsOrderAmounts) {
  EXPECT_EQ(match(R"({"event":"order","aggregate":"sum",
      "where":{"status":"delivered"},"operator":"gte","value":300})"),
            "ae");
  EXPECT_EQ(match(R"({"event":"order","aggregate":"sum",
      "where":{"status":"delivered"},"operator":"gt","value":300})"),
            "a");
  EXPECT_EQ(match(R"({"event":"order","aggregate":"sum",
      "where":{"category":["Books"]},"operator":"eq","value":400})"),
            "a");
  EXPECT_EQ(match(R"({"event":"order","aggregate":"sum","operator":"eq",
      "value":0})"),
            "bd");
}

TEST_F(SegmentEvents, FiltersByStatusChannelAndProduct) {
  EXPECT_EQ(match(R"({"event":"order","where":{"channel":"web"},
      "operator":"gte","value":1})"),
            "ac");
  EXPECT_EQ(match(R"({"event":"order","where":{"status":["shipped","pending"]},
      "operator":"gte","value":1})"),
            "ac");
  EXPECT_EQ(match(R"({"event":"order","where":{"product_id":")" + data->toys +
                  R"("},"operator":"gte","value":3})"),
            "e");
  EXPECT_EQ(match(R"({"event":"order","where":{"product_id":"bogus"},
      "operator":"eq","value":0})"),
            "abcde");
  EXPECT_EQ(match(R"({"event":"order","where":{"status":"Delivered"},
      "operator":"gte","value":1})"),
            "");
}

TEST_F(SegmentEvents, MismatchedValuesNeverMatch) {
  EXPECT_EQ(match(R"({"event":"order","operator":"gte","value":"2"})"), "");
  EXPECT_EQ(match(R"({"event":"order","operator":"between","value":[0,null]})"),
            "");
}

TEST_F(SegmentEvents, CombineWithConditionsAndNot) {
  EXPECT_EQ(data->match(R"({"criteria":[
      {"event":"order","where":{"channel":"web"},"operator":"gte","value":1},
      {"field":"shipping_state","operator":"exists"}]})"),
            "a");
  EXPECT_EQ(data->match(R"({"logical_operator":"NOT","criteria":[
      {"event":"order","operator":"gte","value":1}]})"),
            "bd");
}

} // namespace
} // namespace cdpd::test
