#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "net/http/router.hpp"

namespace cdpd::actors::segments {
class segment_region;
} // namespace cdpd::actors::segments

/// Segment routes answered from the customer shards' memory.
namespace cdpd::net::api {

/// How many member ids POST /api/segments/preview returns as its sample.
inline constexpr std::size_t preview_sample_size = 10;

/// Adds:
/// - `POST /api/segments/preview` (viewer, rate limited as
///   segment-evaluate): the body is a definition (or `{"definition": ...}`
///   as the create route takes it); answers `{"count", "sample"}`, sample
///   being the first preview_sample_size member ids in id order, without
///   saving anything. 422 for an invalid definition.
/// - `GET /api/segments/{id}/members` (viewer): every member id of a saved
///   segment in id order, as NDJSON lines `{"id":"..."}`
///   (application/x-ndjson) or, when Accept names text/csv, as CSV with an
///   `id` header line. 404 for an unknown segment. The body is streamed
///   (chunked) one page of ids at a time, paged by cursor from the
///   segment's actor (via the segment host) when it is ready, else taken
///   from a full evaluation over the shards; a page that fails ends the
///   transfer without its last chunk.
/// Both answer 503 with Retry-After while a shard loads or restarts, and
/// ask PostgreSQL when the in-memory engine does not evaluate a definition.
void add_segment_live_routes(
    router& routes, caf::actor_system& sys,
    std::shared_ptr<const actors::segments::segment_region> region);

} // namespace cdpd::net::api
