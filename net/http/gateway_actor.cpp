#include "net/http/gateway_actor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"

namespace cdpd::net {

namespace {

using actors::drain_atom;
using actors::tick_atom;

/// How often a drain looks at the in-flight count. Small against any
/// sensible drain timeout, large enough to cost nothing.
constexpr auto drain_poll = std::chrono::milliseconds{20};

struct gateway_state {
  std::shared_ptr<http_server> server;
  std::chrono::steady_clock::time_point drain_deadline;
  std::vector<caf::response_promise> drain_waiters;
  bool draining = false;
  static inline const char* name = "http-gateway";
};

using gateway_ptr = caf::stateful_actor<gateway_state>*;

void finish_drain(gateway_ptr self, bool clean) {
  auto& st = self->state;
  if (!clean)
    spdlog::default_logger()->warn(
        "drain timeout reached with {} requests in flight; closing them",
        st.server->in_flight());
  st.server->stop();
  for (auto& waiter : st.drain_waiters)
    waiter.deliver(clean);
  st.drain_waiters.clear();
}

caf::behavior gateway(gateway_ptr self, std::shared_ptr<http_server> server,
                      std::chrono::milliseconds drain_timeout) {
  self->state.server = server;
  self->attach_functor([server](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown)
      server->stop();
  });
  return {
      [=](drain_atom) {
        auto& st = self->state;
        auto promise = self->make_response_promise();
        st.drain_waiters.push_back(promise);
        if (!st.draining) {
          st.draining = true;
          st.drain_deadline = std::chrono::steady_clock::now() + drain_timeout;
          spdlog::default_logger()->info(
              "draining HTTP: {} requests in flight, up to {} ms",
              st.server->in_flight(), drain_timeout.count());
          st.server->begin_drain();
          self->send(self, tick_atom::value);
        }
        return promise;
      },
      [=](tick_atom) {
        auto& st = self->state;
        if (st.server->in_flight() == 0)
          finish_drain(self, true);
        else if (std::chrono::steady_clock::now() >= st.drain_deadline)
          finish_drain(self, false);
        else
          self->delayed_send(self, drain_poll, tick_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_gateway(caf::actor_system& sys,
                         std::shared_ptr<http_server> server,
                         std::chrono::milliseconds drain_timeout) {
  return sys.spawn(gateway, std::move(server), drain_timeout);
}

} // namespace cdpd::net
