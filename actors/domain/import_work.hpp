#pragma once

#include <vector>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/import_repository.hpp"

/// Work for the db actor on bulk import: one batch of lines per job, in one
/// transaction. A bad row is reported in its result, never as an error;
/// errors are storage errors that fail the whole batch (nothing written).
namespace cdpd::actors::domain {

/// Upserts customers by external_id; replies
/// std::vector<storage::import_line_result>, one per row, in order.
db_job<std::vector<storage::import_line_result>>
import_customers(std::vector<storage::customer_import_row> rows);

/// Upserts orders by external_id, replacing their items and recomputing
/// the customers' aggregates; replies std::vector<storage::import_line_result>.
db_job<std::vector<storage::import_line_result>>
import_orders(std::vector<storage::order_import_row> rows);

} // namespace cdpd::actors::domain
