#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// Recipients' answers to campaign messages (`delivery_events`), and the
/// per-campaign figures they feed (`campaign_delivery_stats`). Functions
/// fail with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// What a recipient did.
enum class message_event { open, click, unsubscribe };

/// "open", "click" or "unsubscribe".
const char* to_string(message_event kind);

/// What record_message_event did.
struct recorded_event {
  bool first = false;               ///< the first of its kind for the delivery
  std::string campaign_id;          ///< of the delivery; "" for a flow run's
  std::optional<std::string> email; ///< the recipient (unsubscribe only)
};

/// Records `kind` for delivery `delivery_id` in one transaction: the event
/// row (or one more hit), the campaign's count when it is the first of its
/// kind, and for unsubscribe the customer's `unsubscribed_at` (kept from the
/// first time). `url` is the followed link of a click. Nothing when the
/// delivery does not exist (deleted with its campaign or customer).
caf::expected<std::optional<recorded_event>>
record_message_event(pqxx::connection& conn, int64_t delivery_id,
                     message_event kind,
                     const std::optional<std::string>& url = std::nullopt);

} // namespace cdpd::storage
