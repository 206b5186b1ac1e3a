#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

// The messages and interfaces of the campaign actors and their host (see
// README.md in this folder). Header-only, so the routes and the
// dispatchers can talk to campaigns without linking them. Every message
// type is plain and registered (add_campaign_types).
namespace cdpd::actors::campaigns {

/// `(campaign_status_atom, std::string status)` to a campaign actor, or
/// `(campaign_status_atom, std::string id, std::string status)` to the
/// host: moves the campaign through its lifecycle and replies true, or the
/// domain error (not found, invalid status, refused move).
using campaign_status_atom = caf::atom_constant<caf::atom("cstatus")>;

/// `(campaign_report_atom, campaign_report)`, dispatcher -> host -> actor:
/// what the rows of a campaign became.
using campaign_report_atom = caf::atom_constant<caf::atom("creport")>;

/// `(campaign_reload_atom)` to an actor, `(campaign_reload_atom,
/// std::string id)` to the host: the campaign changed behind the actor's
/// back (an edit, a replay of dead rows); read it again. Replies true once
/// the actor has read it (and scheduled it, if the edit took its schedule
/// away).
using campaign_reload_atom = caf::atom_constant<caf::atom("creload")>;

/// `(campaign_view_atom)` to an actor replies its campaign_snapshot; to the
/// host, the snapshots of all its actors. `(campaign_view_atom, std::string
/// id)` to the host replies the campaign's snapshot, or none (an empty
/// list) when it has no actor.
using campaign_view_atom = caf::atom_constant<caf::atom("cview")>;

/// `(campaign_actor_atom, std::string id)` to the host replies the
/// campaign's actor, invalid when it has none (tests and operators).
using campaign_actor_atom = caf::atom_constant<caf::atom("cactor")>;

/// Internal timers: `(campaign_timer_atom, std::uint64_t generation)`, an
/// actor's start or settle timer; `(campaign_poll_atom)`, the host's read of
/// the campaigns table. A timer whose generation is stale is ignored.
using campaign_timer_atom = caf::atom_constant<caf::atom("ctimer")>;
using campaign_settle_atom = caf::atom_constant<caf::atom("csettle")>;
using campaign_poll_atom = caf::atom_constant<caf::atom("cpoll")>;

/// The registry key of a node's campaign host.
inline constexpr caf::atom_value campaign_host_key = caf::atom("camp-host");

/// How the rows of one campaign moved between the counts of its
/// `execution` block: signed changes, summed by the actor.
struct campaign_report {
  std::string campaign_id;
  int64_t pending = 0; ///< pending or sending
  int64_t failed = 0;
  int64_t sent = 0;
  int64_t dead = 0;
  int64_t opened = 0; ///< recipients, from the tracking routes
  int64_t clicked = 0;
  int64_t unsubscribed = 0;
  friend bool operator==(const campaign_report&,
                         const campaign_report&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, campaign_report& x) {
  return f(caf::meta::type_name("cdpd::campaign_report"), x.campaign_id,
           x.pending, x.failed, x.sent, x.dead, x.opened, x.clicked,
           x.unsubscribed);
}

/// A campaign actor as an operator sees it. Empty strings stand for none.
struct campaign_snapshot {
  std::string id;
  std::string status; ///< draft, active, paused, completed
  /// What the actor is doing: loading, scheduling, waiting (for its
  /// start), starting, sending, paused, done.
  std::string step;
  std::string exec_phase; ///< waiting, sending, done, failed
  std::string scheduled_at;
  std::string started_at;
  std::string finished_at;
  std::string paused_reason;
  int64_t audience = 0;
  int64_t pending = 0;
  int64_t sent = 0;
  int64_t failed = 0;
  int64_t dead = 0;
  int64_t opened = 0;
  int64_t clicked = 0;
  int64_t unsubscribed = 0;
  /// Milliseconds until its next timer fires; -1 for none.
  int64_t next_timer_ms = -1;
  /// The speed its rows are sent at (its own, else delivery.campaign-speed),
  /// in messages per minute; 0 is no limit.
  int64_t rate_per_minute = 0;
  friend bool operator==(const campaign_snapshot&,
                         const campaign_snapshot&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, campaign_snapshot& x) {
  return f(caf::meta::type_name("cdpd::campaign_snapshot"), x.id, x.status,
           x.step, x.exec_phase, x.scheduled_at, x.started_at, x.finished_at,
           x.paused_reason, x.audience, x.pending, x.sent, x.failed, x.dead,
           x.opened, x.clicked, x.unsubscribed, x.next_timer_ms,
           x.rate_per_minute);
}

/// One live campaign.
using campaign_actor = caf::typed_actor<
    caf::replies_to<campaign_status_atom, std::string>::with<bool>,
    caf::reacts_to<campaign_report_atom, campaign_report>,
    caf::replies_to<campaign_reload_atom>::with<bool>,
    caf::reacts_to<campaign_timer_atom, std::uint64_t>,
    caf::reacts_to<campaign_settle_atom, std::uint64_t>,
    caf::replies_to<campaign_view_atom>::with<campaign_snapshot>>;

/// A node's campaign host.
using campaign_host = caf::typed_actor<
    caf::replies_to<campaign_status_atom, std::string, std::string>::with<bool>,
    caf::reacts_to<campaign_report_atom, campaign_report>,
    caf::replies_to<campaign_reload_atom, std::string>::with<bool>,
    caf::reacts_to<campaign_poll_atom>,
    caf::replies_to<campaign_view_atom>::with<std::vector<campaign_snapshot>>,
    caf::replies_to<campaign_view_atom,
                    std::string>::with<std::vector<campaign_snapshot>>,
    caf::replies_to<campaign_actor_atom, std::string>::with<caf::actor>>;

/// What a node's campaign host takes from other nodes, through their node
/// agents: the messages about one campaign, handled by the host of the
/// node that owns the campaign in a cluster.
using campaign_door = caf::typed_actor<
    caf::replies_to<campaign_status_atom, std::string, std::string>::with<bool>,
    caf::reacts_to<campaign_report_atom, campaign_report>,
    caf::replies_to<campaign_reload_atom, std::string>::with<bool>,
    caf::replies_to<campaign_view_atom,
                    std::string>::with<std::vector<campaign_snapshot>>>;

/// Registers the campaign messages under their wire names.
void add_campaign_types(caf::actor_system_config& cfg);

} // namespace cdpd::actors::campaigns
