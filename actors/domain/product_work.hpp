#pragma once

#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/product_repository.hpp"

/// Work for the db actor on products. Failures are domain errors
/// (errc::not_found "Product not found") or storage errors.
namespace cdpd::actors::domain {

/// Replies storage::page<storage::product_record>.
db_job<storage::page<storage::product_record>>
list_products(storage::product_query query);

/// Replies storage::product_record.
db_job<storage::product_record> get_product(std::string id);

/// Replies the new storage::product_record.
db_job<storage::product_record> create_product(storage::product_fields fields);

/// Replies the changed storage::product_record.
db_job<storage::product_record> update_product(std::string id,
                                               storage::product_fields fields);

} // namespace cdpd::actors::domain
