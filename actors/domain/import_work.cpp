#include "actors/domain/import_work.hpp"

#include <memory>

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

// The rows are shared rather than copied: a batch is large, and the work
// function is copied into the job message.

db_job<std::vector<storage::import_line_result>>
import_customers(std::vector<storage::customer_import_row> rows) {
  auto batch =
      std::make_shared<const std::vector<storage::customer_import_row>>(
          std::move(rows));
  // Not idempotent for the pool's retry: a batch whose commit was lost is
  // safe to re-send (upserts), but that is the client's call.
  return pg_work(
      [batch](pqxx::connection& c) {
        return reply(storage::import_customers(c, *batch));
      },
      false);
}

db_job<std::vector<storage::import_line_result>>
import_orders(std::vector<storage::order_import_row> rows) {
  auto batch = std::make_shared<const std::vector<storage::order_import_row>>(
      std::move(rows));
  return pg_work(
      [batch](pqxx::connection& c) {
        return reply(storage::import_orders(c, *batch));
      },
      false);
}

} // namespace cdpd::actors::domain
