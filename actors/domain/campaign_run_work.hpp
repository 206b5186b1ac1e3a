#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/campaign_run_repository.hpp"

/// Work for the db actor on one campaign's run, as its campaign actor and
/// the campaign host ask for it (storage/repositories/
/// campaign_run_repository.hpp says what each does). Failures are storage
/// errors.
namespace cdpd::actors::domain {

/// The campaign's state, nothing when it is gone.
using campaign_run_reply = std::optional<storage::campaign_run_state>;

db_job<campaign_run_reply> load_campaign_run(std::string id);

db_job<std::vector<std::string>> live_campaign_ids();

db_job<bool> schedule_campaign(std::string id, std::string timezone);

db_job<storage::start_result> start_campaign(std::string id,
                                             storage::millis wait_day);

db_job<bool> complete_campaign(std::string id);

/// Replies the reason when it paused the campaign, else an empty string.
db_job<std::string> pause_if_failing(std::string id, int64_t threshold);

} // namespace cdpd::actors::domain

// Local replies of db jobs: they never leave the node.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::campaign_run_reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::start_result)
