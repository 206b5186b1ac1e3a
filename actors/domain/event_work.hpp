#pragma once

#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/flow_run_repository.hpp"

/// Work for the db actor on events and the flow runs they start. Failures
/// are domain errors (errc::not_found "User not found") or storage errors.
namespace cdpd::actors::domain {

/// Records an event for the flows it enters; replies the stored
/// storage::event_record.
db_job<storage::event_record> record_event(storage::event_input input);

/// Replies one page of a flow's runs, only those with `status` when given;
/// errc::not_found when the flow does not exist.
db_job<storage::page<storage::flow_run_record>>
list_flow_runs(std::string flow_id, std::optional<std::string> status,
               storage::page_request page);

} // namespace cdpd::actors::domain

// Replies that stay on one node (see actors/domain/replies.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::event_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::flow_run_record>)
