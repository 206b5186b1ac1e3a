#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/campaign_repository.hpp"
#include "storage/repositories/delivery_repository.hpp"

/// Work for the db actor on campaigns. Failures are domain errors
/// (errc::not_found "Campaign not found", "Segment not found", "Flow not
/// found", "No flow associated with this campaign"; errc::rejected for an
/// invalid status) or storage errors.
namespace cdpd::actors::domain {

/// A campaign with its execution, as campaign responses show it.
struct campaign_view {
  storage::campaign_record campaign;
  storage::campaign_execution execution;
};

/// Replies std::vector<storage::campaign_record>.
db_job<std::vector<storage::campaign_record>> list_campaigns();

/// Replies storage::campaign_record.
db_job<storage::campaign_record> get_campaign(std::string id);

/// Executions the caller already has, by campaign id (live campaigns,
/// from their actors): not counted again.
using known_executions = std::map<std::string, storage::campaign_execution>;

/// Replies std::vector<campaign_view>, every campaign in insertion order,
/// with the execution in `known` for the campaigns it holds.
db_job<std::vector<campaign_view>>
list_campaign_views(known_executions known = {});

/// Replies campaign_view; errc::not_found "Campaign not found".
db_job<campaign_view> get_campaign_view(std::string id);

/// Replies the new storage::campaign_record.
db_job<storage::campaign_record>
create_campaign(storage::campaign_fields fields);

/// Replies the changed campaign_view. A status of the
/// lifecycle (draft, active, paused, completed) changes as through
/// set_campaign_status, refusals included.
db_job<campaign_view> update_campaign(std::string id,
                                      storage::campaign_fields fields);

/// Sets the status after checking the campaign exists (errc::not_found)
/// and the status is draft, active, paused or completed (errc::rejected
/// "Invalid status. Must be: draft, active, paused, or completed"), then
/// moves it through the lifecycle of actors/campaigns/campaign_lifecycle.hpp
/// (errc::conflict with the reason when the change is not allowed, e.g.
/// leaving completed); replies the changed campaign_view.
db_job<campaign_view> set_campaign_status(std::string id, std::string status);

/// set_campaign_status without the view: replies true once the status is
/// changed, with the same errors. What a campaign actor runs for a status
/// change it is asked for.
db_job<bool> change_campaign_status(std::string id, std::string status);

/// Replies true.
db_job<bool> delete_campaign(std::string id);

/// Replies the campaign's storage::flow_record.
db_job<storage::flow_record> get_campaign_flow(std::string id);

} // namespace cdpd::actors::domain

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::campaign_view)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::actors::domain::campaign_view>)
