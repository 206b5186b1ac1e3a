#include "storage/seed/seed_segments.hpp"

namespace cdpd::storage::seed {

namespace {

constexpr std::array<seed_segment, 8> segments = {{
    {"Platinum Users", "High-value customers who accept marketing",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "total_order_value", "operator": "gt", "value": 1000}, )"
     R"({"field": "marketing_opt_in", "operator": "eq", "value": true}]})"},
    {"VIP Customers", "Customers who spend a lot and order often",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "total_order_value", "operator": "gt", "value": 2000}, )"
     R"({"field": "order_count", "operator": "gt", "value": 5}]})"},
    {"At-Risk Customers", "Buyers who have not ordered for more than 90 days",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "days_since_last_order", "operator": "gt", "value": 90}, )"
     R"({"field": "order_count", "operator": "gt", "value": 0}]})"},
    {"New Customers", "Customers with one or two orders",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "order_count", "operator": "gte", "value": 1}, )"
     R"({"field": "order_count", "operator": "lte", "value": 2}]})"},
    {"Active Subscribers", "Opted-in customers who ordered in the last 30 days",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "marketing_opt_in", "operator": "eq", "value": true}, )"
     R"({"field": "days_since_last_order", "operator": "lt", "value": 30}]})"},
    {"California Customers", "Customers shipping to California",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "shipping_state", "operator": "eq", "value": "CA"}]})"},
    {"High Frequency Buyers", "Customers with ten or more orders",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "order_count", "operator": "gte", "value": 10}]})"},
    {"Gold Members", "Customers who spent from 500 up to 1000",
     R"({"logical_operator": "AND", "criteria": [)"
     R"({"field": "total_order_value", "operator": "gte", "value": 500}, )"
     R"({"field": "total_order_value", "operator": "lt", "value": 1000}]})"},
}};

} // namespace

const std::array<seed_segment, 8>& seed_segments() {
  return segments;
}

} // namespace cdpd::storage::seed
