#pragma once

#include <caf/atom.hpp>

/// Message tags shared by cdpd's actors and the edge that talks to them.
namespace cdpd::actors {

/// Run a piece of blocking storage work (see storage/db_actor.hpp).
using db_job_atom = caf::atom_constant<caf::atom("dbjob")>;

/// Readiness probe of a dependency: replies with a check_result.
using check_atom = caf::atom_constant<caf::atom("check")>;

/// Redis command: (redis_atom, std::vector<std::string>) -> redis_reply.
using redis_atom = caf::atom_constant<caf::atom("redis")>;

/// Stop accepting work, finish what is in flight, reply when done.
using drain_atom = caf::atom_constant<caf::atom("drain")>;

/// Stop children in reverse start order, then reply and quit.
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;

/// Internal timer tick.
using tick_atom = caf::atom_constant<caf::atom("tick")>;

/// Internal: a queued request waited too long.
using expire_atom = caf::atom_constant<caf::atom("expire")>;

/// Internal: restart a child after its backoff.
using restart_atom = caf::atom_constant<caf::atom("restart")>;

/// Inspection: a supervisor replies with its actor_node tree, a child
/// proxy with its proxy_snapshot.
using inspect_atom = caf::atom_constant<caf::atom("inspect")>;

/// Operator action on a child's circuit breaker:
/// `(breaker_atom, reset_atom)` or `(breaker_atom, force_open_atom)`.
using breaker_atom = caf::atom_constant<caf::atom("breaker")>;
using reset_atom = caf::atom_constant<caf::atom("reset")>;
using force_open_atom = caf::atom_constant<caf::atom("forceopen")>;

/// Prefix of a call that may be retried: `(idempotent_atom, xs...)` sent to
/// a child's registry name is `(xs...)` under the child's retry policy.
using idempotent_atom = caf::atom_constant<caf::atom("idempotent")>;

/// Internal: supervisor -> child proxy, the child's incarnation changed.
using child_up_atom = caf::atom_constant<caf::atom("childup")>;
using child_down_atom = caf::atom_constant<caf::atom("childdown")>;

/// Internal: a breaker's reset timeout ran out.
using probe_atom = caf::atom_constant<caf::atom("probe")>;

/// Internal: try a call again after its retry backoff.
using retry_atom = caf::atom_constant<caf::atom("retry")>;

/// Rate limiting: `(limit_atom, limits::limit_query)` asks a limiter host,
/// which replies a limits::verdict (see actors/limits/limit_messages.hpp).
using limit_atom = caf::atom_constant<caf::atom("limit")>;

/// The assistant: `(ai_complete_atom, std::string route, std::string user)`
/// asks the provider connector (actors/ai/provider_connector.hpp).
using ai_complete_atom = caf::atom_constant<caf::atom("aicomplete")>;

} // namespace cdpd::actors
