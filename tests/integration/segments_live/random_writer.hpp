#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/repositories/customer_repository.hpp"
#include "storage/repositories/order_repository.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"

// Random writes to a database (the seeded one unless told) for the
// incremental tests: customer inserts, edits and deletes and order inserts
// and deletes, through SQL and through the repositories (every one
// captured by the triggers).
namespace cdpd::test {

/// The seed of this run: CDPD_TEST_SEED or a fresh one.
inline std::uint32_t test_seed() {
  if (const char* text = std::getenv("CDPD_TEST_SEED"))
    return static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10));
  return std::random_device{}();
}

/// Writes random changes to the seeded database.
class random_writer {
public:
  /// `prefix` (plus a number per writer of the process) starts the e-mail
  /// addresses of the customers it creates; e-mails are unique, so writers
  /// sharing a database need different prefixes. Writes to the database of
  /// `conninfo`, the seeded one when empty. PostgreSQL's random() (which
  /// picks customers and orders) is seeded from `seed` too.
  explicit random_writer(std::uint32_t seed, std::string prefix = "inc",
                         const std::string& conninfo = {})
      : rng_(seed), conn_(conninfo.empty() ? seeded_db().conninfo() : conninfo),
        prefix_(std::move(prefix) + "-" + std::to_string(++instances())) {
    pqxx::work tx{conn_};
    tx.exec_params("SELECT setseed($1)",
                   static_cast<double>(seed) / 4294967296.0);
    for (const auto& r : tx.exec("SELECT id::text FROM products"))
      products_.push_back(r[0].as<std::string>());
    for (const auto& r : tx.exec("SELECT DISTINCT order_status FROM orders"))
      statuses_.push_back(r[0].as<std::string>());
    for (const auto& r : tx.exec("SELECT DISTINCT channel FROM orders"))
      channels_.push_back(r[0].as<std::string>());
    tx.commit();
  }

  /// One random write; returns what it did, for failure messages.
  std::string step() {
    switch (pick(9)) {
    case 0:
      return sql_insert_customer();
    case 1:
      return repo_create_customer();
    case 2:
      return sql_edit_customer();
    case 3:
      return repo_update_customer();
    case 4:
      return delete_customer();
    case 5:
      return sql_insert_order();
    case 6:
      return repo_create_order();
    case 7:
      return sql_delete_order();
    default:
      return sql_add_item();
    }
  }

private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>{0, n - 1}(rng_);
  }

  template <class T> const T& one_of(const std::vector<T>& v) {
    return v[pick(v.size())];
  }

  std::string state() {
    static const std::vector<std::string> states{"CA", "NY", "TX", "FL",
                                                 "WA", "IL", ""};
    return one_of(states);
  }

  std::string random_customer() {
    pqxx::work tx{conn_};
    auto r = tx.exec1("SELECT id::text FROM customers OFFSET floor(random() * "
                      "(SELECT count(*) FROM customers)) LIMIT 1");
    tx.commit();
    return r[0].as<std::string>();
  }

  std::string sql_insert_customer() {
    pqxx::work tx{conn_};
    auto n = ++made_;
    tx.exec_params0(
        "INSERT INTO customers (email, first_name, last_name, phone, "
        "shipping_state, marketing_opt_in, total_order_value, order_count, "
        "last_order_date) VALUES ($1, $2, 'Inc', $3, NULLIF($4, ''), $5, $6, "
        "$7, (now() AT TIME ZONE 'utc') - $8::int * interval '1 day')",
        prefix_ + "-sql-" + std::to_string(n) + "@example.com",
        pick(2) ? "Zoe" : "Al", pick(3) ? "555-0100" : "", state(),
        pick(2) == 0, static_cast<double>(pick(3000)),
        static_cast<int>(pick(20)), static_cast<int>(pick(90)));
    tx.commit();
    return "sql insert customer";
  }

  std::string repo_create_customer() {
    storage::customer_fields f;
    f.email = prefix_ + "-repo-" + std::to_string(++made_) + "@example.com";
    f.first_name = pick(2) ? "Zora" : "Ben";
    f.last_name = "Repo";
    f.marketing_opt_in = pick(2) == 0;
    f.shipping_state = std::optional<std::string>{state()};
    auto made = storage::create_customer(conn_, f);
    EXPECT_TRUE(made && made->value) << "create_customer";
    return "repository create customer";
  }

  std::string sql_edit_customer() {
    auto id = random_customer();
    pqxx::work tx{conn_};
    tx.exec_params0(
        "UPDATE customers SET marketing_opt_in = NOT marketing_opt_in, "
        "shipping_state = NULLIF($2, ''), total_order_value = $3 "
        "WHERE id = $1::uuid",
        id, state(), static_cast<double>(pick(4000)));
    tx.commit();
    return "sql edit customer " + id;
  }

  std::string repo_update_customer() {
    auto id = random_customer();
    storage::customer_fields f;
    f.first_name = pick(2) ? "Zelda" : "Max";
    f.phone = pick(2) ? std::optional<std::string>{} : "555-0199";
    f.marketing_opt_in = pick(2) == 0;
    auto updated = storage::update_customer(conn_, id, f);
    EXPECT_TRUE(updated) << "update_customer";
    return "repository update customer " + id;
  }

  std::string delete_customer() {
    auto id = random_customer();
    if (pick(2)) {
      auto gone = storage::delete_customer(conn_, id);
      EXPECT_TRUE(gone) << "delete_customer";
      return "repository delete customer " + id;
    }
    pqxx::work tx{conn_};
    tx.exec_params0("DELETE FROM customers WHERE id = $1::uuid", id);
    tx.commit();
    return "sql delete customer " + id;
  }

  std::string sql_insert_order() {
    auto id = random_customer();
    pqxx::work tx{conn_};
    auto order = tx.exec_params1(
        "INSERT INTO orders (customer_id, order_date, order_status, "
        "total_amount, channel) VALUES ($1::uuid, (now() AT TIME ZONE "
        "'utc') - $2::int * interval '1 hour', $3, $4, $5) RETURNING id::text",
        id, static_cast<int>(pick(24 * 60)), one_of(statuses_),
        static_cast<double>(pick(900)) + 0.5, one_of(channels_));
    for (std::size_t i = pick(3); i > 0; --i)
      tx.exec_params0("INSERT INTO order_items (order_id, product_id, "
                      "quantity, unit_price) VALUES ($1::uuid, $2::uuid, 1, "
                      "10)",
                      order[0].as<std::string>(), one_of(products_));
    tx.commit();
    return "sql insert order for " + id;
  }

  std::string repo_create_order() {
    storage::order_input in;
    in.user_id = random_customer();
    in.order_status = one_of(statuses_);
    in.channel = one_of(channels_);
    in.currency = "USD";
    in.total_amount = static_cast<double>(pick(1500));
    in.items.push_back({one_of(products_), 1, std::nullopt});
    if (pick(2))
      in.items.push_back({one_of(products_), 2, 5.0});
    auto made = storage::create_order(conn_, in);
    EXPECT_TRUE(made && made->value) << "create_order";
    return "repository create order for " + in.user_id;
  }

  std::string sql_delete_order() {
    pqxx::work tx{conn_};
    auto r = tx.exec("DELETE FROM orders WHERE id = (SELECT id FROM orders "
                     "OFFSET floor(random() * (SELECT count(*) FROM orders)) "
                     "LIMIT 1) RETURNING customer_id::text");
    tx.commit();
    return "sql delete order of " +
           (r.empty() ? std::string{"nobody"} : r[0][0].as<std::string>());
  }

  std::string sql_add_item() {
    pqxx::work tx{conn_};
    auto r = tx.exec_params(
        "INSERT INTO order_items (order_id, product_id, quantity, unit_price) "
        "SELECT id, $1::uuid, 1, 3 FROM orders OFFSET floor(random() * "
        "(SELECT count(*) FROM orders)) LIMIT 1 RETURNING order_id::text",
        one_of(products_));
    tx.commit();
    return "sql add item to order " +
           (r.empty() ? std::string{"none"} : r[0][0].as<std::string>());
  }

  std::mt19937 rng_;
  pqxx::connection conn_;
  std::vector<std::string> products_, statuses_, channels_;
  /// Writers made by this process, so a repeated test makes new e-mails.
  static std::uint64_t& instances() {
    static std::uint64_t n = 0;
    return n;
  }

  std::string prefix_;
  std::uint64_t made_ = 0;
};

} // namespace cdpd::test
