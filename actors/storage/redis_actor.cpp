#include "actors/storage/redis_actor.hpp"

#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/atoms.hpp"
#include "actors/check_result.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors {

namespace {

caf::behavior redis_front(caf::event_based_actor* self,
                          storage::redis_endpoint endpoint,
                          std::chrono::milliseconds timeout) {
  auto client = std::make_shared<storage::redis_client>(endpoint, timeout);
  self->set_default_handler(caf::print_and_drop);
  return {
      [=](check_atom) {
        auto started = std::chrono::steady_clock::now();
        auto pong = client->ping();
        check_result result;
        result.up = static_cast<bool>(pong);
        result.latency_ms = std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - started)
                                .count();
        if (!pong)
          result.error = storage::describe(pong.error());
        return result;
      },
      [=](redis_atom, const std::vector<std::string>& argv)
          -> caf::result<storage::redis_reply> {
        auto reply = client->command(argv);
        if (!reply)
          return std::move(reply.error());
        return std::move(*reply);
      },
  };
}

} // namespace

caf::actor spawn_redis_actor(caf::actor_system& sys,
                             storage::redis_endpoint endpoint,
                             std::chrono::milliseconds timeout) {
  return sys.spawn<caf::detached>(redis_front, std::move(endpoint), timeout);
}

} // namespace cdpd::actors
