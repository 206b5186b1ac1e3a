#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/atoms.hpp"
#include "actors/limits/limiter_region.hpp"

// The messages between the limiter region, the limiter hosts and the
// limiter actors. All of them stay on one node: a limit_request carries a
// callback, so it can never be serialized.
//
// - region -> host (directly or through the host's child proxy):
//   `(limit_atom, limit_request)` -> unit (the reply only tells a proxy
//   that the call is over; the verdict goes to `request.done`);
// - host -> limiter: `(limit_atom, limit_request)`;
// - limiter -> host: `(caf::idle_atom, std::string key, uint64_t handled)`,
//   "I have been idle and my state is fresh; stop me if you sent me no more
//   than `handled` requests";
// - host -> limiter: `(caf::ok_atom)`, "you are out of my map: quit";
// - limiter -> itself: `(tick_atom)`, its idle timer.

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::limits::limit_request)
