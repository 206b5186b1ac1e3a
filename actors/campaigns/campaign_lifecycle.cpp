#include "actors/campaigns/campaign_lifecycle.hpp"

namespace cdpd::actors::campaigns {

std::string_view to_string(campaign_status status) {
  switch (status) {
  case campaign_status::draft:
    return "draft";
  case campaign_status::active:
    return "active";
  case campaign_status::paused:
    return "paused";
  case campaign_status::completed:
    return "completed";
  }
  return "draft";
}

std::optional<campaign_status> parse_campaign_status(std::string_view text) {
  for (auto s : {campaign_status::draft, campaign_status::active,
                 campaign_status::paused, campaign_status::completed})
    if (text == to_string(s))
      return s;
  return std::nullopt;
}

std::string refusal_of(campaign_status from,
                       const std::optional<std::string>& phase,
                       campaign_status to) {
  if (from == to)
    return {};
  if (from == campaign_status::completed)
    return "Campaign is completed; its status cannot change";
  switch (to) {
  case campaign_status::active:
    return {};
  case campaign_status::paused:
    if (from == campaign_status::active)
      return {};
    return "Only an active campaign can be paused";
  case campaign_status::completed:
    if (from == campaign_status::draft)
      return "A draft campaign cannot be completed";
    return {};
  case campaign_status::draft:
    if (phase && *phase != "waiting" && *phase != "failed")
      return "A campaign that started sending cannot return to draft";
    return {};
  }
  return {};
}

caf::expected<storage::transition_result> move_campaign(pqxx::connection& conn,
                                                        const std::string& id,
                                                        campaign_status to) {
  return storage::transition_campaign(
      conn, id, std::string{to_string(to)},
      [to](const std::string& from, const std::optional<std::string>& phase) {
        auto current = parse_campaign_status(from);
        // A status written outside the lifecycle (an old import, psql)
        // may only be left for a lifecycle one.
        if (!current)
          return std::string{};
        return refusal_of(*current, phase, to);
      });
}

} // namespace cdpd::actors::campaigns
