#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/ai_request_repository.hpp"

// A db actor reply on this node only, like the replies in replies.hpp.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<cdpd::storage::ai_request_record>)

/// Work for the db actor on the AI routes' audit (ai_requests).
namespace cdpd::actors::domain {

/// Replies true.
db_job<bool> record_ai_request(storage::ai_request_entry entry);

/// Replies the newest `limit` calls below `before_id`, newest first.
db_job<std::vector<storage::ai_request_record>>
list_ai_requests(std::int64_t limit, std::optional<std::int64_t> before_id);

} // namespace cdpd::actors::domain
