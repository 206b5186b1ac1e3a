#include "actors/delivery/enroller.hpp"

#include <utility>

#include <caf/all.hpp>
#include <pqxx/except>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::delivery {

namespace {

enroller::behavior_type enroller_actor(enroller::pointer self,
                                       enroller_options options) {
  self->send(self, tick_atom::value);
  return {
      [self, o = std::move(options)](tick_atom) {
        auto done = run_enrol_round(o);
        if (!done)
          spdlog::warn("{}: enrolling events: {}", o.name,
                       storage::describe(done.error()));
        else if (done->runs > 0)
          spdlog::info("{}: {} events, {} runs, {} deliveries", o.name,
                       done->events, done->runs, done->deliveries);
        if (done && done->events > 0)
          self->send(self, tick_atom::value);
        else
          self->delayed_send(self, o.poll_interval, tick_atom::value);
      },
  };
}

} // namespace

caf::expected<storage::enrol_result>
run_enrol_round(const enroller_options& o) {
  return o.pool->run([&](pqxx::connection& conn) {
    return storage::enrol_events(conn, o.batch_size, o.wait_day);
  });
}

enroller spawn_enroller(caf::actor_system& sys, enroller_options options) {
  return sys.spawn<caf::detached>(enroller_actor, std::move(options));
}

} // namespace cdpd::actors::delivery
