#pragma once

#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/flow_repository.hpp"

/// Work for the db actor on flows and their steps. Failures are domain
/// errors (errc::not_found "Flow not found", "Flow step not found",
/// "Segment not found") or storage errors.
namespace cdpd::actors::domain {

/// Replies std::vector<storage::flow_record>.
db_job<std::vector<storage::flow_record>> list_flows();

/// Replies storage::flow_record.
db_job<storage::flow_record> get_flow(std::string id);

/// Replies the new storage::flow_record (without its steps).
db_job<storage::flow_record> create_flow(storage::flow_input input);

/// Replies the changed storage::flow_record.
db_job<storage::flow_record> update_flow(std::string id,
                                         storage::flow_fields fields);

/// Replies true.
db_job<bool> delete_flow(std::string id);

/// Replies std::vector<storage::flow_step_record> (empty for an unknown
/// flow).
db_job<std::vector<storage::flow_step_record>>
list_flow_steps(std::string flow_id);

/// Replies the new storage::flow_step_record.
db_job<storage::flow_step_record>
create_flow_step(std::string flow_id, storage::flow_step_input input);

/// Replies the replaced storage::flow_step_record.
db_job<storage::flow_step_record>
update_flow_step(std::string flow_id, std::string step_id,
                 storage::flow_step_input input);

/// Replies true.
db_job<bool> delete_flow_step(std::string flow_id, std::string step_id);

} // namespace cdpd::actors::domain
