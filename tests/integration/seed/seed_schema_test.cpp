#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "storage/errc.hpp"
#include "storage/seed/demo_data.hpp"
#include "tests/integration/seed/seeded_db.hpp"

namespace cdpd::test {
namespace {

namespace seed = storage::seed;

seed::seed_options options(int64_t customers, int64_t orders, int64_t products,
                           bool force = false) {
  seed::seed_options o;
  o.customers = customers;
  o.orders = orders;
  o.products = products;
  o.force = force;
  return o;
}

// Every index, constraint and column of the public schema, one per line.
std::string schema_of(migrated_db& db) {
  return db.value(
      "SELECT string_agg(line, E'\\n' ORDER BY line) FROM ("
      " SELECT concat_ws('|', 'index', tablename, indexname, indexdef) AS line"
      " FROM pg_indexes WHERE schemaname = 'public'"
      " UNION ALL SELECT concat_ws('|', 'constraint', conrelid::regclass,"
      "  conname, contype, pg_get_constraintdef(oid), convalidated,"
      "  condeferrable, condeferred, conindid::regclass)"
      " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
      " UNION ALL SELECT concat_ws('|', 'column', table_name, column_name,"
      "  data_type, is_nullable, column_default)"
      " FROM information_schema.columns WHERE table_schema = 'public') s");
}

// Runs `sql` in its own statement; true when PostgreSQL refused it with a
// violation of the integrity constraint type `Violation`.
template <typename Violation>
bool refused_with(migrated_db& db, const std::string& sql) {
  try {
    pqxx::nontransaction tx{db.conn()};
    tx.exec(sql);
  } catch (const Violation&) {
    return true;
  }
  return false;
}

const std::string unknown_id = "'00000000-0000-4000-8000-000000000000'";

TEST(seed_schema, seeding_keeps_every_index_and_constraint) {
  migrated_db db;
  auto migrated = schema_of(db);
  for (const char* name :
       {"customers_pkey", "customers_email_key", "customers_created_at_id_idx",
        "orders_customer_id_fkey", "order_items_product_id_fkey",
        "orders_customer_id_order_date_idx"})
    EXPECT_NE(migrated.find(name), std::string::npos) << name;

  auto first = seed::seed_demo_data(db.conn(), options(500, 900, 20), {});
  ASSERT_TRUE(first) << storage::describe(first.error());
  EXPECT_EQ(schema_of(db), migrated);

  auto again = seed::seed_demo_data(db.conn(), options(300, 400, 10, true), {});
  ASSERT_TRUE(again) << storage::describe(again.error());
  EXPECT_EQ(schema_of(db), migrated);
}

TEST(seed_schema, keys_and_foreign_keys_hold_after_seeding) {
  migrated_db db;
  auto report = seed::seed_demo_data(db.conn(), options(200, 300, 10), {});
  ASSERT_TRUE(report) << storage::describe(report.error());
  auto customer = db.value("SELECT id FROM customers ORDER BY id LIMIT 1");
  auto order = db.value("SELECT id FROM orders ORDER BY id LIMIT 1");
  auto product = db.value("SELECT id FROM products ORDER BY id LIMIT 1");

  EXPECT_TRUE(refused_with<pqxx::foreign_key_violation>(
      db, "INSERT INTO orders (customer_id, order_date, order_status, "
          "total_amount, channel) VALUES (" +
              unknown_id + ", now(), 'pending', 1, 'web')"));
  EXPECT_TRUE(refused_with<pqxx::foreign_key_violation>(
      db, "INSERT INTO order_items (order_id, product_id, quantity, "
          "unit_price) VALUES ('" +
              order + "', " + unknown_id + ", 1, 1)"));
  EXPECT_TRUE(refused_with<pqxx::foreign_key_violation>(
      db, "INSERT INTO order_items (order_id, product_id, quantity, "
          "unit_price) VALUES (" +
              unknown_id + ", '" + product + "', 1, 1)"));
  EXPECT_TRUE(refused_with<pqxx::unique_violation>(
      db, "INSERT INTO customers (email, first_name, last_name) "
          "SELECT email, 'X', 'Y' FROM customers LIMIT 1"));
  EXPECT_TRUE(refused_with<pqxx::unique_violation>(
      db, "INSERT INTO customers (id, email, first_name, last_name) VALUES ('" +
              customer + "', 'new@example.com', 'X', 'Y')"));

  // The same rows with known ids go in, so the refusals above were the keys.
  db.value("WITH o AS (INSERT INTO orders (customer_id, order_date, "
           "order_status, total_amount, channel) VALUES ('" +
           customer +
           "', now(), 'pending', 1, 'web') RETURNING id) "
           "INSERT INTO order_items (order_id, product_id, quantity, "
           "unit_price) SELECT id, '" +
           product + "', 1, 1 FROM o RETURNING 1");
  // Deleting a customer still cascades to their orders.
  db.value("DELETE FROM customers WHERE id = '" + customer + "' RETURNING 1");
  EXPECT_EQ(db.count("SELECT count(*) FROM orders WHERE customer_id = '" +
                     customer + "'"),
            0);
}

TEST(seed_schema, a_failed_seed_leaves_the_schema_as_it_was) {
  migrated_db db;
  auto migrated = schema_of(db);
  // Once while the tables are bare, once halfway through the rebuild.
  for (const auto& [phase, done] :
       {std::pair<std::string, int64_t>{"customers", 0}, {"indexes", 3}}) {
    auto report = seed::seed_demo_data(db.conn(), options(100, 100, 5),
                                       [&](const seed::seed_progress& p) {
                                         if (p.phase == phase && p.done == done)
                                           throw std::runtime_error("stop");
                                       });
    ASSERT_FALSE(report) << phase;
    EXPECT_EQ(schema_of(db), migrated) << phase;
    EXPECT_EQ(db.count("SELECT count(*) FROM orders"), 0) << phase;
  }
}

TEST(seed_schema, keeps_what_later_migrations_add) {
  migrated_db db;
  db.value("CREATE TABLE loyalty (customer_id uuid PRIMARY KEY "
           " REFERENCES customers (id) ON DELETE CASCADE,"
           " points integer NOT NULL DEFAULT 0);"
           "CREATE INDEX orders_coupon_channel_idx ON orders (channel)"
           " WHERE coupon_code IS NOT NULL;"
           "CREATE UNIQUE INDEX products_name_key ON products (lower(name));"
           "ALTER TABLE order_items ADD CONSTRAINT order_items_quantity_check"
           " CHECK (quantity > 0);"
           "SELECT 1");
  auto migrated = schema_of(db);
  auto report = seed::seed_demo_data(db.conn(), options(100, 200, 10), {});
  ASSERT_TRUE(report) << storage::describe(report.error());
  EXPECT_EQ(schema_of(db), migrated);
  EXPECT_TRUE(refused_with<pqxx::foreign_key_violation>(
      db, "INSERT INTO loyalty (customer_id) VALUES (" + unknown_id + ")"));
}

} // namespace
} // namespace cdpd::test
