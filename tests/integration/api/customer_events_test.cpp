// Customer and order events in the outbox (migration 0018): written in the
// transaction of the change by the API, a bulk import and psql alike; an
// order's update of its customer's totals is no customer change; a
// transaction that turns events off (as `cdpd seed` does) writes none.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/api/api_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class customer_events : public api_fixture {
protected:
  /// The customer and order event types so far, oldest first.
  std::string types() {
    return sql_value("SELECT coalesce(string_agg(type, ' ' ORDER BY seq), '')"
                     " FROM events WHERE type LIKE 'customer.%'"
                     " OR type LIKE 'order.%'");
  }

  /// `data` of the newest event of `type`, as JSON.
  json last(const std::string& type) {
    return json::parse(
        sql_value("SELECT data::text FROM events WHERE type = '" + type +
                  "' ORDER BY seq DESC LIMIT 1"));
  }

  http_reply import_customers(const std::string& ndjson) {
    return http_call(port, "POST", "/api/import/customers", ndjson,
                     {{"Content-Type", "application/x-ndjson"}}, 60s);
  }
};

TEST_F(customer_events, api_writes_say_what_was_made_and_what_changed) {
  auto user = make_user("ada@example.org");
  auto id = user["id"].get<std::string>();
  EXPECT_EQ(types(), "customer.created");
  auto created = last("customer.created");
  EXPECT_EQ(created["customer_id"], id);
  EXPECT_EQ(created["email"], "ada@example.org");
  EXPECT_EQ(created["shipping_state"], "CA");
  EXPECT_EQ(created["marketing_opt_in"], true);

  call_json("PUT", "/api/users/" + id,
            {{"first_name", "Augusta"}, {"shipping_state", "NY"}}, 200);
  EXPECT_EQ(types(), "customer.created customer.updated");
  EXPECT_EQ(last("customer.updated"),
            (json{{"customer_id", id},
                  {"email", "ada@example.org"},
                  {"changed", {"first_name", "shipping_state"}}}));
  // Writing the same values again changes nothing, and says nothing.
  call_json("PUT", "/api/users/" + id, {{"first_name", "Augusta"}}, 200);
  EXPECT_EQ(types(), "customer.created customer.updated");

  // An order updates its customer's totals: that is no profile change.
  auto product = make_product("Widget", 10);
  auto order =
      call_json("POST", "/api/orders/",
                {{"user_id", id},
                 {"order_date", "2024-03-01T10:00:00"},
                 {"order_status", "delivered"},
                 {"total_amount", 30.5},
                 {"currency", "USD"},
                 {"channel", "web"},
                 {"items", {{{"product_id", product["id"]}, {"quantity", 3}}}}},
                200);
  EXPECT_EQ(types(), "customer.created customer.updated order.created");
  auto made = last("order.created");
  EXPECT_EQ(made["order_id"], order["id"]);
  EXPECT_EQ(made["customer_id"], id);
  EXPECT_EQ(made["total_amount"], 30.5);
  EXPECT_EQ(made["order_date"], "2024-03-01T10:00:00");
  EXPECT_EQ(made["channel"], "web");
  EXPECT_EQ(sql_value("SELECT total_order_value FROM customers"), "30.50");
}

TEST_F(customer_events,
       a_bulk_import_writes_one_event_per_customer_it_touched) {
  std::string lines;
  for (int i = 0; i < 3; ++i)
    lines += json{{"external_id", "crm-" + std::to_string(i)},
                  {"email", "c" + std::to_string(i) + "@example.com"},
                  {"first_name", "First"},
                  {"last_name", "Last"}}
                 .dump() +
             "\n";
  ASSERT_EQ(import_customers(lines).status, 200);
  EXPECT_EQ(types(), "customer.created customer.created customer.created");
  auto changed = json{{"external_id", "crm-1"},
                      {"email", "c1@example.com"},
                      {"first_name", "Renamed"},
                      {"last_name", "Last"}}
                     .dump() +
                 "\n";
  ASSERT_EQ(import_customers(lines + changed).status, 200);
  EXPECT_EQ(types(), "customer.created customer.created customer.created"
                     " customer.updated");
  auto updated = last("customer.updated");
  EXPECT_EQ(updated["external_id"], "crm-1");
  EXPECT_EQ(updated["changed"], json::array({"first_name"}));
}

TEST_F(customer_events, psql_writes_have_events_and_a_quiet_transaction_none) {
  pqxx::connection conn{db.conninfo()};
  {
    pqxx::work tx{conn};
    tx.exec0("INSERT INTO customers (email, first_name, last_name)"
             " VALUES ('psql@example.org', 'P', 'Sql')");
    tx.commit();
  }
  EXPECT_EQ(types(), "customer.created");
  {
    pqxx::work tx{conn};
    tx.exec0("INSERT INTO customers (email, first_name, last_name)"
             " VALUES ('gone@example.org', 'R', 'Back')");
    tx.abort(); // no change, no event
  }
  {
    pqxx::work tx{conn};
    tx.exec0("SET LOCAL cdpd.events = 'off'");
    tx.exec0("INSERT INTO customers (email, first_name, last_name)"
             " VALUES ('demo@example.org', 'De', 'Mo')");
    tx.exec0("UPDATE customers SET first_name = 'Q'"
             " WHERE email = 'psql@example.org'");
    tx.commit();
  }
  EXPECT_EQ(types(), "customer.created");
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers"), "2");
}

} // namespace
} // namespace cdpd::test
