// The row counts of migration 0020 against count(*): after single and
// bulk inserts, deletes (cascading ones too), rolled-back writes, writers
// on several connections at once, COPY and TRUNCATE; and the list
// repositories' unfiltered totals read them.
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/repositories/customer_repository.hpp"
#include "storage/repositories/order_repository.hpp"
#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/product_repository.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::storage {
namespace {

class RowCounts : public ::testing::Test {
protected:
  RowCounts() : conn(db.conninfo()) {
    auto report = migrate(conn, embedded_migrations());
    if (!report)
      throw std::runtime_error("migrate: " + describe(report.error()));
  }

  /// Fails the test for each table whose kept count is not count(*).
  void expect_counts_exact(const std::string& when) {
    pqxx::work tx{conn};
    for (const char* table : {"customers", "orders", "products"}) {
      auto real = tx.exec1(std::string{"SELECT count(*) FROM "} + table)[0]
                      .as<int64_t>();
      EXPECT_EQ(internal::table_rows(tx, table), real) << table << " " << when;
    }
  }

  void exec(const std::string& sql) {
    pqxx::work tx{conn};
    tx.exec(sql);
    tx.commit();
  }

  test::pg_test_db db;
  pqxx::connection conn;
};

TEST_F(RowCounts, EqualCountStarAfterEveryKindOfWrite) {
  expect_counts_exact("when empty");
  exec("INSERT INTO customers (email, first_name, last_name) SELECT"
       " 'c' || i || '@example.com', 'F', 'L' FROM generate_series(1, 500) i");
  exec("INSERT INTO products (external_id, name, category, brand, price)"
       " SELECT 'p' || i, 'P', 'C', 'B', 10 FROM generate_series(1, 20) i");
  exec("INSERT INTO orders (customer_id, order_date, order_status,"
       " total_amount, channel) SELECT id, now(), 'delivered', 10, 'web'"
       " FROM customers");
  expect_counts_exact("after bulk inserts");

  {
    pqxx::work tx{conn};
    tx.exec("INSERT INTO customers (email, first_name, last_name) VALUES"
            " ('gone@example.com', 'F', 'L')");
    tx.exec("DELETE FROM products WHERE external_id = 'p1'");
    tx.abort();
  }
  expect_counts_exact("after a rolled-back insert and delete");

  // Deleting customers deletes their orders by cascade.
  exec("DELETE FROM customers WHERE email LIKE 'c1%'");
  exec("DELETE FROM products WHERE external_id IN ('p2', 'p3', 'none')");
  exec("UPDATE customers SET first_name = 'G'");
  expect_counts_exact("after deletes, a cascade and an update");

  // Writers on several connections at once, some rolling back. A
  // deadlock between two random deletes rolls one back: its counts must
  // go with it.
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      pqxx::connection own{db.conninfo()};
      std::mt19937 rng{static_cast<unsigned>(w)};
      for (int i = 0; i < 100; ++i) {
        try {
          pqxx::work tx{own};
          auto email = "w" + std::to_string(w) + "-" + std::to_string(i) +
                       "@example.com";
          tx.exec_params("INSERT INTO customers (email, first_name,"
                         " last_name) VALUES ($1, 'F', 'L')",
                         email);
          if (i % 3 == 0)
            tx.exec("DELETE FROM customers WHERE id = (SELECT id FROM"
                    " customers ORDER BY random() LIMIT 1)");
          if (rng() % 5 == 0)
            tx.abort();
          else
            tx.commit();
        } catch (const pqxx::sql_error&) {
          // rolled back
        }
      }
    });
  for (auto& t : writers)
    t.join();
  expect_counts_exact("after concurrent writers");

  {
    pqxx::work tx{conn};
    auto stream = pqxx::stream_to{
        tx, "customers",
        std::vector<std::string>{"email", "first_name", "last_name"}};
    for (int i = 0; i < 300; ++i)
      stream << std::make_tuple("copy" + std::to_string(i) + "@example.com",
                                std::string{"F"}, std::string{"L"});
    stream.complete();
    tx.commit();
  }
  expect_counts_exact("after COPY");

  exec("TRUNCATE customers CASCADE");
  expect_counts_exact("after TRUNCATE ... CASCADE");
  exec("INSERT INTO customers (email, first_name, last_name) VALUES"
       " ('again@example.com', 'F', 'L')");
  expect_counts_exact("after an insert following TRUNCATE");
}

TEST_F(RowCounts, UnfilteredListsReadThemAndFilteredOnesStillCount) {
  exec("INSERT INTO customers (email, first_name, last_name) SELECT"
       " 'c' || i || '@example.com', CASE WHEN i % 2 = 0 THEN 'Ann' ELSE"
       " 'Bob' END, 'L' FROM generate_series(1, 50) i");
  // A count that only the kept rows say shows that the list reads them.
  exec("UPDATE row_counts SET n = n + 1000 WHERE table_name = 'customers'"
       " AND slot = (SELECT min(slot) FROM row_counts"
       " WHERE table_name = 'customers')");
  customer_query all;
  all.page.limit = 5;
  auto page = list_customers(conn, all);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 1050);
  EXPECT_EQ(page->items.size(), 5u);
  customer_query ann = all;
  ann.search = "Ann";
  auto searched = list_customers(conn, ann);
  ASSERT_TRUE(searched);
  EXPECT_EQ(searched->total, 25);

  exec("INSERT INTO products (external_id, name, category, brand, price)"
       " SELECT 'p' || i, 'P', CASE WHEN i <= 3 THEN 'A' ELSE 'B' END, 'B', 1"
       " FROM generate_series(1, 10) i");
  product_query products;
  products.page.limit = 2;
  auto listed = list_products(conn, products);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 10);
  products.category = "A";
  listed = list_products(conn, products);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 3);

  exec("INSERT INTO orders (customer_id, order_date, order_status,"
       " total_amount, channel) SELECT id, now(), CASE WHEN email LIKE 'c1%'"
       " THEN 'pending' ELSE 'delivered' END, 10, 'web' FROM customers");
  order_query orders;
  orders.page.limit = 3;
  auto found = list_orders(conn, orders);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->total, 50);
  orders.order_status = "pending";
  found = list_orders(conn, orders);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->total, 11); // c1, c10..c19
}

} // namespace
} // namespace cdpd::storage
