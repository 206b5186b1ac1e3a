#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/message_event_repository.hpp"

/// Work for the db actor on what recipients do with campaign messages: the
/// public links of net/api/message_link_routes.hpp. Failures are storage
/// errors.
namespace cdpd::actors::domain {

/// What recording a recipient's event did.
struct message_event_outcome {
  bool found = false; ///< false: the delivery is gone
  /// The delivery's campaign when this was the first event of its kind
  /// (its campaign actor counts it); empty otherwise.
  std::string first_for_campaign;
};

/// Records `kind` for delivery `delivery_id` (`url`: the followed link of
/// a click; see storage::record_message_event). Replies
/// message_event_outcome; found is false when the delivery is gone
/// (deleted with its campaign or customer).
db_job<message_event_outcome>
record_message_event(int64_t delivery_id, storage::message_event kind,
                     std::optional<std::string> url);

} // namespace cdpd::actors::domain

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::message_event_outcome)
