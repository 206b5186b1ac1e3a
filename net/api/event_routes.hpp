#pragma once

#include <caf/fwd.hpp>

#include "net/http/router.hpp"

/// Routes of flows entered by events: recording customer events and
/// listing the runs they started.
namespace cdpd::net::api {

/// Longest event type.
inline constexpr std::size_t max_event_type = 64;

/// Adds:
/// - `POST /api/events` (manager): body `{customer_id, type, properties?,
///   occurred_at?}` records a customer event for the enroller and answers
///   202 `{id, type, customer_id}`. 422 when customer_id is not a UUID,
///   type is empty or longer than max_event_type characters, properties is
///   not an object or occurred_at not an ISO date-time; 404 when the
///   customer does not exist.
/// - `GET /api/flows/{id}/runs?status=&skip=&limit=&cursor=` (viewer): the
///   flow's runs by start, paged like other lists (X-Total-Count,
///   X-Next-Cursor), only `status` (active, completed, exited) when given,
///   each with its deliveries' counts. 404 for an unknown flow.
void add_event_routes(router& routes, caf::actor_system& sys);

} // namespace cdpd::net::api
