#pragma once

#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/customer_repository.hpp"

/// Work for the db actor on customers. Each reply is the value named below;
/// failures are domain errors (errc::not_found "User not found",
/// errc::rejected "Email already exists") or storage errors.
namespace cdpd::actors::domain {

/// Replies storage::page<storage::customer_record>.
db_job<storage::page<storage::customer_record>>
list_customers(storage::customer_query query);

/// Replies storage::customer_record.
db_job<storage::customer_record> get_customer(std::string id);

/// Replies the new storage::customer_record.
db_job<storage::customer_record>
create_customer(storage::customer_fields fields);

/// Replies the changed storage::customer_record.
db_job<storage::customer_record>
update_customer(std::string id, storage::customer_fields fields);

/// Replies true.
db_job<bool> delete_customer(std::string id);

} // namespace cdpd::actors::domain
