#pragma once

#include <chrono>
#include <memory>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/storage/db_actor.hpp"
#include "net/access/auth_services.hpp"

/// Keeps a node's credential cache and access-token keys current: an
/// actor that reloads them from PostgreSQL (through the "pg-read" db actor)
/// every auth.cache-refresh and deletes expired revoked tokens and refresh
/// tokens (through "pg-write") every purge interval. A failed reload keeps the
/// previous contents and is logged; the next tick tries again. The database
/// work is actors/domain/credentials_work.hpp.
namespace cdpd::net {

/// How often expired token rows are purged.
inline constexpr std::chrono::minutes token_purge_interval{10};

/// Loads the cache and the keys once, blocking, with `pool` directly (at
/// start, before the db actors run and requests are served).
caf::expected<void> load_credentials_now(storage::pg_pool& pool,
                                         auth_services& services);

/// Spawns the refresher of `services`' credential cache and token keys.
/// It keeps only those two (not the services, whose limiter region must
/// end before the actor system).
caf::actor spawn_credentials_refresher(caf::actor_system& sys,
                                       const auth_services& services,
                                       std::chrono::milliseconds every);

} // namespace cdpd::net
