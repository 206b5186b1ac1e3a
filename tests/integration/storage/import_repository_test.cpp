#include "storage/repositories/import_repository.hpp"

#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/repositories/order_repository.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::storage {
namespace {

using results = std::vector<import_line_result>;

/// A migrated test database with one open connection.
class ImportTest : public ::testing::Test {
protected:
  ImportTest() : conn(db.conninfo()) {
    auto report = migrate(conn, embedded_migrations());
    if (!report)
      throw std::runtime_error("migrate: " + describe(report.error()));
  }

  /// The single value of a query.
  std::string value(const std::string& sql, const std::string& param = "") {
    pqxx::work tx{conn};
    auto row = param.empty() ? tx.exec1(sql) : tx.exec_params1(sql, param);
    return row[0].is_null() ? "<null>" : row[0].as<std::string>();
  }

  std::string product(const std::string& external_id,
                      const std::string& price) {
    pqxx::work tx{conn};
    auto id = tx.exec_params1("INSERT INTO products (external_id, name,"
                              " category, brand, price) VALUES ($1, 'P', 'C',"
                              " 'B', $2::numeric) RETURNING id::text",
                              external_id, price)[0]
                  .as<std::string>();
    tx.commit();
    return id;
  }

  /// Customers whose stored aggregates differ from their orders.
  int64_t wrong_aggregates() {
    return std::stoll(value(
        "SELECT count(*) FROM customers c LEFT JOIN (SELECT customer_id,"
        " sum(total_amount) AS total, count(*) AS n, max(order_date) AS last"
        " FROM orders GROUP BY customer_id) a ON a.customer_id = c.id"
        " WHERE (c.total_order_value, c.order_count, c.last_order_date)"
        " IS DISTINCT FROM (coalesce(a.total, 0), coalesce(a.n, 0), a.last)"));
  }

  test::pg_test_db db;
  pqxx::connection conn;
};

customer_import_row customer(std::string external_id, std::string email,
                             std::string first = "Ann",
                             std::string last = "Lee") {
  customer_import_row row;
  row.external_id = std::move(external_id);
  row.fields.email = std::move(email);
  row.fields.first_name = std::move(first);
  row.fields.last_name = std::move(last);
  return row;
}

order_item_import item(std::string product_external_id, int64_t quantity,
                       std::optional<double> unit_price) {
  return {std::move(product_external_id), {}, quantity, unit_price};
}

order_import_row order(std::string external_id, std::string customer_ext,
                       double total, std::vector<order_item_import> items = {},
                       std::string date = "2024-03-01T10:00:00") {
  order_import_row row;
  row.external_id = std::move(external_id);
  row.customer_external_id = std::move(customer_ext);
  row.order_date = std::move(date);
  row.order_status = "delivered";
  row.total_amount = total;
  row.currency = "USD";
  row.channel = "web";
  row.items = std::move(items);
  return row;
}

/// One letter per row: Inserted, Updated, unchanged (=), Rejected.
std::string outcomes(const caf::expected<results>& r) {
  if (!r)
    return "error: " + describe(r.error());
  std::string out;
  for (const auto& line : *r)
    out += "IU=R"[static_cast<int>(line.outcome)];
  return out;
}

TEST_F(ImportTest, CustomersInsertThenUpdateThenStayUnchanged) {
  auto a = customer("a", "a@x.io");
  a.fields.phone = std::optional<std::string>{"+1-555"};
  std::vector<customer_import_row> rows{a, customer("b", "b@x.io")};
  auto first = import_customers(conn, rows);
  ASSERT_EQ(outcomes(first), "II");
  EXPECT_EQ((*first)[0].id, value("SELECT id FROM customers WHERE "
                                  "external_id = 'a'"));
  auto stamp = value("SELECT updated_at FROM customers WHERE external_id='a'");
  EXPECT_EQ(outcomes(import_customers(conn, rows)), "==");
  EXPECT_EQ(value("SELECT updated_at FROM customers WHERE external_id='a'"),
            stamp);
  // A line without phone leaves it; a changed name is an update.
  auto renamed = customer("a", "a@x.io", "Anna");
  EXPECT_EQ(outcomes(import_customers(conn, {renamed})), "U");
  EXPECT_EQ(value("SELECT first_name || ' ' || phone FROM customers"
                  " WHERE external_id = 'a'"),
            "Anna +1-555");
  renamed.fields.phone = std::optional<std::string>{};
  EXPECT_EQ(outcomes(import_customers(conn, {renamed})), "U");
  EXPECT_EQ(value("SELECT phone FROM customers WHERE external_id = 'a'"),
            "<null>");
  EXPECT_EQ(value("SELECT count(*) FROM customers"), "2");
}

TEST_F(ImportTest, AggregatesAreNeverImportedAndNewRowsStartAtZero) {
  ASSERT_EQ(outcomes(import_customers(conn, {customer("a", "a@x.io")})), "I");
  EXPECT_EQ(value("SELECT total_order_value || '/' || order_count || '/' ||"
                  " coalesce(last_order_date::text, '-') || '/' ||"
                  " marketing_opt_in FROM customers"),
            "0.00/0/-/true");
}

TEST_F(ImportTest, AdoptsTheCustomerWithTheSameEmailAndNoExternalId) {
  auto created = create_customer(conn, customer("", "z@x.io").fields);
  ASSERT_TRUE(created && created->value);
  auto r = import_customers(conn, {customer("z", "z@x.io", "Zed")});
  ASSERT_EQ(outcomes(r), "U");
  EXPECT_EQ((*r)[0].id, created->value->id);
  EXPECT_EQ(value("SELECT external_id || ' ' || first_name FROM customers"),
            "z Zed");
}

TEST_F(ImportTest, AnEmailOfAnotherCustomerRejectsOnlyThatRow) {
  ASSERT_EQ(outcomes(import_customers(
                conn, {customer("a", "a@x.io"), customer("b", "b@x.io")})),
            "II");
  auto r =
      import_customers(conn, {customer("c", "a@x.io"), customer("b", "a@x.io"),
                              customer("d", "d@x.io")});
  ASSERT_EQ(outcomes(r), "RRI");
  EXPECT_EQ((*r)[0].reason, "email a@x.io already belongs to another customer");
  EXPECT_EQ((*r)[1].reason, "email a@x.io already belongs to another customer");
  EXPECT_TRUE((*r)[0].id.empty());
  EXPECT_EQ(value("SELECT email FROM customers WHERE external_id = 'b'"),
            "b@x.io");
}

TEST_F(ImportTest, ANewCustomerNeedsEmailAndNames) {
  auto partial = customer("a", "a@x.io");
  partial.fields.first_name.reset();
  auto r = import_customers(conn, {partial});
  ASSERT_EQ(outcomes(r), "R");
  EXPECT_EQ((*r)[0].reason,
            "email, first_name and last_name are required for a new customer");
  ASSERT_EQ(outcomes(import_customers(conn, {customer("a", "a@x.io")})), "I");
  partial.fields.last_name = "Ng";
  EXPECT_EQ(outcomes(import_customers(conn, {partial})), "U");
  EXPECT_EQ(value("SELECT first_name || ' ' || last_name FROM customers"),
            "Ann Ng");
}

TEST_F(ImportTest, RowsThatCannotBeStoredAreRejectedBeforeSql) {
  std::vector<customer_import_row> rows{
      customer("", "e@x.io"), customer("n", std::string{"a\0b", 3}),
      customer("u", "bad\xff utf8"), customer("ok", "ok@x.io")};
  auto r = import_customers(conn, rows);
  ASSERT_EQ(outcomes(r), "RRRI");
  EXPECT_EQ((*r)[0].reason, "external_id is required");
  EXPECT_EQ((*r)[1].reason, "text must be UTF-8 without NUL characters");
  EXPECT_EQ((*r)[2].reason, "text must be UTF-8 without NUL characters");
}

TEST_F(ImportTest, RepeatedKeysInOneCallApplyInLineOrder) {
  ASSERT_EQ(outcomes(import_customers(conn, {customer("a", "x@x.io")})), "I");
  // a gives up x, then b takes it: both succeed in this order ...
  auto r =
      import_customers(conn, {customer("a", "y@x.io"), customer("b", "x@x.io"),
                              customer("a", "y@x.io", "Again"),
                              customer("a", "y@x.io", "Again")});
  EXPECT_EQ(outcomes(r), "UIU=");
  // ... and in the other order b is refused because a still holds x.
  r = import_customers(conn, {customer("d", "z@x.io"), customer("a", "z@x.io"),
                              customer("c", "y@x.io")});
  ASSERT_EQ(outcomes(r), "IRR");
  EXPECT_EQ((*r)[2].reason, "email y@x.io already belongs to another customer");
  EXPECT_EQ(value("SELECT string_agg(external_id || '=' || email, ' '"
                  " ORDER BY external_id) FROM customers"),
            "a=y@x.io b=x@x.io d=z@x.io");
}

/// The same random rows, all in one call and one per call, in two
/// databases that start alike, end alike and report the same outcomes.
TEST_F(ImportTest, OneCallHasTheOutcomeOfOneCallPerRow) {
  test::pg_test_db other_db;
  pqxx::connection other{other_db.conninfo()};
  ASSERT_TRUE(migrate(other, embedded_migrations()));
  for (auto* c : {&conn, &other})
    for (auto email : {"e0@x.io", "e1@x.io"}) // adoptable
      ASSERT_TRUE(create_customer(*c, customer("", email).fields));
  std::mt19937 random{42};
  auto pick = [&](int n) { return static_cast<int>(random() % n); };
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<customer_import_row> rows;
    for (int i = 0; i < 12; ++i) {
      auto row = customer("k" + std::to_string(pick(4)),
                          "e" + std::to_string(pick(5)) + "@x.io",
                          "F" + std::to_string(pick(3)));
      if (pick(4) == 0)
        row.fields.email.reset();
      rows.push_back(row);
    }
    auto together = import_customers(conn, rows);
    ASSERT_TRUE(together);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      auto alone = import_customers(other, {rows[i]});
      ASSERT_TRUE(alone);
      EXPECT_EQ((*together)[i].outcome, (*alone)[0].outcome)
          << "batch " << batch << " row " << i;
      EXPECT_EQ((*together)[i].reason, (*alone)[0].reason);
    }
  }
  auto state = [](pqxx::connection& c) {
    pqxx::work tx{c};
    return tx
        .exec1("SELECT string_agg(coalesce(external_id, '-') || '=' || email"
               " || '/' || first_name, ' ' ORDER BY email) FROM customers")[0]
        .as<std::string>();
  };
  EXPECT_EQ(state(conn), state(other));
}

/// Customers c1 and c2 and products p1 (5.00) and p2 (2.50).
class OrderImportTest : public ImportTest {
protected:
  OrderImportTest() {
    auto r = import_customers(
        conn, {customer("c1", "c1@x.io"), customer("c2", "c2@x.io")});
    c1 = (*r)[0].id;
    c2 = (*r)[1].id;
    p1 = product("p1", "5.00");
    p2 = product("p2", "2.50");
  }

  std::string aggregates(const std::string& customer_ext) {
    return value("SELECT total_order_value || '/' || order_count || '/' ||"
                 " coalesce(last_order_date::text, '-') FROM customers"
                 " WHERE external_id = $1",
                 customer_ext);
  }

  std::string items(const std::string& order_ext) {
    return value("SELECT coalesce(string_agg(p.external_id || 'x' ||"
                 " i.quantity || '@' || i.unit_price, ' ' ORDER BY"
                 " p.external_id), '-') FROM order_items i"
                 " JOIN orders o ON o.id = i.order_id"
                 " JOIN products p ON p.id = i.product_id"
                 " WHERE o.external_id = $1",
                 order_ext);
  }

  std::string c1, c2, p1, p2;
};

TEST_F(OrderImportTest, OrdersInsertUpdateAndStayUnchanged) {
  auto by_ids = order("o2", "", 7.5, {}, "2024-04-01T00:00:00");
  by_ids.customer_id = c2;
  by_ids.items = {{"", p1, 1, std::nullopt}, {"", p2, 1, 2.5}};
  std::vector<order_import_row> rows{
      order("o1", "c1", 12.5, {item("p1", 2, 5.0), item("p2", 1, 2.5)}),
      by_ids};
  auto r = import_orders(conn, rows);
  ASSERT_EQ(outcomes(r), "II");
  EXPECT_EQ(items("o1"), "p1x2@5.00 p2x1@2.50");
  EXPECT_EQ(items("o2"), "p1x1@5.00 p2x1@2.50"); // price from the product
  EXPECT_EQ(aggregates("c1"), "12.50/1/2024-03-01 10:00:00");
  EXPECT_EQ(aggregates("c2"), "7.50/1/2024-04-01 00:00:00");
  auto stamp = value("SELECT updated_at FROM customers WHERE id = $1", c1);
  EXPECT_EQ(outcomes(import_orders(conn, rows)), "==");
  EXPECT_EQ(value("SELECT updated_at FROM customers WHERE id = $1", c1), stamp);
  // Items in another order, and no date (keep the stored one): unchanged.
  rows[0].items = {item("p2", 1, 2.5), item("p1", 2, 5.0)};
  rows[0].order_date.reset();
  EXPECT_EQ(outcomes(import_orders(conn, rows)), "==");
  rows[0].items[1].quantity = 3;
  rows[0].total_amount = 17.5;
  rows[1].order_status = "shipped";
  ASSERT_EQ(outcomes(import_orders(conn, rows)), "UU");
  EXPECT_EQ(items("o1"), "p1x3@5.00 p2x1@2.50");
  EXPECT_EQ(value("SELECT count(*) FROM order_items"), "4");
  EXPECT_EQ(aggregates("c1"), "17.50/1/2024-03-01 10:00:00");
  EXPECT_EQ(value("SELECT order_status FROM orders WHERE external_id = 'o2'"),
            "shipped");
  rows[0].items.clear();
  ASSERT_EQ(outcomes(import_orders(conn, rows)), "U=");
  EXPECT_EQ(items("o1"), "-");
  EXPECT_EQ(wrong_aggregates(), 0);
}

TEST_F(OrderImportTest, UnknownCustomersAndProductsRejectTheirRowsOnly) {
  auto by_bad_uuid = order("o3", "", 1);
  by_bad_uuid.customer_id = "not-a-uuid";
  auto by_missing_uuid = order("o4", "", 1);
  by_missing_uuid.customer_id = "00000000-0000-0000-0000-000000000000";
  auto by_missing_product = order("o6", "c1", 1);
  by_missing_product.items = {
      item("p1", 1, 1.0), {"", "00000000-0000-0000-0000-000000000001", 1, 1.0}};
  auto r = import_orders(
      conn, {order("o1", "nope", 1), order("o2", "c1", 1, {item("p9", 1, 1.0)}),
             by_bad_uuid, by_missing_uuid,
             order("o5", "c2", 3, {item("p2", 1, 3.0)}), by_missing_product});
  ASSERT_EQ(outcomes(r), "RRRRIR");
  EXPECT_EQ((*r)[0].reason, "unknown customer external_id \"nope\"");
  EXPECT_EQ((*r)[1].reason, "unknown product external_id \"p9\"");
  EXPECT_EQ((*r)[2].reason, "unknown customer id \"not-a-uuid\"");
  EXPECT_EQ((*r)[3].reason,
            "unknown customer id \"00000000-0000-0000-0000-000000000000\"");
  EXPECT_EQ((*r)[5].reason,
            "unknown product id \"00000000-0000-0000-0000-000000000001\"");
  EXPECT_EQ(value("SELECT string_agg(external_id, ',') FROM orders"), "o5");
  EXPECT_EQ(aggregates("c1"), "0.00/0/-");
  EXPECT_EQ(aggregates("c2"), "3.00/1/2024-03-01 10:00:00");
}

TEST_F(OrderImportTest, BadValuesAreRejectedBeforeSql) {
  auto bad_date = order("o1", "c1", 1, {}, "2024-02-30T00:00:00");
  auto negative = order("o2", "c1", -1);
  auto zero_quantity = order("o3", "c1", 1, {item("p1", 0, 1.0)});
  auto r = import_orders(conn, {bad_date, negative, zero_quantity,
                                order("", "c1", 1), order("o5", "c1", 1)});
  ASSERT_EQ(outcomes(r), "RRRRI");
  EXPECT_EQ((*r)[0].reason, "order_date: invalid datetime "
                            "\"2024-02-30T00:00:00\"");
  EXPECT_EQ((*r)[1].reason, "total_amount: out of range");
  EXPECT_EQ((*r)[2].reason, "items[0].quantity: out of range");
  EXPECT_EQ((*r)[3].reason, "external_id is required");
}

TEST_F(OrderImportTest, AnOrderMovingKeepsBothCustomersExact) {
  ASSERT_EQ(outcomes(import_orders(
                conn, {order("o1", "c1", 10, {item("p1", 2, 5.0)}),
                       order("o2", "c1", 4, {}, "2024-01-01T00:00:00")})),
            "II");
  EXPECT_EQ(aggregates("c1"), "14.00/2/2024-03-01 10:00:00");
  ASSERT_EQ(outcomes(import_orders(
                conn, {order("o1", "c2", 10, {item("p1", 2, 5.0)})})),
            "U");
  EXPECT_EQ(aggregates("c1"), "4.00/1/2024-01-01 00:00:00");
  EXPECT_EQ(aggregates("c2"), "10.00/1/2024-03-01 10:00:00");
  EXPECT_EQ(wrong_aggregates(), 0);
}

TEST_F(OrderImportTest, RepeatedOrdersInOneCallApplyInLineOrder) {
  auto r = import_orders(
      conn, {order("o1", "c1", 10), order("o1", "c2", 20, {item("p1", 1, 2)}),
             order("o2", "c1", 5), order("o1", "c2", 20, {item("p1", 1, 2)})});
  ASSERT_EQ(outcomes(r), "IUI=");
  EXPECT_EQ((*r)[0].id, (*r)[1].id);
  EXPECT_EQ(aggregates("c1"), "5.00/1/2024-03-01 10:00:00");
  EXPECT_EQ(aggregates("c2"), "20.00/1/2024-03-01 10:00:00");
  EXPECT_EQ(items("o1"), "p1x1@2.00");
  EXPECT_EQ(wrong_aggregates(), 0);
}

TEST_F(OrderImportTest, InjectionAttemptsAreStoredVerbatimAndHarmNothing) {
  const std::vector<std::string> evil{
      "x'); DROP TABLE customers; --", "\"; DELETE FROM orders; --",
      "a\tb\nc\\N\\\\d\r", "$1 %s %I ' '' \\' E'\\x00'",
      "ünïcødé 😀 '||(SELECT version())||'"};
  std::vector<customer_import_row> customers;
  std::vector<order_import_row> orders;
  for (std::size_t i = 0; i < evil.size(); ++i) {
    const auto& s = evil[i];
    auto c = customer(s, s + "@" + std::to_string(i), s, s);
    c.fields.phone = std::optional<std::string>{s};
    c.fields.shipping_state = std::optional<std::string>{s};
    c.fields.shipping_country = std::optional<std::string>{s};
    customers.push_back(c);
    product(s, "1.00");
    auto o = order(s, s, 1, {item(s, 1, 1.0)});
    o.order_status = o.currency = o.channel = s;
    o.coupon_code = s;
    orders.push_back(o);
  }
  ASSERT_EQ(outcomes(import_customers(conn, customers)), "IIIII");
  ASSERT_EQ(outcomes(import_orders(conn, orders)), "IIIII");
  EXPECT_EQ(outcomes(import_customers(conn, customers)), "=====");
  EXPECT_EQ(outcomes(import_orders(conn, orders)), "=====");
  auto unknown = order("o", "nope'); DROP TABLE orders; --", 1);
  auto r = import_orders(conn, {unknown});
  ASSERT_EQ(outcomes(r), "R");
  EXPECT_EQ((*r)[0].reason,
            "unknown customer external_id \"nope'); DROP TABLE orders; --\"");
  pqxx::work tx{conn};
  for (std::size_t i = 0; i < evil.size(); ++i) {
    const auto& s = evil[i];
    auto c = tx.exec_params1(
        "SELECT count(*) FROM customers WHERE external_id = $1"
        " AND email = $2 AND first_name = $1 AND last_name = $1"
        " AND phone = $1 AND shipping_state = $1 AND shipping_country = $1",
        s, s + "@" + std::to_string(i));
    EXPECT_EQ(c[0].as<int>(), 1) << s;
    auto o = tx.exec_params1(
        "SELECT count(*) FROM orders o JOIN customers c ON c.id ="
        " o.customer_id JOIN order_items i ON i.order_id = o.id"
        " JOIN products p ON p.id = i.product_id WHERE o.external_id = $1"
        " AND c.external_id = $1 AND p.external_id = $1"
        " AND o.order_status = $1 AND o.currency = $1 AND o.channel = $1"
        " AND o.coupon_code = $1",
        s);
    EXPECT_EQ(o[0].as<int>(), 1) << s;
  }
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM customers")[0].as<int>(), 7);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM orders")[0].as<int>(), 5);
}

TEST_F(OrderImportTest, ConcurrentImportsAndOrderPostsKeepAggregatesExact) {
  constexpr int threads = 4;
  std::vector<std::thread> workers;
  std::vector<std::string> failures(threads);
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      pqxx::connection own{db.conninfo()};
      for (int call = 0; call < 10; ++call) {
        std::vector<order_import_row> rows;
        // Every thread's orders hop between c1 and c2 on every call.
        for (int i = 0; i < 20; ++i)
          rows.push_back(
              order("t" + std::to_string(t) + "-" + std::to_string(i),
                    (i + call) % 2 ? "c1" : "c2", 1 + i, {item("p1", 1, 1.0)}));
        auto r = import_orders(own, rows);
        if (!r || outcomes(r).find('R') != std::string::npos)
          failures[t] = outcomes(r);
        order_input posted{c1,    std::nullopt, "pending",    3,
                           "USD", "web",        std::nullopt, {}};
        if (auto created = create_order(own, posted); !created)
          failures[t] = describe(created.error());
      }
    });
  for (auto& w : workers)
    w.join();
  for (const auto& f : failures)
    EXPECT_EQ(f, "");
  EXPECT_EQ(value("SELECT count(*) FROM orders"),
            std::to_string(threads * 20 + threads * 10));
  EXPECT_EQ(wrong_aggregates(), 0);
}

TEST_F(OrderImportTest, ThousandRowBatches) {
  using clock = std::chrono::steady_clock;
  auto rate = [](const char* what, std::size_t rows, clock::duration d) {
    auto s = std::chrono::duration<double>(d).count();
    std::cout << "[ rate     ] " << what << ": " << rows << " rows in " << s
              << " s = " << static_cast<int64_t>(rows / s) << " rows/s\n";
  };
  constexpr int batches = 5, size = 1000;
  std::vector<std::vector<customer_import_row>> customer_batches(batches);
  std::vector<std::vector<order_import_row>> order_batches(batches);
  for (int b = 0; b < batches; ++b)
    for (int i = 0; i < size; ++i) {
      auto n = std::to_string(b * size + i);
      auto c = customer("cust-" + n, "cust" + n + "@x.io");
      c.fields.phone = std::optional<std::string>{"+1-555-" + n};
      c.fields.shipping_state = std::optional<std::string>{"CA"};
      customer_batches[b].push_back(c);
      order_batches[b].push_back(
          order("ord-" + n, "cust-" + std::to_string((b * size + i) / 2), 12.5,
                {item("p1", 2, 5.0), item("p2", 1, 2.5)}));
    }
  auto run = [&](const char* what, auto& all, auto import, char expected) {
    auto start = clock::now();
    for (const auto& batch : all) {
      auto r = import(conn, batch);
      ASSERT_EQ(outcomes(r), std::string(size, expected)) << what;
    }
    rate(what, batches * size, clock::now() - start);
  };
  run("customers inserted", customer_batches, import_customers, 'I');
  run("customers unchanged", customer_batches, import_customers, '=');
  for (auto& batch : customer_batches)
    for (auto& c : batch)
      c.fields.first_name = "Changed";
  run("customers updated", customer_batches, import_customers, 'U');
  run("orders (2 items) inserted", order_batches, import_orders, 'I');
  run("orders (2 items) unchanged", order_batches, import_orders, '=');
  for (auto& batch : order_batches)
    for (auto& o : batch)
      o.items[0].quantity = 3;
  run("orders (2 items) updated", order_batches, import_orders, 'U');
  EXPECT_EQ(value("SELECT count(*) FROM order_items"),
            std::to_string(2 * batches * size));
  EXPECT_EQ(wrong_aggregates(), 0);
}

} // namespace
} // namespace cdpd::storage
