#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `orders` and `order_items` tables. Writing an order also recomputes
/// its customer's total_order_value, order_count and last_order_date from
/// the orders table, in the same transaction and with the customer row
/// locked, so the aggregates always agree with the orders. Functions fail
/// with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// One order line.
struct order_item_record {
  std::string id;
  std::string product_id;
  int64_t quantity = 0;
  double unit_price = 0;
};

/// One order row (the API calls customer_id "user_id").
struct order_record {
  std::string id;
  std::string user_id;
  std::string order_date;
  std::string order_status;
  double total_amount = 0;
  std::string currency;
  std::string channel;
  std::optional<std::string> coupon_code;
  std::string created_at;
  std::vector<order_item_record> items; ///< filled by get and create only
};

/// A line of a new order; without a unit price the product's price is used.
struct order_item_input {
  std::string product_id;
  int64_t quantity = 1;
  std::optional<double> unit_price;
};

/// A new order. order_date is a naive UTC ISO timestamp (now when absent).
struct order_input {
  std::string user_id;
  std::optional<std::string> order_date;
  std::string order_status;
  double total_amount = 0;
  std::string currency;
  std::string channel;
  std::optional<std::string> coupon_code;
  std::vector<order_item_input> items;
};

/// Filter of the order list.
struct order_query {
  std::optional<std::string> user_id;      ///< orders of one customer
  std::optional<std::string> order_status; ///< exact status
  std::optional<std::string> from;         ///< order_date >= from
  std::optional<std::string> to;           ///< order_date <= to ...
  bool to_whole_day = false; ///< ... or, when true, before the next day
  page_request page;
};

/// Orders in insertion order, without their items.
caf::expected<page<order_record>> list_orders(pqxx::connection& conn,
                                              const order_query& query);

/// One order with its items; refusal::order_missing when there is none.
caf::expected<outcome<order_record>> get_order(pqxx::connection& conn,
                                               const std::string& id);

/// Inserts an order with its items, recomputes the customer's aggregates
/// and records the flow events `order_completed` (status completed) and
/// `first_purchase` (the customer's first order) in the same transaction;
/// refusal::customer_missing or refusal::product_missing when a referenced
/// row does not exist (nothing is written then).
caf::expected<outcome<order_record>> create_order(pqxx::connection& conn,
                                                  const order_input& input);

} // namespace cdpd::storage
