// Contract tests of /api/metrics.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class metrics_api : public api_fixture {};

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

TEST_F(metrics_api, EmptyDashboardIsAllNumbers) {
  auto m = call_json("GET", "/api/metrics/dashboard", nullptr, 200);
  for (auto key :
       {"total_customers", "revenue_30d", "total_orders", "average_order_value",
        "returning_customers", "new_customers"}) {
    ASSERT_TRUE(m.contains(key)) << key;
    EXPECT_TRUE(m[key].is_number()) << key;
    EXPECT_EQ(m[key].get<double>(), 0.0) << key;
  }
  EXPECT_TRUE(m["revenue_30d"].is_number_float());
}

TEST_F(metrics_api, DashboardAndPerEntityMetrics) {
  auto a = make_user("a@example.com")["id"].get<std::string>();
  make_user("b@example.com");
  auto p1 = make_product("P1", 10)["id"].get<std::string>();
  auto p2 = make_product("P2", 20)["id"].get<std::string>();
  make_product("P3", 30);
  auto order = [&](const std::string& date, double total, json items) {
    call_json("POST", "/api/orders/",
              {{"user_id", a},
               {"order_date", date},
               {"total_amount", total},
               {"items", std::move(items)}},
              200);
  };
  auto now = sql_value("SELECT to_char(now() AT TIME ZONE 'utc' - interval "
                       "'2 days', 'YYYY-MM-DD\"T\"HH24:MI:SS')");
  order(now, 100, {{{"product_id", p1}, {"quantity", 2}}});
  order("2020-01-01T00:00:00", 50,
        {{{"product_id", p1}, {"quantity", 1}},
         {{"product_id", p2}, {"quantity", 3}, {"unit_price", 15}}});

  auto m = call_json("GET", "/api/metrics/dashboard/", nullptr, 200);
  EXPECT_EQ(m["total_customers"], 2);
  EXPECT_DOUBLE_EQ(m["revenue_30d"].get<double>(), 100.0);
  EXPECT_EQ(m["total_orders"], 2);
  EXPECT_DOUBLE_EQ(m["average_order_value"].get<double>(), 75.0);
  EXPECT_EQ(m["returning_customers"], 1);
  EXPECT_EQ(m["new_customers"], 1);

  auto c = call_json("GET", "/api/metrics/customers/" + a + "/metrics", nullptr,
                     200);
  EXPECT_EQ(c["user_id"], a);
  EXPECT_DOUBLE_EQ(c["lifetime_value"].get<double>(), 150.0);
  EXPECT_DOUBLE_EQ(c["average_order_value"].get<double>(), 75.0);
  EXPECT_EQ(c["days_since_last_order"], 2);
  EXPECT_EQ(c["total_orders"], 2);

  auto p = call_json("GET", "/api/metrics/products/" + p2 + "/metrics", nullptr,
                     200);
  EXPECT_EQ(p["total_units_sold"], 3);
  EXPECT_EQ(p["total_orders"], 1);
  EXPECT_DOUBLE_EQ(p["total_revenue"].get<double>(), 45.0);
  EXPECT_EQ(p["last_purchased_at"], "2020-01-01T00:00:00");

  auto top = call_json("GET", "/api/metrics/top-products", nullptr, 200);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0]["product_name"], "P1"); // 3 units, first inserted
  EXPECT_EQ(top[1]["product_name"], "P2");
  EXPECT_EQ(top[2]["units_sold"], 0);
  EXPECT_EQ(call_json("GET", "/api/metrics/top-products?limit=1", nullptr, 200)
                .size(),
            1u);
}

TEST_F(metrics_api, UnknownEntitiesAnswer200WithError) {
  EXPECT_EQ(call_json("GET",
                      "/api/metrics/customers/" + missing_id + "/metrics",
                      nullptr, 200),
            json({{"error", "User not found"}}));
  EXPECT_EQ(
      call_json("GET", "/api/metrics/products/nope/metrics", nullptr, 200),
      json({{"error", "Product not found"}}));
}

} // namespace
