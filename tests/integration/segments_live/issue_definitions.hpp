#pragma once

#include <array>

/// The five benchmark definitions of the live-segments design, as JSON
/// definitions over the demo data (`cdpd seed`).
namespace cdpd::test {

/// One named definition.
struct named_definition {
  const char* name;
  const char* json;
};

/// Platinum Users; a three-way AND over opt-in, state and value; a nested
/// OR of two ANDs; an `in` over five states; at least 2 Electronics orders
/// in the last 30 days.
inline const std::array<named_definition, 5>& issue_definitions() {
  static const std::array<named_definition, 5> all{{
      {"platinum users",
       R"({"logical_operator": "AND", "criteria": [
            {"field": "total_order_value", "operator": "gt", "value": 1000},
            {"field": "marketing_opt_in", "operator": "eq", "value": true}]})"},
      {"three-way and",
       R"({"logical_operator": "AND", "criteria": [
            {"field": "marketing_opt_in", "operator": "eq", "value": true},
            {"field": "shipping_state", "operator": "eq", "value": "CA"},
            {"field": "total_order_value", "operator": "gte", "value": 500}]})"},
      {"nested or of two ands",
       R"({"logical_operator": "OR", "criteria": [
            {"logical_operator": "AND", "criteria": [
              {"field": "order_count", "operator": "gte", "value": 3},
              {"field": "shipping_state", "operator": "eq", "value": "NY"}]},
            {"logical_operator": "AND", "criteria": [
              {"field": "days_since_last_order", "operator": "lt", "value": 60},
              {"field": "marketing_opt_in", "operator": "eq", "value": false}]}]})"},
      {"in over five states",
       R"({"logical_operator": "AND", "criteria": [
            {"field": "shipping_state", "operator": "in",
             "value": ["TX", "CA", "NY", "FL", "WA"]}]})"},
      {"2+ electronics orders in 30 days",
       R"({"logical_operator": "AND", "criteria": [
            {"event": "order", "aggregate": "count",
             "where": {"category": "Electronics"}, "within_last_days": 30,
             "operator": "gte", "value": 2}]})"},
  }};
  return all;
}

} // namespace cdpd::test
