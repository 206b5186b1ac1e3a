#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/segments/segment_test_db.hpp"

namespace cdpd::test {
namespace {

namespace seg = storage::segments;

// The prototype's seed distributions (eca2-api-contract.md section 8), made
// deterministic with setseed(): 300 customers with baseline aggregates,
// 50 products, 400 orders that add to their buyer's aggregates. Dates are
// whole days before `now`, so many fall exactly on the 30/90-day cutoffs.
void seed(pqxx::connection& conn, const std::string& now) {
  pqxx::work tx{conn};
  tx.exec("SELECT setseed(0.42)");
  tx.exec_params(
      "INSERT INTO customers (email, first_name, last_name, phone, "
      "marketing_opt_in, shipping_state, shipping_country, total_order_value, "
      "order_count, last_order_date, created_at) "
      "SELECT 'first' || i || '.last@gmail.com', 'First' || i, 'Last' || i, "
      "'+1-555-010-' || lpad(i::text, 4, '0'), random() < 0.75, "
      "(ARRAY['TX','CA','NY','FL','WA','IL','PA','OH','GA','NC','MI','NJ',"
      "'VA','AZ','MA'])[1 + floor(random() * 15)::int], 'US', "
      "CASE WHEN cnt = 0 THEN 0 ELSE round((random() * 5000)::numeric, 2) END, "
      "cnt, "
      "CASE WHEN ago = 0 THEN NULL ELSE $1::timestamp - ago * interval '1 day' "
      "END, "
      "$1::timestamp - (30 + floor(random() * 701)) * interval '1 day' "
      "FROM (SELECT i, floor(random() * 26)::int AS cnt, "
      "floor(random() * 366)::int AS ago FROM generate_series(1, 300) i) g",
      now);
  tx.exec("INSERT INTO products (name, category, brand, price) "
          "SELECT 'Product-' || i, (ARRAY['Electronics','Books','Toys',"
          "'Clothing','Home','Sports','Beauty','Food'])[1 + floor(random() * "
          "8)::int], 'Brand-' || (i % 5), 10 + floor(random() * 191) "
          "FROM generate_series(0, 49) i");
  tx.exec_params(
      "WITH c AS (SELECT array_agg(id ORDER BY email) AS ids FROM customers) "
      "INSERT INTO orders (customer_id, order_date, order_status, "
      "total_amount, channel, coupon_code, created_at) "
      "SELECT c.ids[1 + floor(random() * 300)::int], d, "
      "(ARRAY['delivered','delivered','delivered','pending','shipped'])"
      "[1 + floor(random() * 5)::int], 10 + floor(random() * 590), "
      "(ARRAY['web','mobile','marketplace'])[1 + floor(random() * 3)::int], "
      "CASE WHEN i % 4 = 0 THEN 'SALE10' END, d "
      "FROM c, generate_series(1, 400) i, "
      "LATERAL (SELECT $1::timestamp - (1 + floor(random() * 365 + i * 0)) "
      "* interval '1 day' AS d) od",
      now);
  tx.exec(
      "UPDATE customers c SET total_order_value = c.total_order_value + "
      "s.total, order_count = c.order_count + s.n, last_order_date = "
      "greatest(c.last_order_date, s.latest) FROM (SELECT customer_id, "
      "sum(total_amount) AS total, count(*) AS n, max(order_date) AS latest "
      "FROM orders GROUP BY customer_id) s WHERE s.customer_id = c.id");
  tx.commit();
}

struct seed_segment {
  const char* name;
  const char* definition;
  const char* hand_written; // WHERE clause over customers; $1 = now
};

// The eight seed segments and an independent formulation of each.
// days_since_last_order > 90 means at least 91 whole days have passed;
// < 30 means fewer than 30 whole days, i.e. after now - 30 days.
const seed_segment seed_segments[] = {
    {"Platinum Users",
     R"({"logical_operator":"AND","criteria":[
       {"field":"total_order_value","operator":"gt","value":1000},
       {"field":"marketing_opt_in","operator":"eq","value":true}]})",
     "total_order_value > 1000 AND marketing_opt_in"},
    {"VIP Customers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"total_order_value","operator":"gt","value":2000},
       {"field":"order_count","operator":"gt","value":5}]})",
     "total_order_value > 2000 AND order_count > 5"},
    {"At-Risk Customers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"days_since_last_order","operator":"gt","value":90},
       {"field":"order_count","operator":"gt","value":0}]})",
     "(last_order_date IS NULL OR last_order_date <= $1::timestamp - "
     "interval '91 days') AND order_count > 0"},
    {"New Customers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"order_count","operator":"gte","value":1},
       {"field":"order_count","operator":"lte","value":2}]})",
     "order_count BETWEEN 1 AND 2"},
    {"Active Subscribers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"marketing_opt_in","operator":"eq","value":true},
       {"field":"days_since_last_order","operator":"lt","value":30}]})",
     "marketing_opt_in AND last_order_date > $1::timestamp - "
     "interval '30 days'"},
    {"California Customers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"shipping_state","operator":"eq","value":"CA"}]})",
     "shipping_state = 'CA'"},
    {"High Frequency Buyers",
     R"({"logical_operator":"AND","criteria":[
       {"field":"order_count","operator":"gte","value":10}]})",
     "order_count >= 10"},
    {"Gold Members",
     R"({"logical_operator":"AND","criteria":[
       {"field":"total_order_value","operator":"gte","value":500},
       {"field":"total_order_value","operator":"lt","value":1000}]})",
     "total_order_value >= 500 AND total_order_value < 1000"},
};

TEST(SeedSegments, MatchHandWrittenSqlOnGeneratedData) {
  segment_test_db db;
  auto now = utc(2024, 6, 15, 12);
  auto now_text = seg::to_sql_text(now);
  seed(db.conn(), now_text);
  ASSERT_EQ(db.scalar("SELECT count(*) FROM customers"), 300);
  ASSERT_EQ(db.scalar("SELECT count(*) FROM orders"), 400);
  // The cutoffs are exercised: some customers sit exactly on them.
  EXPECT_GT(db.scalar("SELECT count(*) FROM customers WHERE last_order_date "
                      "IN ('" +
                      seg::to_sql_text(now - std::chrono::days{30}) + "', '" +
                      seg::to_sql_text(now - std::chrono::days{91}) + "')"),
            0);
  std::chrono::system_clock::time_point at{now};
  for (const auto& s : seed_segments) {
    SCOPED_TRACE(s.name);
    auto parsed = seg::parse_definition(nlohmann::json::parse(s.definition));
    ASSERT_TRUE(parsed.ok());
    auto count = seg::count_members(db.conn(), *parsed.definition, at);
    ASSERT_TRUE(count) << storage::describe(count.error());
    auto ids = seg::member_ids(db.conn(), *parsed.definition, at, {1000000, 0});
    ASSERT_TRUE(ids) << storage::describe(ids.error());
    pqxx::work tx{db.conn()};
    auto expected = tx.exec_params(
        std::string{"SELECT id::text FROM customers WHERE "} + s.hand_written +
            (std::string{s.hand_written}.find("$1") == std::string::npos
                 ? " AND $1::timestamp IS NOT NULL"
                 : "") +
            " ORDER BY created_at, id",
        now_text);
    tx.commit();
    EXPECT_EQ(*count, static_cast<std::int64_t>(expected.size()));
    EXPECT_GT(*count, 0);
    std::vector<std::string> want;
    for (const auto& row : expected)
      want.push_back(row[0].as<std::string>());
    EXPECT_EQ(*ids, want);
  }
}

} // namespace
} // namespace cdpd::test
