// Contract tests of /api/products and /api/orders, including the customer
// aggregates an order write maintains.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class products_orders_api : public api_fixture {};

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

TEST_F(products_orders_api, ProductsCreateListGetUpdate) {
  auto p = make_product("Product-0", 19.99);
  EXPECT_TRUE(looks_like_uuid(p["id"].get<std::string>()));
  EXPECT_DOUBLE_EQ(p["price"].get<double>(), 19.99);
  auto id = p["id"].get<std::string>();
  for (auto path : {"/api/products/", "/api/products"}) {
    auto list = call("GET", path);
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(body_of(list).size(), 1u);
    EXPECT_EQ(list.header("x-total-count"), "1");
  }
  EXPECT_EQ(call_json("GET", "/api/products/" + id + "/", nullptr, 200), p);
  auto updated = call_json("PUT", "/api/products/" + id, {{"price", 25}}, 200);
  EXPECT_DOUBLE_EQ(updated["price"].get<double>(), 25.0);
  EXPECT_EQ(updated["name"], "Product-0");
  auto missing = call("GET", "/api/products/" + missing_id);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["detail"], "Product not found");
  EXPECT_EQ(
      call("PUT", "/api/products/" + missing_id, json{{"name", "x"}}.dump())
          .status,
      404);
  auto invalid = call("POST", "/api/products/", json{{"name", "x"}}.dump());
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(body_of(invalid)["detail"].size(), 3u);
}

TEST_F(products_orders_api, OrderWithItemsUpdatesTheCustomer) {
  auto user = make_user("buyer@example.com");
  auto uid = user["id"].get<std::string>();
  auto product = make_product("Widget", 10);
  auto pid = product["id"].get<std::string>();
  auto order = call_json("POST", "/api/orders/",
                         {{"user_id", uid},
                          {"order_date", "2024-03-01T10:00:00"},
                          {"order_status", "delivered"},
                          {"total_amount", 30.5},
                          {"currency", "USD"},
                          {"channel", "web"},
                          {"coupon_code", "SALE10"},
                          {"items", {{{"product_id", pid}, {"quantity", 3}}}}},
                         200);
  EXPECT_TRUE(looks_like_uuid(order["id"].get<std::string>()));
  EXPECT_EQ(order["user_id"], uid);
  EXPECT_EQ(order["order_date"], "2024-03-01T10:00:00");
  EXPECT_EQ(order["coupon_code"], "SALE10");
  ASSERT_EQ(order["items"].size(), 1u);
  EXPECT_EQ(order["items"][0]["quantity"], 3);
  EXPECT_DOUBLE_EQ(order["items"][0]["unit_price"].get<double>(), 10.0);

  call_json("POST", "/api/orders/",
            {{"user_id", uid},
             {"order_date", "2024-02-01T08:30:00.250000"},
             {"order_status", "pending"},
             {"total_amount", 9.5},
             {"channel", "mobile"}},
            200);
  auto after = call_json("GET", "/api/users/" + uid, nullptr, 200);
  EXPECT_DOUBLE_EQ(after["total_order_value"].get<double>(), 40.0);
  EXPECT_EQ(after["order_count"], 2);
  EXPECT_EQ(after["last_order_date"], "2024-03-01T10:00:00");

  auto got = call_json("GET", "/api/orders/" + order["id"].get<std::string>(),
                       nullptr, 200);
  EXPECT_EQ(got, order);
  auto missing = call("GET", "/api/orders/" + missing_id);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["detail"], "Order not found");
}

TEST_F(products_orders_api, OrderErrors) {
  auto uid = make_user("err@example.com")["id"].get<std::string>();
  auto no_user =
      call("POST", "/api/orders/",
           json{{"user_id", missing_id}, {"total_amount", 1}}.dump());
  EXPECT_EQ(no_user.status, 404);
  EXPECT_EQ(body_of(no_user)["detail"], "User not found");
  auto no_product =
      call("POST", "/api/orders/",
           json{{"user_id", uid},
                {"total_amount", 1},
                {"items", {{{"product_id", missing_id}, {"quantity", 1}}}}}
               .dump());
  EXPECT_EQ(no_product.status, 404);
  EXPECT_EQ(body_of(no_product)["detail"], "Product not found");
  EXPECT_EQ(sql_value("SELECT count(*) FROM orders"), "0");
  auto invalid = call(
      "POST", "/api/orders/",
      json{{"user_id", uid}, {"total_amount", 1}, {"order_date", "yesterday"}}
          .dump());
  ASSERT_EQ(invalid.status, 422);
  EXPECT_EQ(body_of(invalid)["detail"][0]["type"], "value_error.datetime");
  EXPECT_EQ(
      call("POST", "/api/orders/", json{{"total_amount", 1}}.dump()).status,
      422);
}

TEST_F(products_orders_api, OrderListFilters) {
  auto a = make_user("a@example.com")["id"].get<std::string>();
  auto b = make_user("b@example.com")["id"].get<std::string>();
  auto post = [&](const std::string& uid, const char* date,
                  const char* status) {
    call_json("POST", "/api/orders",
              {{"user_id", uid},
               {"order_date", date},
               {"order_status", status},
               {"total_amount", 5},
               {"channel", "web"}},
              200);
  };
  post(a, "2024-01-10T12:00:00", "delivered");
  post(a, "2024-01-20T12:00:00", "pending");
  post(b, "2024-01-31T23:00:00", "delivered");
  auto count = [&](const std::string& query) {
    auto reply = call("GET", "/api/orders/?" + query);
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.header("x-total-count"),
              std::to_string(body_of(reply).size()));
    return body_of(reply).size();
  };
  EXPECT_EQ(count(""), 3u);
  EXPECT_EQ(count("user_id=" + a), 2u);
  EXPECT_EQ(count("status=delivered"), 2u);
  EXPECT_EQ(count("from=2024-01-15"), 2u);
  EXPECT_EQ(count("to=2024-01-31"), 3u); // a date includes its whole day
  EXPECT_EQ(count("from=2024-01-15&to=2024-01-25T00:00:00"), 1u);
  EXPECT_EQ(count("user_id=" + a + "&status=pending"), 1u);
  EXPECT_EQ(call("GET", "/api/orders/?from=soon").status, 422);
}

TEST_F(products_orders_api, ConcurrentOrdersLeaveExactAggregates) {
  auto uid = make_user("busy@example.com")["id"].get<std::string>();
  constexpr int orders = 50;
  std::vector<std::thread> threads;
  std::vector<int> statuses(orders, 0);
  for (int i = 0; i < orders; ++i)
    threads.emplace_back([&, i] {
      char date[32];
      std::snprintf(date, sizeof date, "2024-05-%02dT10:00:00", 1 + i % 28);
      auto body = json{
          {"user_id", uid},
          {"order_date", date},
          {"order_status", "delivered"},
          {"total_amount", 1.25 + i},
          {"channel",
           "web"}}.dump();
      statuses[static_cast<std::size_t>(i)] =
          http_call(port, "POST", "/api/orders/", body,
                    {{"Content-Type", "application/json"}},
                    std::chrono::seconds{60})
              .status;
    });
  for (auto& t : threads)
    t.join();
  for (int i = 0; i < orders; ++i)
    EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 200) << "order " << i;
  // Σ (1.25 + i) for i < 50 = 62.5 + 1225
  auto user = call_json("GET", "/api/users/" + uid, nullptr, 200);
  EXPECT_DOUBLE_EQ(user["total_order_value"].get<double>(), 1287.5);
  EXPECT_EQ(user["order_count"], orders);
  EXPECT_EQ(user["last_order_date"], "2024-05-28T10:00:00");
  EXPECT_EQ(sql_value("SELECT count(*) FROM orders"), "50");
  EXPECT_EQ(sql_value("SELECT sum(total_amount) FROM orders"), "1287.50");
}

} // namespace
