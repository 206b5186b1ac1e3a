#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/segments/small_dataset.hpp"

namespace cdpd::test {
namespace {

namespace seg = storage::segments;
using json = nlohmann::json;

const std::string hostile[] = {
    "'; DROP TABLE customers; --",
    "%_\\",
    "x' OR '1'='1",
    "\"; DELETE FROM orders; --",
    "') OR TRUE OR ('",
    "$1",
    "relative_1'; DROP TABLE orders; --",
};

// Every string slot a definition offers, each holding `s`.
json all_slots(const std::string& s) {
  json criteria = json::array();
  for (auto f :
       {"email", "phone", "first_name", "last_name", "shipping_state",
        "shipping_country", "last_order_date", "created_at",
        "total_order_value", "marketing_opt_in", "days_since_last_order",
        "lifetime_value", "average_order_value"}) {
    auto type = seg::type_of(*seg::field_from_name(f));
    for (auto o : {"eq", "neq", "gt", "gte", "lt", "lte", "contains",
                   "not_contains", "starts_with", "ends_with",
                   "within_last_days", "not_within_last_days"}) {
      auto oper = *seg::op_from_name(o);
      bool text_op = oper == seg::op::contains ||
                     oper == seg::op::not_contains ||
                     oper == seg::op::starts_with || oper == seg::op::ends_with;
      bool date_op = oper == seg::op::within_last_days ||
                     oper == seg::op::not_within_last_days;
      bool ordered = oper == seg::op::gt || oper == seg::op::gte ||
                     oper == seg::op::lt || oper == seg::op::lte;
      if ((text_op && type != seg::field_type::string) ||
          (date_op && type != seg::field_type::date) ||
          (ordered && type == seg::field_type::boolean))
        continue;
      criteria.push_back({{"field", f}, {"operator", o}, {"value", s}});
    }
    if (type != seg::field_type::boolean)
      criteria.push_back(
          {{"field", f}, {"operator", "between"}, {"value", {s, s}}});
    criteria.push_back({{"field", f}, {"operator", "in"}, {"value", {s, s}}});
    criteria.push_back({{"field", f}, {"operator", "not_in"}, {"value", {s}}});
  }
  criteria.push_back({{"event", "order"},
                      {"where",
                       {{"status", s},
                        {"channel", {s}},
                        {"category", s},
                        {"product_id", {s}}}},
                      {"operator", "gte"},
                      {"value", 0}});
  criteria.push_back({{"event", "order"}, {"operator", "gte"}, {"value", s}});
  return criteria;
}

TEST(SegmentInjection, HostileStringsAreHarmlessValues) {
  small_dataset data;
  auto customers = data.db.scalar("SELECT count(*) FROM customers");
  auto orders = data.db.scalar("SELECT count(*) FROM orders");
  // A customer whose name is an injection attempt is found exactly.
  segment_test_db::customer evil;
  evil.email = "z@x.com";
  evil.last_name = hostile[0];
  evil.created_at = utc(2024, 3, 1);
  data.db.insert(evil);
  ++customers;
  for (const auto& s : hostile) {
    SCOPED_TRACE(s);
    auto slots = all_slots(s);
    // Any one of them (OR) and all of them negated (NOT) run cleanly.
    EXPECT_NE(data.match(
                  json{{"logical_operator", "OR"}, {"criteria", slots}}.dump()),
              "<error>");
    EXPECT_NE(
        data.match(
            json{{"logical_operator", "NOT"}, {"criteria", slots}}.dump()),
        "<error>");
    EXPECT_EQ(
        data.match(json{
            {"criteria",
             {{{"field", "email"}, {"operator", "contains"}, {"value", s}}}}}
                       .dump()),
        s == "%_\\" ? "d" : "");
  }
  EXPECT_EQ(data.match(json{{"criteria",
                             {{{"field", "last_name"},
                               {"operator", "eq"},
                               {"value", hostile[0]}}}}}
                           .dump()),
            "z");
  EXPECT_EQ(data.db.scalar("SELECT count(*) FROM customers"), customers);
  EXPECT_EQ(data.db.scalar("SELECT count(*) FROM orders"), orders);
}

} // namespace
} // namespace cdpd::test
