#pragma once

#include <utility>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

/// Asking an actor from outside any actor (an HTTP handler, a region
/// shared between threads) without blocking.
namespace cdpd::actors {

/// Sends `xs...` to `target` as a request from a short-lived actor and
/// calls `on_reply(reply...)` or `on_error(caf::error&)` on an actor
/// thread; the actor ends with its only request. With a typed `target`, a
/// message or reply of the wrong type does not compile.
template <class Handle, class Timeout, class OnReply, class OnError,
          class... Ts>
void ask(caf::actor_system& sys, const Handle& target, Timeout timeout,
         OnReply on_reply, OnError on_error, Ts&&... xs) {
  sys.spawn([target, timeout, on_reply = std::move(on_reply),
             on_error = std::move(on_error),
             ... xs = std::forward<Ts>(xs)](caf::event_based_actor* self) {
    self->request(target, timeout, xs...).then(on_reply, on_error);
  });
}

} // namespace cdpd::actors
