#include "storage/segments/sql_compiler.hpp"

#include <regex>

#include <gtest/gtest.h>

namespace cdpd::storage::segments {
namespace {

using json = nlohmann::json;
using namespace std::chrono;

const auto now = sys_days{year{2024} / 6 / 15} + hours{12};

segment_definition parse(const std::string& text) {
  auto result = parse_definition(json::parse(text));
  EXPECT_TRUE(result.ok()) << text;
  return result.definition.value_or(segment_definition{});
}

compiled_query where(const std::string& text) {
  return compile_where(parse(text), now);
}

// Every $n in the SQL, in order of appearance.
std::vector<int> placeholders(const std::string& sql) {
  std::vector<int> out;
  std::regex re{R"(\$(\d+))"};
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), re);
       it != std::sregex_iterator(); ++it)
    out.push_back(std::stoi((*it)[1]));
  return out;
}

// Each parameter is referenced and every reference has a parameter.
void expect_params_consistent(const compiled_query& q) {
  auto refs = placeholders(q.sql);
  for (int r : refs) {
    EXPECT_GE(r, 1) << q.sql;
    EXPECT_LE(static_cast<size_t>(r), q.params.size()) << q.sql;
  }
  for (size_t i = 1; i <= q.params.size(); ++i)
    EXPECT_NE(std::find(refs.begin(), refs.end(), static_cast<int>(i)),
              refs.end())
        << "$" << i << " unused in " << q.sql;
}

TEST(CompileWhere, EmptyDefinitionIsFalse) {
  auto q = compile_where(segment_definition{}, now);
  EXPECT_EQ(q.sql, "FALSE");
  EXPECT_TRUE(q.params.empty());
}

TEST(CompileWhere, FlatAndBindsValuesAsParameters) {
  auto q = where(R"({"criteria":[
      {"field":"total_order_value","operator":"gt","value":1000},
      {"field":"marketing_opt_in","operator":"eq","value":true},
      {"field":"shipping_state","operator":"eq","value":"CA"}]})");
  EXPECT_EQ(q.sql, "(COALESCE(c.total_order_value > $1::numeric, FALSE) AND "
                   "COALESCE(c.marketing_opt_in = $2::boolean, FALSE) AND "
                   "COALESCE(c.shipping_state = $3::text, FALSE))");
  ASSERT_EQ(q.params.size(), 3u);
  EXPECT_EQ(q.params[0], "1000");
  EXPECT_EQ(q.params[1], "true");
  EXPECT_EQ(q.params[2], "CA");
  expect_params_consistent(q);
}

TEST(CompileWhere, OrAndNot) {
  auto q = where(R"({"logical_operator":"OR","criteria":[
      {"field":"order_count","operator":"gte","value":10},
      {"logical_operator":"NOT","criteria":[
        {"field":"phone","operator":"exists"},
        {"field":"email","operator":"missing"}]}]})");
  EXPECT_EQ(q.sql, "(COALESCE(c.order_count >= $1::numeric, FALSE) OR "
                   "(NOT ((c.phone IS NOT NULL AND c.phone <> '') OR "
                   "(c.email IS NULL OR c.email = ''))))");
}

TEST(CompileWhere, TypeMismatchesCompileToFalseWithoutParameters) {
  auto q = where(R"({"criteria":[
      {"field":"total_order_value","operator":"gt","value":"100"},
      {"field":"last_order_date","operator":"gt","value":""},
      {"field":"shipping_state","operator":"eq","value":null},
      {"field":"marketing_opt_in","operator":"eq","value":1},
      {"field":"email","operator":"contains","value":5},
      {"field":"order_count","operator":"between","value":[1,"x"]},
      {"field":"created_at","operator":"within_last_days","value":"7"}]})");
  EXPECT_EQ(q.sql, "(FALSE AND FALSE AND FALSE AND FALSE AND FALSE AND "
                   "FALSE AND FALSE)");
  // No parameter at all: PostgreSQL rejects parameters nothing references.
  EXPECT_TRUE(q.params.empty());
}

TEST(CompileWhere, RelativeDatesAsThePrototypeReadsThem) {
  auto lt = where(
      R"({"criteria":[{"field":"last_order_date","operator":"lt","value":"relative_30"}]})");
  EXPECT_EQ(lt.sql, "(COALESCE(c.last_order_date > $1::timestamp, FALSE))");
  EXPECT_EQ(lt.params.at(0), "2024-05-16 12:00:00.000000");
  auto gt = where(
      R"({"criteria":[{"field":"last_order_date","operator":"gt","value":"relative_90"}]})");
  EXPECT_EQ(gt.sql, "((c.last_order_date IS NULL OR c.last_order_date < "
                    "$1::timestamp))");
  EXPECT_EQ(gt.params.at(0), "2024-03-17 12:00:00.000000");
  // Any other operator gives no result: left out of its group.
  auto eq = where(R"({"criteria":[
      {"field":"last_order_date","operator":"eq","value":"relative_30"},
      {"field":"order_count","operator":"gt","value":1}]})");
  EXPECT_EQ(eq.sql, "(COALESCE(c.order_count > $1::numeric, FALSE))");
  auto alone = where(
      R"({"criteria":[{"field":"last_order_date","operator":"gte","value":"relative_30"}]})");
  EXPECT_EQ(alone.sql, "FALSE");
}

TEST(CompileWhere, DateOnlyValuesCompareWholeDays) {
  auto q = where(R"({"criteria":[
      {"field":"created_at","operator":"eq","value":"2024-01-02"},
      {"field":"created_at","operator":"gt","value":"2024-01-02"},
      {"field":"created_at","operator":"lte","value":"2024-01-02T10:00:00"}]})");
  EXPECT_EQ(q.sql,
            "(COALESCE((c.created_at >= $1::timestamp AND c.created_at < "
            "$2::timestamp), FALSE) AND COALESCE(c.created_at >= "
            "$3::timestamp, FALSE) AND COALESCE(c.created_at <= "
            "$4::timestamp, FALSE))");
  EXPECT_EQ(q.params.at(0), "2024-01-02 00:00:00.000000");
  EXPECT_EQ(q.params.at(1), "2024-01-03 00:00:00.000000");
  EXPECT_EQ(q.params.at(2), "2024-01-03 00:00:00.000000");
  EXPECT_EQ(q.params.at(3), "2024-01-02 10:00:00.000000");
  expect_params_consistent(q);
}

TEST(CompileWhere, StringOrderingIsCaseSensitiveByCodePoint) {
  auto q = where(
      R"({"criteria":[{"field":"last_name","operator":"lt","value":"M"}]})");
  EXPECT_EQ(q.sql, "(COALESCE(c.last_name COLLATE \"C\" < $1::text, FALSE))");
}

TEST(CompileWhere, ComputedTraitsUseNowAsAParameter) {
  auto q = where(R"({"criteria":[
      {"field":"days_since_last_order","operator":"gt","value":90},
      {"field":"days_since_last_order","operator":"lt","value":400}]})");
  EXPECT_EQ(q.params.at(0), "2024-06-15 12:00:00.000000");
  EXPECT_EQ(q.params.size(), 3u); // now is bound once
  expect_params_consistent(q);
}

TEST(CompileWhere, EventCondition) {
  auto q = where(R"({"criteria":[{"event":"order","aggregate":"count",
      "where":{"status":"delivered","category":["Electronics","Toys"],
      "product_id":["not-a-uuid","6f1c1b1e-7d2a-4c47-9a51-1f2b3c4d5e6f"]},
      "within_last_days":30,"operator":"gte","value":2}]})");
  EXPECT_EQ(q.sql,
            "(COALESCE((SELECT count(*) FROM orders o WHERE o.customer_id = "
            "c.id AND o.order_status IN ($1::text) AND o.order_date >= "
            "$2::timestamp AND EXISTS (SELECT 1 FROM order_items oi JOIN "
            "products p ON p.id = oi.product_id WHERE oi.order_id = o.id AND "
            "p.category IN ($3::text, $4::text) AND oi.product_id IN "
            "($5::uuid))) >= $6::numeric, FALSE))");
  EXPECT_EQ(q.params.at(4), "6f1c1b1e-7d2a-4c47-9a51-1f2b3c4d5e6f");
  expect_params_consistent(q);
}

TEST(CompileWhere, EventWithOnlyInvalidProductIdsCountsNoOrders) {
  auto q = where(R"({"criteria":[{"event":"order","aggregate":"sum",
      "where":{"product_id":"x"},"operator":"eq","value":0}]})");
  EXPECT_NE(q.sql.find("COALESCE(sum(o.total_amount), 0)"), std::string::npos);
  EXPECT_NE(q.sql.find("WHERE oi.order_id = o.id AND FALSE"), std::string::npos)
      << q.sql;
}

TEST(Statements, CountIdsAndMembers) {
  auto def = parse(
      R"({"criteria":[{"field":"shipping_state","operator":"eq","value":"CA"}]})");
  auto count = count_query(def, now);
  EXPECT_EQ(count.sql, "SELECT count(*) FROM customers c WHERE "
                       "(COALESCE(c.shipping_state = $1::text, FALSE))");
  auto ids = member_ids_query(def, now, {10, 20});
  EXPECT_EQ(ids.sql, "SELECT c.id::text FROM customers c WHERE "
                     "(COALESCE(c.shipping_state = $1::text, FALSE)) ORDER BY "
                     "c.created_at, c.id LIMIT $2::bigint OFFSET $3::bigint");
  EXPECT_EQ(ids.params.at(1), "10");
  EXPECT_EQ(ids.params.at(2), "20");
  auto rows = members_query(def, now, {-5, -1});
  EXPECT_EQ(rows.params.at(1), "0");
  EXPECT_EQ(rows.params.at(2), "0");
  expect_params_consistent(rows);
}

// Every string slot a definition has, filled with hostile text.
std::string hostile_definition(const std::string& s) {
  auto v = json(s);
  json criteria = json::array();
  for (auto f : {"email", "phone", "first_name", "last_name", "shipping_state",
                 "shipping_country"}) {
    for (auto o : {"eq", "neq", "gt", "gte", "lt", "lte", "contains",
                   "not_contains", "starts_with", "ends_with"})
      criteria.push_back({{"field", f}, {"operator", o}, {"value", v}});
    criteria.push_back(
        {{"field", f}, {"operator", "between"}, {"value", {v, v}}});
    criteria.push_back({{"field", f}, {"operator", "in"}, {"value", {v}}});
    criteria.push_back({{"field", f}, {"operator", "not_in"}, {"value", {v}}});
  }
  for (auto f : {"last_order_date", "created_at", "total_order_value",
                 "order_count", "marketing_opt_in", "days_since_last_order",
                 "lifetime_value", "average_order_value"}) {
    criteria.push_back({{"field", f}, {"operator", "eq"}, {"value", v}});
    criteria.push_back({{"field", f}, {"operator", "in"}, {"value", {v}}});
  }
  criteria.push_back({{"field", "created_at"},
                      {"operator", "within_last_days"},
                      {"value", v}});
  criteria.push_back({{"event", "order"},
                      {"where",
                       {{"status", v},
                        {"channel", {v, v}},
                        {"category", v},
                        {"product_id", v}}},
                      {"operator", "gte"},
                      {"value", 1}});
  criteria.push_back({{"event", "order"}, {"operator", "gte"}, {"value", v}});
  json def = {
      {"logical_operator", "OR"},
      {"criteria", {{{"logical_operator", "NOT"}, {"criteria", criteria}}}}};
  return def.dump();
}

TEST(Injection, HostileStringsOnlyEverTravelAsParameters) {
  for (std::string s :
       {std::string{"'; DROP TABLE customers; --"}, std::string{"%_\\"},
        std::string{"\" OR 1=1 --"}, std::string{"$1 OR TRUE"},
        std::string{"x') OR TRUE OR ('"},
        std::string{"\\'; SELECT pg_sleep(9)"}}) {
    auto q = where(hostile_definition(s));
    EXPECT_EQ(q.sql.find(s), std::string::npos) << s << " in " << q.sql;
    EXPECT_EQ(q.sql.find("DROP"), std::string::npos);
    EXPECT_EQ(q.sql.find("%"), std::string::npos);
    EXPECT_EQ(q.sql.find("\\"), std::string::npos);
    EXPECT_EQ(q.sql.find(";"), std::string::npos);
    EXPECT_EQ(q.sql.find("pg_sleep"), std::string::npos);
    EXPECT_EQ(q.sql.find("1=1"), std::string::npos);
    // The only quotes in the SQL are the empty literal '' of exists/missing
    // (never emitted here) and the collation name "C".
    auto without_collation = std::regex_replace(q.sql, std::regex{"\"C\""}, "");
    EXPECT_EQ(without_collation.find('\''), std::string::npos) << q.sql;
    EXPECT_EQ(without_collation.find('"'), std::string::npos) << q.sql;
    expect_params_consistent(q);
    size_t carried = 0;
    for (const auto& p : q.params)
      carried += p == s;
    EXPECT_GT(carried, 80u) << s;
  }
}

} // namespace
} // namespace cdpd::storage::segments
