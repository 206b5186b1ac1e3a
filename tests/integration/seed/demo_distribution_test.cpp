#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "storage/errc.hpp"
#include "storage/seed/demo_data.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/seed/seeded_db.hpp"

namespace cdpd::test {
namespace {

namespace seed = storage::seed;

// One seeded database shared by the distribution checks (read-only).
class seed_distribution : public ::testing::Test {
protected:
  static constexpr int64_t customers = 5000;
  static constexpr int64_t orders = 10001;
  static constexpr int64_t products = 50;

  static void SetUpTestSuite() {
    db_ = new migrated_db;
    seed::seed_options o;
    o.customers = customers;
    o.orders = orders;
    o.products = products;
    o.random_seed = 2024;
    auto report = seed::seed_demo_data(db_->conn(), o, {});
    if (!report)
      FAIL() << storage::describe(report.error());
  }

  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  static long long count(const std::string& sql) { return db_->count(sql); }
  static std::string value(const std::string& sql) { return db_->value(sql); }

  static migrated_db* db_;
};

migrated_db* seed_distribution::db_ = nullptr;

TEST_F(seed_distribution, three_quarters_of_customers_opt_in) {
  auto opted_in = count("SELECT count(*) FROM customers WHERE "
                        "marketing_opt_in");
  EXPECT_GE(opted_in, customers * 70 / 100);
  EXPECT_LE(opted_in, customers * 80 / 100);
}

TEST_F(seed_distribution, customers_spread_over_the_fifteen_states_in_the_us) {
  EXPECT_EQ(value("SELECT string_agg(DISTINCT shipping_state, ',' "
                  "ORDER BY shipping_state) FROM customers"),
            "AZ,CA,FL,GA,IL,MA,MI,NC,NJ,NY,OH,PA,TX,VA,WA");
  EXPECT_EQ(count("SELECT count(*) FROM customers "
                  "WHERE shipping_country IS DISTINCT FROM 'US'"),
            0);
  // Uniform: each state holds 1/15 of the customers, give or take.
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT shipping_state FROM customers"
                  " GROUP BY 1 HAVING count(*) NOT BETWEEN 250 AND 420) s"),
            0);
}

TEST_F(seed_distribution, customer_fields_have_their_formats) {
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE email !~ "
                  "'^[a-z]+\\.[a-z]+[1-9][0-9]*@example\\.com$' OR phone !~ "
                  "'^\\+1-[0-9]{3}-[0-9]{3}-[0-9]{4}$' OR external_id IS NOT "
                  "NULL"),
            0);
  EXPECT_EQ(count("SELECT count(DISTINCT email) FROM customers"), customers);
  EXPECT_EQ(count("SELECT count(*) FROM customers WHERE created_at NOT "
                  "BETWEEN (now() AT TIME ZONE 'utc') - interval '731 days' "
                  "AND (now() AT TIME ZONE 'utc') - interval '29 days'"),
            0);
  EXPECT_EQ(count("SELECT count(DISTINCT date_trunc('day', created_at)) "
                  "FROM customers") > 600,
            true);
}

TEST_F(seed_distribution, products_follow_the_prototype) {
  EXPECT_EQ(count("SELECT count(*) FROM products p JOIN generate_series(0, "
                  "49) i ON p.name = 'Product-' || i AND p.brand = 'Brand-' "
                  "|| (i % 5)"),
            products);
  EXPECT_EQ(count("SELECT count(*) FROM products WHERE price NOT BETWEEN 10 "
                  "AND 200 OR price <> trunc(price)"),
            0);
  EXPECT_LE(count("SELECT count(DISTINCT category) FROM products"), 8);
  EXPECT_GE(count("SELECT count(DISTINCT category) FROM products"), 5);
}

TEST_F(seed_distribution, order_statuses_are_60_20_20) {
  auto share = [](const char* status) {
    return count(std::string{"SELECT count(*) * 100 / "} +
                 std::to_string(orders) +
                 " FROM orders WHERE order_status = '" + status + "'");
  };
  EXPECT_NEAR(share("delivered"), 60, 3);
  EXPECT_NEAR(share("pending"), 20, 3);
  EXPECT_NEAR(share("shipped"), 20, 3);
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE order_status NOT IN "
                  "('delivered', 'pending', 'shipped')"),
            0);
}

TEST_F(seed_distribution, every_fourth_order_has_the_coupon) {
  // Orders 0, 4, 8, ...: ceil(10001 / 4) = 2501.
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE coupon_code = 'SALE10'"),
            2501);
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE coupon_code IS NOT NULL"),
            2501);
}

TEST_F(seed_distribution, channels_currency_and_dates) {
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT channel FROM orders GROUP BY "
                  "1 HAVING count(*) BETWEEN 3000 AND 3700) c"),
            3);
  EXPECT_EQ(count("SELECT count(*) FROM orders WHERE currency <> 'USD' OR "
                  "created_at <> order_date OR order_date NOT BETWEEN "
                  "(now() AT TIME ZONE 'utc') - interval '366 days' AND "
                  "(now() AT TIME ZONE 'utc') - interval '1 day' + "
                  "interval '1 minute'"),
            0);
}

TEST_F(seed_distribution, orders_have_one_to_three_distinct_products) {
  EXPECT_EQ(count("SELECT count(*) FROM (SELECT order_id FROM order_items "
                  "GROUP BY order_id HAVING count(*) NOT BETWEEN 1 AND 3 OR "
                  "count(DISTINCT product_id) <> count(*)) o"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 "
                  "FROM order_items i WHERE i.order_id = o.id)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM order_items i JOIN products p ON "
                  "p.id = i.product_id WHERE i.unit_price <> p.price OR "
                  "i.quantity NOT BETWEEN 1 AND 3"),
            0);
  // About two lines per order on average.
  auto lines = count("SELECT count(*) FROM order_items");
  EXPECT_GT(lines, orders * 18 / 10);
  EXPECT_LT(lines, orders * 22 / 10);
}

TEST_F(seed_distribution, orders_go_to_many_customers) {
  // 10001 orders over 5000 customers: about e^-2 (13.5%) buy nothing.
  auto without = count("SELECT count(*) FROM customers WHERE order_count = 0");
  EXPECT_GT(without, customers * 10 / 100);
  EXPECT_LT(without, customers * 17 / 100);
}

TEST_F(seed_distribution, seed_segments_select_what_hand_written_sql_does) {
  // days_since_last_order > 90: at least 91 whole days; < 30: fewer than 30.
  const std::pair<const char*, const char*> expected[] = {
      {"Platinum Users", "total_order_value > 1000 AND marketing_opt_in"},
      {"VIP Customers", "total_order_value > 2000 AND order_count > 5"},
      {"At-Risk Customers",
       "last_order_date <= (now() AT TIME ZONE 'utc') - interval '91 days' "
       "AND order_count > 0"},
      {"New Customers", "order_count BETWEEN 1 AND 2"},
      {"Active Subscribers",
       "marketing_opt_in AND last_order_date > (now() AT TIME ZONE 'utc') - "
       "interval '30 days'"},
      {"California Customers", "shipping_state = 'CA'"},
      {"High Frequency Buyers", "order_count >= 10"},
      {"Gold Members", "total_order_value >= 500 AND total_order_value < 1000"},
  };
  int non_empty = 0;
  for (const auto& [name, where] : expected) {
    auto text = value(std::string{"SELECT definition::text FROM segments "
                                  "WHERE name = '"} +
                      name + "'");
    auto parsed =
        storage::segments::parse_definition(nlohmann::json::parse(text));
    ASSERT_TRUE(parsed.ok()) << name;
    auto members = storage::segments::count_members(
        db_->conn(), *parsed.definition, std::chrono::system_clock::now());
    ASSERT_TRUE(members) << name << ": " << storage::describe(members.error());
    auto direct =
        count(std::string{"SELECT count(*) FROM customers WHERE "} + where);
    EXPECT_EQ(*members, direct) << name;
    non_empty += direct > 0 ? 1 : 0;
  }
  // With about two orders per customer only High Frequency Buyers may be
  // empty.
  EXPECT_GE(non_empty, 7);
}

} // namespace
} // namespace cdpd::test
