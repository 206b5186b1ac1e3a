#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/delivery_repository.hpp"

/// The campaign lifecycle in one place: the statuses a campaign has (the
/// prototype's public values) and which moves between them are allowed.
/// Storage persists a move; this decides it, in the same transaction.
namespace cdpd::actors::campaigns {

/// A campaign's status, as the API shows it.
enum class campaign_status : uint8_t {
  draft,     ///< being edited; nothing is sent
  active,    ///< scheduled, starting or sending
  paused,    ///< stopped by a user or by its failures; resumable
  completed, ///< done for good
};

/// "draft", "active", "paused", "completed".
std::string_view to_string(campaign_status status);

/// The status named `text`; nothing for any other text.
std::optional<campaign_status> parse_campaign_status(std::string_view text);

/// Why a campaign in status `from`, whose execution is in `phase` (none
/// before it was queued; "waiting" or "failed" before it started sending),
/// may not move to `to`; empty when it may. The same status again is
/// allowed and changes nothing. A completed campaign stays completed; only
/// an active one can be paused; a draft cannot be completed; one that
/// started sending cannot return to draft.
std::string refusal_of(campaign_status from,
                       const std::optional<std::string>& phase,
                       campaign_status to);

/// Moves campaign `id` to `to` when refusal_of allows it, with the row
/// locked from the check to the write (storage::transition_campaign).
caf::expected<storage::transition_result> move_campaign(pqxx::connection& conn,
                                                        const std::string& id,
                                                        campaign_status to);

} // namespace cdpd::actors::campaigns
