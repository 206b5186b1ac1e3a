#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <pqxx/nontransaction>

#include "storage/errc.hpp"
#include "storage/seed/demo_data.hpp"
#include "tests/integration/seed/seeded_db.hpp"

namespace cdpd::test {
namespace {

namespace seed = storage::seed;

const std::function<void(const seed::seed_progress&)> no_progress;

seed::seed_options options(int64_t customers, int64_t orders, int64_t products,
                           uint64_t random_seed = 42) {
  seed::seed_options o;
  o.customers = customers;
  o.orders = orders;
  o.products = products;
  o.random_seed = random_seed;
  return o;
}

// Every generated value, with timestamps as whole days before the newest
// one, so two seedings of the same seed compare equal.
std::string fingerprint(migrated_db& db) {
  return db.value(
      "SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM ("
      " SELECT concat_ws('|', id, email, phone, first_name, last_name,"
      "  marketing_opt_in, shipping_state, shipping_country,"
      "  total_order_value, order_count,"
      "  (SELECT max(created_at) FROM customers) - created_at,"
      "  (SELECT max(order_date) FROM orders) - last_order_date) AS line"
      " FROM customers"
      " UNION ALL SELECT concat_ws('|', id, name, category, brand, price)"
      " FROM products"
      " UNION ALL SELECT concat_ws('|', id, customer_id, order_status,"
      "  total_amount, currency, channel, coupon_code,"
      "  (SELECT max(order_date) FROM orders) - order_date)"
      " FROM orders"
      " UNION ALL SELECT concat_ws('|', id, order_id, product_id, quantity,"
      "  unit_price) FROM order_items"
      " UNION ALL SELECT concat_ws('|', name, description, definition)"
      " FROM segments) t");
}

TEST(seed_demo_data, writes_exactly_the_requested_rows) {
  migrated_db db;
  auto report =
      seed::seed_demo_data(db.conn(), options(300, 700, 20), no_progress);
  ASSERT_TRUE(report) << storage::describe(report.error());
  EXPECT_EQ(report->customers, 300);
  EXPECT_EQ(report->products, 20);
  EXPECT_EQ(report->orders, 700);
  EXPECT_EQ(report->segments, 8);
  EXPECT_GE(report->order_items, 700);
  EXPECT_LE(report->order_items, 3 * 700);
  EXPECT_GT(report->seconds, 0.0);
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 300);
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 20);
  EXPECT_EQ(db.count("SELECT count(*) FROM orders"), 700);
  EXPECT_EQ(db.count("SELECT count(*) FROM order_items"), report->order_items);
  EXPECT_EQ(db.count("SELECT count(*) FROM segments"), 8);
}

TEST(seed_demo_data, the_defaults_follow_the_prototype) {
  migrated_db db;
  auto report = seed::seed_demo_data(db.conn(), {}, no_progress);
  ASSERT_TRUE(report) << storage::describe(report.error());
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 100);
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 50);
  EXPECT_EQ(db.count("SELECT count(*) FROM orders"), 200);
  EXPECT_EQ(db.value("SELECT string_agg(name, ',' ORDER BY name) FROM "
                     "segments"),
            "Active Subscribers,At-Risk Customers,California Customers,"
            "Gold Members,High Frequency Buyers,New Customers,"
            "Platinum Users,VIP Customers");
  EXPECT_EQ(db.value("SELECT definition::text FROM segments "
                     "WHERE name = 'At-Risk Customers'"),
            R"({"criteria": [{"field": "days_since_last_order", )"
            R"("value": 90, "operator": "gt"}, {"field": "order_count", )"
            R"("value": 0, "operator": "gt"}], "logical_operator": "AND"})");
}

TEST(seed_demo_data, refuses_a_database_that_has_customers) {
  migrated_db db;
  ASSERT_TRUE(seed::seed_demo_data(db.conn(), options(50, 60, 5), no_progress));
  auto before = fingerprint(db);
  auto again = seed::seed_demo_data(db.conn(), options(70, 80, 6), no_progress);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), storage::errc::not_empty);
  EXPECT_EQ(fingerprint(db), before);
  EXPECT_EQ(db.count("SELECT count(*) FROM segments"), 8);
}

TEST(seed_demo_data, refuses_a_single_hand_made_customer) {
  migrated_db db;
  db.value("INSERT INTO customers (email, first_name, last_name) "
           "VALUES ('x@example.com', 'X', 'Y') RETURNING 1");
  auto report = seed::seed_demo_data(db.conn(), {}, no_progress);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error(), storage::errc::not_empty);
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 1);
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 0);
}

TEST(seed_demo_data, force_replaces_the_domain_data) {
  migrated_db db;
  ASSERT_TRUE(seed::seed_demo_data(db.conn(), options(50, 60, 5), no_progress));
  // A flow and a campaign on a seed segment: force must clear them too.
  db.value("WITH f AS (INSERT INTO flows (segment_id, name) "
           "SELECT id, 'f' FROM segments LIMIT 1 RETURNING id, segment_id) "
           "INSERT INTO campaigns (segment_id, flow_id, name) "
           "SELECT segment_id, id, 'c' FROM f RETURNING 1");
  auto o = options(80, 90, 7, 43);
  o.force = true;
  auto report = seed::seed_demo_data(db.conn(), o, no_progress);
  ASSERT_TRUE(report) << storage::describe(report.error());
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 80);
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 7);
  EXPECT_EQ(db.count("SELECT count(*) FROM orders"), 90);
  EXPECT_EQ(db.count("SELECT count(*) FROM order_items"), report->order_items);
  EXPECT_EQ(db.count("SELECT count(*) FROM segments"), 8);
  EXPECT_EQ(db.count("SELECT count(*) FROM flows"), 0);
  EXPECT_EQ(db.count("SELECT count(*) FROM campaigns"), 0);
}

TEST(seed_demo_data, force_on_an_empty_database_just_seeds) {
  migrated_db db;
  auto o = options(10, 10, 3);
  o.force = true;
  ASSERT_TRUE(seed::seed_demo_data(db.conn(), o, no_progress));
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 10);
}

TEST(seed_demo_data, aggregates_agree_with_the_orders_of_every_customer) {
  migrated_db db;
  // Fewer orders than customers, so some customers have none.
  ASSERT_TRUE(
      seed::seed_demo_data(db.conn(), options(3000, 2500, 30), no_progress));
  EXPECT_EQ(db.count("SELECT count(*) FROM customers c LEFT JOIN ("
                     " SELECT customer_id, sum(total_amount) AS total,"
                     " count(*) AS n, max(order_date) AS latest"
                     " FROM orders GROUP BY customer_id) s"
                     " ON s.customer_id = c.id"
                     " WHERE c.total_order_value <> coalesce(s.total, 0)"
                     " OR c.order_count <> coalesce(s.n, 0)"
                     " OR c.last_order_date IS DISTINCT FROM s.latest"),
            0);
  EXPECT_GT(db.count("SELECT count(*) FROM customers WHERE order_count = 0 "
                     "AND total_order_value = 0 AND last_order_date IS NULL"),
            0);
  EXPECT_GT(db.count("SELECT count(*) FROM customers WHERE order_count > 1"),
            0);
  // Order totals are the sums of their lines.
  EXPECT_EQ(db.count("SELECT count(*) FROM orders o JOIN ("
                     " SELECT order_id, sum(quantity * unit_price) AS total"
                     " FROM order_items GROUP BY order_id) i"
                     " ON i.order_id = o.id WHERE i.total <> o.total_amount"),
            0);
}

TEST(seed_demo_data, the_same_seed_gives_the_same_data) {
  migrated_db a, b, c;
  ASSERT_TRUE(
      seed::seed_demo_data(a.conn(), options(400, 900, 25, 7), no_progress));
  ASSERT_TRUE(
      seed::seed_demo_data(b.conn(), options(400, 900, 25, 7), no_progress));
  ASSERT_TRUE(
      seed::seed_demo_data(c.conn(), options(400, 900, 25, 8), no_progress));
  EXPECT_EQ(fingerprint(a), fingerprint(b));
  EXPECT_NE(fingerprint(a), fingerprint(c));
}

TEST(seed_demo_data, reports_growing_progress_for_every_phase) {
  migrated_db db;
  std::vector<seed::seed_progress> calls;
  auto report = seed::seed_demo_data(
      db.conn(), options(120'000, 60'000, 10),
      [&](const seed::seed_progress& p) { calls.push_back(p); });
  ASSERT_TRUE(report) << storage::describe(report.error());
  std::map<std::string, std::vector<seed::seed_progress>> by_phase;
  std::vector<std::string> order;
  for (const auto& p : calls) {
    if (by_phase[p.phase].empty())
      order.push_back(p.phase);
    by_phase[p.phase].push_back(p);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"products", "orders", "customers",
                                      "indexes", "segments", "analyze"}));
  for (const auto& [phase, list] : by_phase) {
    ASSERT_GE(list.size(), 2u) << phase;
    EXPECT_EQ(list.front().done, 0) << phase;
    EXPECT_EQ(list.back().done, list.back().total) << phase;
    for (std::size_t i = 1; i < list.size(); ++i) {
      EXPECT_LT(list[i - 1].done, list[i].done) << phase;
      EXPECT_EQ(list[i].total, list.front().total) << phase;
    }
  }
  std::vector<int64_t> customers;
  for (const auto& p : by_phase["customers"])
    customers.push_back(p.done);
  EXPECT_EQ(customers, (std::vector<int64_t>{0, 50'000, 100'000, 120'000}));
  EXPECT_EQ(by_phase["orders"].back().total, 60'000);
}

TEST(seed_demo_data, an_exception_from_the_progress_callback_rolls_back) {
  migrated_db db;
  auto report = seed::seed_demo_data(db.conn(), options(100, 100, 5),
                                     [](const seed::seed_progress& p) {
                                       if (p.phase == "segments")
                                         throw std::runtime_error("stop");
                                     });
  ASSERT_FALSE(report);
  EXPECT_EQ(db.count("SELECT count(*) FROM customers"), 0);
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 0);
}

TEST(seed_demo_data, rejects_impossible_options_without_touching_the_db) {
  migrated_db db;
  for (auto o : {options(-1, 0, 0), options(10, 10, 0), options(0, 10, 10),
                 options(10, 0, 2'000'000'000)}) {
    auto report = seed::seed_demo_data(db.conn(), o, no_progress);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error(), storage::errc::invalid_argument);
  }
  EXPECT_EQ(db.count("SELECT count(*) FROM products"), 0);
}

TEST(seed_demo_data, an_empty_seed_still_adds_the_segments) {
  migrated_db db;
  auto report = seed::seed_demo_data(db.conn(), options(0, 0, 0), no_progress);
  ASSERT_TRUE(report) << storage::describe(report.error());
  EXPECT_EQ(report->order_items, 0);
  EXPECT_EQ(db.count("SELECT count(*) FROM segments"), 8);
}

} // namespace
} // namespace cdpd::test
