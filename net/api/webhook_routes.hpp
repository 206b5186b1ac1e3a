#pragma once

#include <caf/fwd.hpp>

#include "config/settings.hpp"
#include "net/http/router.hpp"

namespace cdpd::net::api {

/// The webhook endpoint routes (admin role):
/// - `GET /api/webhooks` (paged: skip, limit, cursor; X-Total-Count),
/// - `POST /api/webhooks` `{"url", "event_types"?, "description"?,
///   "enabled"?}` -> 201 with the endpoint and its `secret` (shown only
///   this once; `event_types` null or absent means every type),
/// - `GET|PUT /api/webhooks/{id}` (PUT changes the members given; enabling
///   clears `disabled_reason`), `DELETE /api/webhooks/{id}` -> 204.
/// - `GET /api/webhooks/{id}/deliveries` (newest first; skip, limit,
///   status=pending|delivered|failed; X-Total-Count): each delivery's
///   status, attempts, last HTTP status, first KiB of the last answer,
///   last transport error, latency,
/// - `POST /api/webhooks/{id}/deliveries/{delivery}/replay` -> 202 with the
///   new delivery (same webhook-id and body, at the end of the queue),
/// - `POST /api/webhooks/{id}/replay` `{"since": datetime}` -> 202
///   `{"queued": n}`: every event since then the endpoint wants, again,
/// - `POST /api/webhooks/{id}/ping` -> 202 with a queued `webhook.ping`.
/// A URL that is not https (http only with webhooks.allow-http), carries
/// credentials, or whose host resolves to a loopback, link-local, private
/// or other non-public address (unless webhooks.allow-private) is answered
/// 422 with the reason at ["body", "url"]. Work runs on the "pg-write" and
/// "pg-read" db actors; `sys` must outlive the router.
void add_webhook_routes(router& routes, caf::actor_system& sys,
                        const config::webhooks_settings& settings);

} // namespace cdpd::net::api
