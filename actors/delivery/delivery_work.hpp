#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/delivery_repository.hpp"

/// Work for the db actor on deliveries (the API's delivery and dead-letter
/// routes). Failures are domain errors (errc::not_found "Campaign not
/// found") or storage errors.
namespace cdpd::actors::delivery {

/// Replies std::vector<storage::delivery_record>: the campaign's
/// deliveries by id after `after_id`, at most `limit`, only `status` when
/// given; errc::not_found when the campaign does not exist.
db_job<std::vector<storage::delivery_record>>
list_campaign_deliveries(std::string campaign_id,
                         std::optional<std::string> status, int64_t after_id,
                         int64_t limit);

/// Replies std::vector<storage::delivery_record>: dead deliveries of all
/// campaigns (or of `campaign_id` when not empty) by id after `after_id`.
db_job<std::vector<storage::delivery_record>>
list_dead_letters(std::string campaign_id, int64_t after_id, int64_t limit);

/// Replies storage::replay_result: the number of dead deliveries requeued
/// and their campaigns (see storage::replay_dead).
db_job<storage::replay_result> replay_dead_letters(std::vector<int64_t> ids,
                                                   std::string campaign_id);

} // namespace cdpd::actors::delivery

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::delivery_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::replay_result)
