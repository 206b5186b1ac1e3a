#include "storage/segments/definition.hpp"

#include <gtest/gtest.h>

namespace cdpd::storage::segments {
namespace {

using json = nlohmann::json;

// The errors of a definition that must fail, as "path: message" lines.
std::vector<std::string> errors_of(const std::string& text) {
  auto result = parse_definition(json::parse(text));
  EXPECT_FALSE(result.ok()) << text;
  std::vector<std::string> out;
  for (const auto& e : result.errors)
    out.push_back(to_string(e));
  return out;
}

std::string only_error(const std::string& text) {
  auto all = errors_of(text);
  EXPECT_EQ(all.size(), 1u) << text;
  return all.empty() ? std::string{} : all.front();
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

TEST(DefinitionErrors, UnknownOperatorNamesTheNodeAndTheChoices) {
  auto e = only_error(R"({"criteria":[
      {"field":"order_count","operator":"gt","value":1},
      {"field":"order_count","operator":"gt","value":1},
      {"field":"order_count","operator":"gtt","value":1}]})");
  EXPECT_TRUE(starts_with(
      e, "criteria[2].operator: \"gtt\" is not an operator; expected one of "
         "eq, neq, gt, gte, lt, lte, between, in, not_in, contains,"))
      << e;
}

TEST(DefinitionErrors, UnknownAndMissingField) {
  EXPECT_TRUE(starts_with(
      only_error(
          R"({"criteria":[{"field":"user_id","operator":"eq","value":1}]})"),
      "criteria[0].field: \"user_id\" is not a field; expected one of "
      "email, "));
  EXPECT_TRUE(
      starts_with(only_error(R"({"criteria":[{"operator":"eq","value":1}]})"),
                  "criteria[0].field: missing; expected one of email"));
  EXPECT_TRUE(starts_with(
      only_error(R"({"criteria":[{"field":7,"operator":"eq","value":1}]})"),
      "criteria[0].field: 7 is not a field"));
}

TEST(DefinitionErrors, MissingOrNonStringOperator) {
  EXPECT_TRUE(
      starts_with(only_error(R"({"criteria":[{"field":"email","value":"a"}]})"),
                  "criteria[0].operator: missing; expected one of eq,"));
  EXPECT_TRUE(starts_with(
      only_error(
          R"({"criteria":[{"field":"email","operator":1,"value":"a"}]})"),
      "criteria[0].operator: 1 is not an operator"));
}

TEST(DefinitionErrors, OperatorThatDoesNotApplyToTheFieldType) {
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"field":"marketing_opt_in","operator":"gt","value":true}]})"),
      "criteria[0].operator: gt does not apply to boolean field "
      "marketing_opt_in; expected one of eq, neq, in, not_in, exists, missing");
  EXPECT_TRUE(starts_with(
      only_error(
          R"({"criteria":[{"field":"order_count","operator":"contains","value":"1"}]})"),
      "criteria[0].operator: contains does not apply to number field "
      "order_count"));
  EXPECT_TRUE(starts_with(
      only_error(
          R"({"criteria":[{"field":"email","operator":"within_last_days","value":3}]})"),
      "criteria[0].operator: within_last_days does not apply to string field"));
}

TEST(DefinitionErrors, ValueShapes) {
  EXPECT_EQ(
      only_error(R"({"criteria":[{"field":"order_count","operator":"gt"}]})"),
      "criteria[0].value: missing; operator gt needs a value");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"field":"order_count","operator":"between","value":[1]}]})"),
      "criteria[0].value: between needs an array [low, high], got [1]");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"field":"email","operator":"in","value":"a"}]})"),
      "criteria[0].value: in needs an array of values, got \"a\"");
}

TEST(DefinitionErrors, GroupErrors) {
  EXPECT_EQ(
      only_error(
          R"({"logical_operator":"XOR","criteria":[{"field":"email","operator":"exists"}]})"),
      "logical_operator: \"XOR\" is not a logical operator; expected "
      "one of AND, OR, NOT");
  EXPECT_EQ(only_error(R"({"criteria":"email"})"),
            "criteria: expected an array of criteria, got \"email\"");
  EXPECT_TRUE(starts_with(only_error(R"({"criteria":[42]})"),
                          "criteria[0]: expected an object"));
  EXPECT_EQ(
      only_error(R"({"criteria":[{"logical_operator":"NOR","criteria":[]}]})"),
      "criteria[0].logical_operator: \"NOR\" is not a logical operator; "
      "expected one of AND, OR, NOT");
}

TEST(DefinitionErrors, ErrorsDeepInsideNestedGroups) {
  EXPECT_TRUE(starts_with(
      only_error(R"({"criteria":[{"field":"email","operator":"exists"},
        {"logical_operator":"OR","criteria":[
          {"logical_operator":"NOT","criteria":[
            {"field":"shipping_state","operator":"like","value":"C%"}]}]}]})"),
      "criteria[1].criteria[0].criteria[0].operator: \"like\" is not an "
      "operator"));
}

TEST(DefinitionErrors, EveryErrorIsReported) {
  auto all = errors_of(R"({"criteria":[
      {"field":"nope","operator":"eq","value":1},
      {"field":"email","operator":"nah","value":1},
      {"field":"email","operator":"eq"}]})");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(starts_with(all[0], "criteria[0].field:"));
  EXPECT_TRUE(starts_with(all[1], "criteria[1].operator:"));
  EXPECT_TRUE(starts_with(all[2], "criteria[2].value:"));
}

TEST(DefinitionErrors, TooDeepNesting) {
  std::string text = R"({"field":"email","operator":"exists"})";
  for (int i = 0; i < 40; ++i)
    text = R"({"criteria":[)" + text + "]}";
  auto all = errors_of(text);
  ASSERT_FALSE(all.empty());
  EXPECT_NE(all.front().find("groups nest deeper than 32 levels"),
            std::string::npos)
      << all.front();
}

TEST(DefinitionErrors, NotAnObject) {
  EXPECT_EQ(only_error(R"([1,2])"),
            "a segment definition must be a JSON object, got [1,2]");
}

TEST(DefinitionErrors, Legacy) {
  EXPECT_TRUE(starts_with(only_error(R"({"total_order_value":{"gtt":1}})"),
                          "total_order_value.gtt: \"gtt\" is not an operator"));
  EXPECT_TRUE(starts_with(only_error(R"({"totl_order_value":{"gt":1}})"),
                          "totl_order_value: is not a field; expected one of"));
  EXPECT_EQ(only_error(R"({"order_count":5})"),
            "order_count: expected an object {operator: value, ...}, got 5");
  EXPECT_EQ(only_error(R"({"order_count":{"between":5}})"),
            "order_count.between: between needs an array [low, high], got 5");
}

TEST(DefinitionErrors, EventConditions) {
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"click","operator":"gt","value":1}]})"),
      "criteria[0].event: \"click\" is not an event; expected order");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"order","aggregate":"avg","operator":"gt","value":1}]})"),
      "criteria[0].aggregate: \"avg\" is not an aggregate; expected one of "
      "count, sum");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"order","where":{"colour":"red"},"operator":"gt","value":1}]})"),
      "criteria[0].where.colour: is not an order filter; expected one of "
      "status, channel, category, product_id");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"order","where":{"status":[]},"operator":"gt","value":1}]})"),
      "criteria[0].where.status: expected a string or a non-empty array of "
      "strings, got []");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"order","within_last_days":-1,"operator":"gt","value":1}]})"),
      "criteria[0].within_last_days: expected a number of days >= 0, got -1");
  EXPECT_EQ(
      only_error(
          R"({"criteria":[{"event":"order","operator":"contains","value":1}]})"),
      "criteria[0].operator: contains does not apply to an event condition; "
      "expected one of eq, neq, gt, gte, lt, lte, between");
  EXPECT_EQ(only_error(R"({"criteria":[{"event":"order","operator":"gt"}]})"),
            "criteria[0].value: missing; operator gt needs a value");
}

} // namespace
} // namespace cdpd::storage::segments
