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

} // namespace cdpd::actors
