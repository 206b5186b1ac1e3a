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
db_job<storage::dashboard_metrics> read_dashboard();

/// Replies storage::customer_metrics.
db_job<storage::customer_metrics> read_customer_metrics(std::string id);

/// Replies storage::product_metrics.
db_job<storage::product_metrics> read_product_metrics(std::string id);

/// Replies std::vector<storage::product_sales>.
db_job<std::vector<storage::product_sales>> read_top_products(int64_t limit);

} // namespace cdpd::actors::domain
