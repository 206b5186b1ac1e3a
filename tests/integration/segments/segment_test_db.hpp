#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>
#include <pqxx/connection>

#include "storage/segments/values.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// A fresh database with every embedded migration applied, one open
/// connection, and helpers to insert customers, products and orders and to
/// evaluate segment definitions against them.
class segment_test_db {
public:
  /// Creates the database and migrates it; throws when either fails.
  segment_test_db();

  /// The open connection.
  pqxx::connection& conn() { return conn_; }

  /// A customer; unset optionals are NULL. Returns the new id.
  struct customer {
    std::string email;
    std::string first_name = "First";
    std::string last_name = "Last";
    std::optional<std::string> phone;
    bool marketing_opt_in = true;
    std::optional<std::string> shipping_state;
    std::optional<std::string> shipping_country;
    std::string total_order_value = "0";
    int order_count = 0;
    std::optional<storage::segments::timestamp> last_order_date;
    storage::segments::timestamp created_at;
  };
  std::string insert(const customer& c);

  /// A product; returns its id.
  std::string insert_product(const std::string& name,
                             const std::string& category,
                             const std::string& price);

  /// An order with one item per product id (quantity 1, unit price 1);
  /// returns its id.
  std::string insert_order(const std::string& customer_id,
                           storage::segments::timestamp order_date,
                           const std::string& status,
                           const std::string& total_amount,
                           const std::string& channel,
                           const std::set<std::string>& product_ids);

  /// The emails of the customers the definition selects at `now`, through
  /// the SQL back end. Fails the current test (and returns {"<error>"})
  /// when the definition does not parse or the query fails; also checks
  /// that count_members and member_ids agree with the rows.
  std::set<std::string> emails(const nlohmann::json& definition,
                               storage::segments::timestamp now);

  /// One value of a query without parameters.
  std::int64_t scalar(const std::string& sql);

private:
  pg_test_db db_;
  pqxx::connection conn_;
};

/// Shorthand for a fixed UTC instant.
storage::segments::timestamp utc(int y, unsigned m, unsigned d, int h = 0,
                                 int mi = 0, int s = 0);

} // namespace cdpd::test
