#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// Read-only aggregates over customers, orders and order items. Functions
/// fail with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// The dashboard's six numbers; empty aggregates are 0.
struct dashboard_metrics {
  int64_t total_customers = 0;
  double revenue_30d = 0; ///< Σ total_amount, order_date in 30 days
  int64_t total_orders = 0;
  double average_order_value = 0;
  int64_t returning_customers = 0; ///< customers with more than one order
  int64_t new_customers = 0;       ///< total_customers - returning
};

/// One customer's order statistics.
struct customer_metrics {
  std::string user_id;
  double lifetime_value = 0;
  double average_order_value = 0;
  std::optional<int64_t> days_since_last_order; ///< from last_order_date
  int64_t total_orders = 0;
};

/// One product's sales.
struct product_metrics {
  std::string product_id;
  int64_t total_units_sold = 0;
  int64_t total_orders = 0; ///< distinct orders
  double total_revenue = 0; ///< Σ quantity × unit_price
  std::optional<std::string> last_purchased_at;
};

/// A row of the top-products list.
struct product_sales {
  std::string product_id;
  std::string product_name;
  int64_t units_sold = 0;
  double revenue = 0;
};

/// The dashboard numbers.
caf::expected<dashboard_metrics> read_dashboard(pqxx::connection& conn);

/// One customer's statistics; refusal::customer_missing when unknown.
caf::expected<outcome<customer_metrics>>
read_customer_metrics(pqxx::connection& conn, const std::string& id);

/// One product's statistics; refusal::product_missing when unknown.
caf::expected<outcome<product_metrics>>
read_product_metrics(pqxx::connection& conn, const std::string& id);

/// Every product (unsold ones at 0) by units sold, descending; ties keep
/// insertion order. At most `limit` rows.
caf::expected<std::vector<product_sales>>
read_top_products(pqxx::connection& conn, int64_t limit);

} // namespace cdpd::storage
