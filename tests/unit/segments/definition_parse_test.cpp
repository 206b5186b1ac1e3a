#include "storage/segments/definition.hpp"

#include <gtest/gtest.h>

namespace cdpd::storage::segments {
namespace {

using json = nlohmann::json;

segment_definition parse_ok(const json& j) {
  auto result = parse_definition(j);
  EXPECT_TRUE(result.ok()) << (result.errors.empty()
                                   ? std::string{"no errors"}
                                   : to_string(result.errors.front()));
  return result.definition.value_or(segment_definition{});
}

const condition& leaf_at(const group& g, size_t i) {
  return std::get<condition>(g.criteria.at(i).item);
}

TEST(ParseDefinition, EmptyObjectAndNullMatchNobody) {
  for (const auto& j :
       {json::object(), json(nullptr), json{{"logical_operator", "AND"}},
        json{{"criteria", json::array()}}}) {
    auto def = parse_ok(j);
    EXPECT_EQ(def.format, definition_format::empty) << j.dump();
    EXPECT_TRUE(def.root.criteria.empty());
  }
}

TEST(ParseDefinition, FlatFormatOfThePrototype) {
  auto def = parse_ok(json::parse(R"({"logical_operator":"OR","criteria":[
      {"field":"total_order_value","operator":"gt","value":1000},
      {"field":"marketing_opt_in","operator":"eq","value":true},
      {"field":"last_order_date","operator":"lt","value":"relative_30"}]})"));
  EXPECT_EQ(def.format, definition_format::criteria);
  EXPECT_EQ(def.root.how, logic::any_of);
  ASSERT_EQ(def.root.criteria.size(), 3u);
  EXPECT_EQ(leaf_at(def.root, 0).field, field::total_order_value);
  EXPECT_EQ(leaf_at(def.root, 0).oper, op::gt);
  EXPECT_EQ(leaf_at(def.root, 0).value, json(1000));
  EXPECT_EQ(leaf_at(def.root, 0).path, "criteria[0]");
  EXPECT_EQ(leaf_at(def.root, 1).value, json(true));
  EXPECT_EQ(leaf_at(def.root, 2).value, json("relative_30"));
}

TEST(ParseDefinition, MissingLogicalOperatorMeansAndAndCaseIsIgnored) {
  auto def = parse_ok(json::parse(
      R"({"criteria":[{"field":"email","operator":"contains","value":"x"}]})"));
  EXPECT_EQ(def.root.how, logic::all_of);
  auto lower = parse_ok(json::parse(
      R"({"logical_operator":"or","criteria":[{"field":"email","operator":"exists"}]})"));
  EXPECT_EQ(lower.root.how, logic::any_of);
}

TEST(ParseDefinition, NestedGroupsAndNot) {
  auto def = parse_ok(json::parse(R"({"logical_operator":"AND","criteria":[
      {"field":"shipping_country","operator":"eq","value":"US"},
      {"logical_operator":"OR","criteria":[
        {"field":"shipping_state","operator":"in","value":["CA","NY"]},
        {"logical_operator":"NOT","criteria":[
          {"field":"order_count","operator":"lt","value":3}]}]}]})"));
  ASSERT_EQ(def.root.criteria.size(), 2u);
  const auto& inner = std::get<group>(def.root.criteria[1].item);
  EXPECT_EQ(inner.how, logic::any_of);
  EXPECT_EQ(inner.path, "criteria[1]");
  const auto& negated = std::get<group>(inner.criteria[1].item);
  EXPECT_EQ(negated.how, logic::none_of);
  EXPECT_EQ(leaf_at(negated, 0).path, "criteria[1].criteria[1].criteria[0]");
}

TEST(ParseDefinition, LegacyFormat) {
  auto def = parse_ok(json::parse(
      R"({"total_order_value":{"gt":3000,"lte":9000},"shipping_state":{"eq":"CA"}})"));
  EXPECT_EQ(def.format, definition_format::legacy);
  EXPECT_EQ(def.root.how, logic::all_of);
  ASSERT_EQ(def.root.criteria.size(), 3u);
  EXPECT_EQ(leaf_at(def.root, 0).field, field::shipping_state);
  EXPECT_EQ(leaf_at(def.root, 1).oper, op::gt);
  EXPECT_EQ(leaf_at(def.root, 2).oper, op::lte);
  auto either = parse_ok(json::parse(
      R"({"logical_operator":"OR","criteria":[],"order_count":{"gte":2}})"));
  EXPECT_EQ(either.format, definition_format::legacy);
  EXPECT_EQ(either.root.how, logic::any_of);
}

TEST(ParseDefinition, AiBuilderExtrasAreIgnored) {
  auto def = parse_ok(json::parse(
      R"({"logical_operator":"AND","criteria":[],"explanation":"none","error":{"error":"api_error"}})"));
  EXPECT_EQ(def.format, definition_format::empty);
}

TEST(ParseDefinition, ValuesOfTheWrongTypeAreAcceptedForLaterNonMatch) {
  auto def = parse_ok(json::parse(R"({"criteria":[
      {"field":"total_order_value","operator":"gt","value":"100"},
      {"field":"last_order_date","operator":"gt","value":""},
      {"field":"shipping_state","operator":"eq","value":null},
      {"field":"marketing_opt_in","operator":"eq","value":"yes"}]})"));
  EXPECT_EQ(def.root.criteria.size(), 4u);
}

TEST(ParseDefinition, ExistsAndMissingNeedNoValue) {
  auto def = parse_ok(json::parse(R"({"criteria":[
      {"field":"phone","operator":"exists"},
      {"field":"average_order_value","operator":"missing"}]})"));
  EXPECT_EQ(leaf_at(def.root, 1).oper, op::missing);
}

TEST(ParseDefinition, ComputedTraits) {
  auto def = parse_ok(json::parse(R"({"criteria":[
      {"field":"days_since_last_order","operator":"gt","value":90},
      {"field":"lifetime_value","operator":"between","value":[100,200]},
      {"field":"average_order_value","operator":"gte","value":50}]})"));
  EXPECT_EQ(leaf_at(def.root, 0).field, field::days_since_last_order);
  EXPECT_FALSE(is_customer_column(field::days_since_last_order));
  EXPECT_TRUE(is_customer_column(field::shipping_state));
}

TEST(ParseDefinition, EventConditionWithEveryPart) {
  auto def = parse_ok(json::parse(R"({"criteria":[{"event":"order",
      "aggregate":"sum","where":{"status":["delivered","shipped"],
      "channel":"web","category":"Electronics",
      "product_id":"6f1c1b1e-7d2a-4c47-9a51-1f2b3c4d5e6f"},
      "within_last_days":30,"operator":"gte","value":2}]})"));
  const auto& ev = std::get<event_condition>(def.root.criteria.at(0).item);
  EXPECT_EQ(ev.aggregate, aggregate::sum);
  EXPECT_EQ(ev.where.statuses,
            (std::vector<std::string>{"delivered", "shipped"}));
  EXPECT_EQ(ev.where.channels, std::vector<std::string>{"web"});
  EXPECT_EQ(ev.where.categories, std::vector<std::string>{"Electronics"});
  EXPECT_EQ(ev.where.product_ids.size(), 1u);
  EXPECT_EQ(ev.within_last_days, 30.0);
  EXPECT_EQ(ev.oper, op::gte);
  EXPECT_EQ(ev.value, json(2));
  EXPECT_EQ(ev.path, "criteria[0]");
}

TEST(ParseDefinition, EventConditionDefaults) {
  auto def = parse_ok(json::parse(
      R"({"criteria":[{"event":"order","operator":"eq","value":0}]})"));
  const auto& ev = std::get<event_condition>(def.root.criteria.at(0).item);
  EXPECT_EQ(ev.aggregate, aggregate::count);
  EXPECT_FALSE(ev.within_last_days);
  EXPECT_TRUE(ev.where.statuses.empty());
}

TEST(ParseDefinition, FirstExtraColumnFollowsThePrototype) {
  auto def = parse_ok(json::parse(R"({"criteria":[
      {"field":"email","operator":"contains","value":"@"},
      {"field":"days_since_last_order","operator":"gt","value":1},
      {"criteria":[{"field":"shipping_state","operator":"eq","value":"CA"}]}]})"));
  EXPECT_EQ(first_extra_column(def), field::shipping_state);
  auto legacy = parse_ok(json::parse(R"({"order_count":{"gt":1}})"));
  EXPECT_FALSE(first_extra_column(legacy));
}

TEST(ParseDefinition, NamesRoundTrip) {
  for (auto f : {field::email, field::created_at, field::average_order_value})
    EXPECT_EQ(field_from_name(name(f)), f);
  for (auto o : {op::eq, op::not_in, op::not_within_last_days})
    EXPECT_EQ(op_from_name(name(o)), o);
  EXPECT_FALSE(field_from_name("user_id"));
  EXPECT_FALSE(op_from_name("EQ"));
}

} // namespace
} // namespace cdpd::storage::segments
