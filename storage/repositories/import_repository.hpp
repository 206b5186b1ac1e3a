#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/customer_repository.hpp"

/// Bulk upserts of customers and orders keyed by an external id (the id the
/// source system knows them by). Each call runs in one transaction and
/// answers one result per row, in row order: a row-level problem rejects
/// that row only. Rows are staged with COPY and applied with set-based SQL.
/// Rows that repeat an external id (or touch the same email) are applied
/// in row order, so one call has the outcome of importing its rows one by
/// one. Functions fail with the storage errors of pg_errors.hpp; nothing is
/// written then.
namespace cdpd::storage {

/// One customer line. A new customer needs email, first_name and
/// last_name; for an existing one, absent members are left alone.
/// Aggregates are never imported: orders determine them.
struct customer_import_row {
  std::string external_id; ///< required, non-empty
  customer_fields fields;
};

/// One item of an imported order.
struct order_item_import {
  std::string product_external_id; ///< the product, when not empty ...
  std::string product_id;          ///< ... else the product's UUID
  int64_t quantity = 1;
  std::optional<double> unit_price; ///< the product's price when absent
};

/// One order line. Its items replace the stored ones.
struct order_import_row {
  std::string external_id;          ///< required, non-empty
  std::string customer_external_id; ///< the customer, when not empty ...
  std::string customer_id;          ///< ... else the customer's UUID
  /// Naive UTC "YYYY-MM-DD[T| ]HH:MM:SS[.ffffff]"; when absent, now for a
  /// new order and the stored date for an existing one.
  std::optional<std::string> order_date;
  std::string order_status;
  double total_amount = 0;
  std::string currency;
  std::string channel;
  std::optional<std::string> coupon_code;
  std::vector<order_item_import> items;
};

/// What happened to one row.
enum class import_outcome : uint8_t {
  inserted,  ///< a new row was written
  updated,   ///< an existing row was changed (or adopted, for customers)
  unchanged, ///< the stored row already equals the line: nothing written
  rejected,  ///< the row was not applied; see the reason
};

/// The result of one row.
struct import_line_result {
  import_outcome outcome = import_outcome::rejected;
  std::string id;     ///< UUID of the written or matched row; empty if rejected
  std::string reason; ///< why the row was rejected; empty otherwise
};

/// Inserts or updates customers matched by external_id. A row whose
/// external_id is unknown adopts the customer with the same email when that
/// customer has no external_id (setting it); it is rejected with "email x
/// already belongs to another customer" when the email belongs to a
/// customer with another external_id, or (on update) to any other customer.
caf::expected<std::vector<import_line_result>>
import_customers(pqxx::connection& conn,
                 const std::vector<customer_import_row>& rows);

/// Inserts or updates orders matched by external_id and replaces their
/// items. Rejects a row naming an unknown customer ("unknown customer
/// external_id \"x\"", "unknown customer id \"x\"") or product ("unknown
/// product external_id \"x\"", "unknown product id \"x\""). The aggregates
/// of every customer whose orders changed (the old and the new owner when
/// an order moves) are recomputed from the orders table in the same
/// transaction, with those customers locked as create_order locks them.
caf::expected<std::vector<import_line_result>>
import_orders(pqxx::connection& conn,
              const std::vector<order_import_row>& rows);

} // namespace cdpd::storage
