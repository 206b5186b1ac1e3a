#pragma once

#include <cstdint>
#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/metrics_repository.hpp"

/// Work for the db actor on metrics. Failures are domain errors
/// (errc::not_found "User not found", "Product not found") or storage
/// errors.
namespace cdpd::actors::domain {

/// Replies storage::dashboard_metrics.
db_work read_dashboard();

/// Replies storage::customer_metrics.
db_work read_customer_metrics(std::string id);

/// Replies storage::product_metrics.
db_work read_product_metrics(std::string id);

/// Replies std::vector<storage::product_sales>.
db_work read_top_products(int64_t limit);

} // namespace cdpd::actors::domain
