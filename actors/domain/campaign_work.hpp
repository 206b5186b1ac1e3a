#pragma once

#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/campaign_repository.hpp"

/// Work for the db actor on campaigns. Failures are domain errors
/// (errc::not_found "Campaign not found", "Segment not found", "Flow not
/// found", "No flow associated with this campaign"; errc::rejected for an
/// invalid status) or storage errors.
namespace cdpd::actors::domain {

/// The statuses a campaign may have.
bool is_campaign_status(const std::string& status);

/// Replies std::vector<storage::campaign_record>.
db_work list_campaigns();

/// Replies storage::campaign_record.
db_work get_campaign(std::string id);

/// Replies the new storage::campaign_record.
db_work create_campaign(storage::campaign_fields fields);

/// Replies the changed storage::campaign_record.
db_work update_campaign(std::string id, storage::campaign_fields fields);

/// Sets the status after checking the campaign exists (errc::not_found)
/// and the status is draft, active, paused or completed (errc::rejected
/// "Invalid status. Must be: draft, active, paused, or completed"); replies
/// the changed storage::campaign_record.
db_work set_campaign_status(std::string id, std::string status);

/// Replies true.
db_work delete_campaign(std::string id);

/// Replies the campaign's storage::flow_record.
db_work get_campaign_flow(std::string id);

} // namespace cdpd::actors::domain
