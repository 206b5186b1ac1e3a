#pragma once

#include <caf/fwd.hpp>

#include "net/http/router.hpp"

/// Routes over campaign deliveries and dead letters.
namespace cdpd::net::api {

/// Most rows one list request returns.
inline constexpr int64_t max_delivery_page = 1000;

/// Adds:
/// - `GET /api/campaigns/{id}/deliveries?status=&after=&limit=` (viewer):
///   the campaign's deliveries by id, after id `after`, at most `limit`
///   (default 100, at most max_delivery_page), only `status` (pending,
///   sending, sent, failed, dead) when given. 404 for an unknown campaign,
///   422 for a bad status or number.
/// - `GET /api/dead-letters?campaign_id=&after=&limit=` (admin): dead
///   deliveries of every campaign, or of one.
/// - `POST /api/dead-letters/replay` (admin): body `{"ids": [..]}` and/or
///   `{"campaign_id": ".."}`; requeues those dead deliveries and answers
///   `{"replayed": n}`. 422 when neither is given.
void add_delivery_routes(router& routes, caf::actor_system& sys);

} // namespace cdpd::net::api
