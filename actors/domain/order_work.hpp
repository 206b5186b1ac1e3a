#pragma once

#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/order_repository.hpp"

/// Work for the db actor on orders. Failures are domain errors
/// (errc::not_found "Order not found", "User not found", "Product not
/// found") or storage errors.
namespace cdpd::actors::domain {

/// Replies storage::page<storage::order_record>.
db_job<storage::page<storage::order_record>>
list_orders(storage::order_query query);

/// Replies storage::order_record with its items.
db_job<storage::order_record> get_order(std::string id);

/// Writes the order and its items and recomputes the customer's aggregates
/// in one transaction; replies the new storage::order_record.
db_job<storage::order_record> create_order(storage::order_input input);

} // namespace cdpd::actors::domain
