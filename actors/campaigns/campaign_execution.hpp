#pragma once

#include <optional>
#include <string>

#include "actors/campaigns/campaign_messages.hpp"
#include "storage/repositories/delivery_repository.hpp"

// A campaign's `execution` block travels between nodes as the plain strings
// of campaign_snapshot (empty for none) and is stored and answered as
// storage::campaign_execution: the two conversions live side by side so a
// new field is added to both at once. Header-only, like the messages.
namespace cdpd::actors::campaigns {

/// The execution fields of a snapshot (id, status, step and timer are the
/// actor's own and left empty).
inline campaign_snapshot snapshot_of(const storage::campaign_execution& e) {
  auto text = [](const std::optional<std::string>& v) {
    return v.value_or("");
  };
  campaign_snapshot s;
  s.exec_phase = text(e.phase);
  s.scheduled_at = text(e.scheduled_at);
  s.started_at = text(e.started_at);
  s.finished_at = text(e.finished_at);
  s.paused_reason = text(e.paused_reason);
  s.audience = e.audience;
  s.pending = e.pending;
  s.sent = e.sent;
  s.failed = e.failed;
  s.dead = e.dead;
  s.opened = e.opened;
  s.clicked = e.clicked;
  s.unsubscribed = e.unsubscribed;
  return s;
}

/// The `execution` block of an actor's snapshot.
inline storage::campaign_execution execution_of(const campaign_snapshot& s) {
  auto text = [](const std::string& v) {
    return v.empty() ? std::nullopt : std::optional<std::string>{v};
  };
  storage::campaign_execution e;
  e.phase = text(s.exec_phase);
  e.scheduled_at = text(s.scheduled_at);
  e.started_at = text(s.started_at);
  e.finished_at = text(s.finished_at);
  e.paused_reason = text(s.paused_reason);
  e.audience = s.audience;
  e.pending = s.pending;
  e.sent = s.sent;
  e.failed = s.failed;
  e.dead = s.dead;
  e.opened = s.opened;
  e.clicked = s.clicked;
  e.unsubscribed = s.unsubscribed;
  return e;
}

} // namespace cdpd::actors::campaigns
