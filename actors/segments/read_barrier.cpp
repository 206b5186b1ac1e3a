#include "actors/segments/read_barrier.hpp"

#include <string>
#include <utility>

#include <caf/all.hpp>

#include "actors/segments/customer_shard.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/supervision/errc.hpp"

namespace cdpd::actors::segments {

namespace {

/// The listener's verdict on the barrier.
using barrier_passed_atom = caf::atom_constant<caf::atom("segbarpass")>;

/// What a caller is told to wait when the barrier is not passed.
constexpr std::int64_t barrier_retry_ms = 1'000;

/// Bounds each shard's status answer.
constexpr std::chrono::seconds shard_status_timeout{10};

struct sync_state {
  caf::response_promise promise;
  bool finished = false;
  std::uint32_t remaining = 0; ///< shard statuses still to come
  static inline const char* name = "segment-write-sync";
};

using sync_ptr = caf::stateful_actor<sync_state>*;

void finish(sync_ptr self, caf::error err) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  if (err)
    st.promise.deliver(std::move(err));
  else
    st.promise.deliver(caf::unit);
  self->quit();
}

caf::error barrier_failed(bool timed_out, std::chrono::milliseconds timeout) {
  return actors::make_error(
      actors::errc::child_unavailable,
      timed_out ? "the customer shards did not get every write committed "
                  "before this question within segments.read-barrier-timeout "
                  "(" +
                      std::to_string(timeout.count()) + " ms); try again"
                : std::string{"the segment change listener cannot read the "
                              "change log; answers could miss recent writes"},
      barrier_retry_ms);
}

/// Every shard answers a status request: it has handled what the listener
/// sent it before.
void ask_shards(sync_ptr self, std::uint32_t shards) {
  if (shards == 0)
    return finish(self, {});
  self->state.remaining = shards;
  for (std::uint32_t i = 0; i < shards; ++i) {
    auto shard = caf::actor_cast<customer_shard>(
        self->system().registry().get(caf::atom_from_string(shard_name(i))));
    if (!shard)
      return finish(self, caf::make_error(caf::sec::request_receiver_down,
                                          "segment shard " + std::to_string(i) +
                                              " is not running"));
    self->request(shard, shard_status_timeout, shard_status_atom::value)
        .then(
            [self](const shard_status&) {
              if (--self->state.remaining == 0)
                finish(self, {});
            },
            [self](caf::error& err) { finish(self, std::move(err)); });
  }
}

caf::behavior write_sync(sync_ptr self, read_barrier barrier,
                         std::uint32_t shards) {
  return {
      [=](read_barrier_atom) -> caf::result<void> {
        self->state.promise = self->make_response_promise();
        if (!barrier.on()) {
          ask_shards(self, shards);
          return self->state.promise;
        }
        barrier.barrier->wait([sync = caf::actor{self}](bool passed) {
          caf::anon_send(sync, barrier_passed_atom::value, passed);
        });
        self->delayed_send(self, barrier.timeout, caf::timeout_atom::value);
        return self->state.promise;
      },
      [=](barrier_passed_atom, bool passed) {
        if (!passed)
          return finish(self, barrier_failed(false, barrier.timeout));
        ask_shards(self, shards);
      },
      [=](caf::timeout_atom) {
        // Only the barrier is bounded here; shard statuses have their own
        // timeout.
        if (self->state.remaining == 0)
          finish(self, barrier_failed(true, barrier.timeout));
      },
  };
}

} // namespace

caf::actor spawn_write_sync(caf::actor_system& sys, read_barrier barrier,
                            std::uint32_t shards) {
  return sys.spawn(write_sync, std::move(barrier), shards);
}

} // namespace cdpd::actors::segments
