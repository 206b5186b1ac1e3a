#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/message_event_repository.hpp"

/// Work for the db actor on what recipients do with campaign messages: the
/// public links of net/api/message_link_routes.hpp. Failures are storage
/// errors.
namespace cdpd::actors::domain {

/// Records `kind` for delivery `delivery_id` (`url`: the followed link of
/// a click; see storage::record_message_event). Replies true, or false when
/// the delivery is gone (deleted with its campaign or customer).
db_job<bool> record_message_event(int64_t delivery_id,
                                  storage::message_event kind,
                                  std::optional<std::string> url);

} // namespace cdpd::actors::domain
