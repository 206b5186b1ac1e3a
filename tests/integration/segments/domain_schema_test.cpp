#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "tests/integration/segments/segment_test_db.hpp"

namespace cdpd::test {
namespace {

bool fails_with(pqxx::connection& conn, const std::string& sql,
                const std::string& sqlstate) {
  try {
    pqxx::work tx{conn};
    tx.exec(sql);
    tx.commit();
    return false;
  } catch (const pqxx::sql_error& e) {
    EXPECT_EQ(e.sqlstate(), sqlstate) << e.what();
    return e.sqlstate() == sqlstate;
  }
}

void exec(pqxx::connection& conn, const std::string& sql) {
  pqxx::work tx{conn};
  tx.exec(sql);
  tx.commit();
}

TEST(DomainSchema, CreatesEveryTableAndTheIndexesTheApiNeeds) {
  segment_test_db db;
  for (auto table :
       {"customers", "products", "orders", "order_items", "segments", "flows",
        "flow_steps", "campaigns", "campaign_steps", "campaign_delivery_stats",
        "flow_delivery_stats", "ai_generation_log"})
    EXPECT_EQ(db.scalar(std::string{"SELECT count(*) FROM pg_tables WHERE "
                                    "schemaname = 'public' AND tablename = '"} +
                        table + "'"),
              1)
        << table;
  for (auto index :
       {"customers_email_key", "customers_marketing_opt_in_idx",
        "customers_last_order_date_idx", "customers_shipping_state_idx",
        "customers_total_order_value_idx", "customers_opt_in_state_value_idx",
        "orders_customer_id_idx", "orders_order_date_idx",
        "orders_customer_id_order_date_idx", "campaigns_status_idx",
        "campaigns_segment_id_idx", "campaigns_start_date_idx"})
    EXPECT_EQ(db.scalar(std::string{"SELECT count(*) FROM pg_indexes WHERE "
                                    "indexname = '"} +
                        index + "'"),
              1)
        << index;
}

TEST(DomainSchema, DefaultsMatchTheApi) {
  segment_test_db db;
  exec(db.conn(), "INSERT INTO customers (email, first_name, last_name) "
                  "VALUES ('a@x.com', 'A', 'B')");
  pqxx::work tx{db.conn()};
  auto row = tx.exec1(
      "SELECT marketing_opt_in, total_order_value::text, order_count, "
      "last_order_date IS NULL, abs(extract(epoch FROM created_at - (now() AT "
      "TIME ZONE 'utc'))) < 60 FROM customers");
  EXPECT_TRUE(row[0].as<bool>());
  EXPECT_EQ(row[1].as<std::string>(), "0.00");
  EXPECT_EQ(row[2].as<int>(), 0);
  EXPECT_TRUE(row[3].as<bool>());
  EXPECT_TRUE(row[4].as<bool>()) << "created_at is not UTC";
  auto seg = tx.exec1("INSERT INTO segments (name) VALUES ('s') RETURNING "
                      "definition::text, length(id::text)");
  EXPECT_EQ(seg[0].as<std::string>(), "{}");
  EXPECT_EQ(seg[1].as<int>(), 36);
  tx.commit();
  // Emails are unique.
  EXPECT_TRUE(fails_with(db.conn(),
                         "INSERT INTO customers (email, first_name, last_name) "
                         "VALUES ('a@x.com', 'C', 'D')",
                         "23505"));
}

TEST(DomainSchema, DeletionRules) {
  segment_test_db db;
  exec(db.conn(),
       "INSERT INTO customers (id, email, first_name, last_name) VALUES "
       "('00000000-0000-0000-0000-00000000000a', 'a@x.com', 'A', 'B');"
       "INSERT INTO products (id, name, category, brand, price) VALUES "
       "('00000000-0000-0000-0000-0000000000b1', 'P', 'C', 'B', 1);"
       "INSERT INTO orders (id, customer_id, order_date, order_status, "
       "total_amount, channel) VALUES ('00000000-0000-0000-0000-0000000000c1', "
       "'00000000-0000-0000-0000-00000000000a', '2024-01-01', 'delivered', 1, "
       "'web');"
       "INSERT INTO order_items (order_id, product_id, quantity, unit_price) "
       "VALUES ('00000000-0000-0000-0000-0000000000c1', "
       "'00000000-0000-0000-0000-0000000000b1', 1, 1);"
       "INSERT INTO segments (id, name) VALUES "
       "('00000000-0000-0000-0000-0000000000d1', 'used'),"
       "('00000000-0000-0000-0000-0000000000d2', 'unused');"
       "INSERT INTO flows (id, segment_id) VALUES "
       "('00000000-0000-0000-0000-0000000000e1', "
       "'00000000-0000-0000-0000-0000000000d1');"
       "INSERT INTO flow_steps (flow_id, step_type, step_order) VALUES "
       "('00000000-0000-0000-0000-0000000000e1', 'WAIT', 1),"
       "('00000000-0000-0000-0000-0000000000e1', 'EXIT', 2);"
       "INSERT INTO campaigns (id, segment_id, flow_id, name) VALUES "
       "('00000000-0000-0000-0000-0000000000f1', "
       "'00000000-0000-0000-0000-0000000000d1', "
       "'00000000-0000-0000-0000-0000000000e1', 'c');"
       "INSERT INTO campaign_steps (campaign_id, step_number, subject, "
       "body_text) VALUES ('00000000-0000-0000-0000-0000000000f1', 1, 's', "
       "'b');");
  // A segment in use by a flow or campaign cannot be deleted; others can.
  EXPECT_TRUE(fails_with(db.conn(),
                         "DELETE FROM segments WHERE id = "
                         "'00000000-0000-0000-0000-0000000000d1'",
                         "23503"));
  exec(db.conn(), "DELETE FROM segments WHERE id = "
                  "'00000000-0000-0000-0000-0000000000d2'");
  // A sold product stays.
  EXPECT_TRUE(fails_with(db.conn(), "DELETE FROM products", "23503"));
  // Deleting a flow deletes its steps and detaches its campaigns.
  exec(db.conn(), "DELETE FROM flows");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM flow_steps"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM campaigns WHERE flow_id IS NULL"),
            1);
  // Deleting a campaign deletes its steps.
  exec(db.conn(), "DELETE FROM campaigns");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM campaign_steps"), 0);
  // Deleting a customer deletes their orders and the orders' items.
  exec(db.conn(), "DELETE FROM customers");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM orders"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM order_items"), 0);
  exec(db.conn(), "DELETE FROM segments");
}

} // namespace
} // namespace cdpd::test
