#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_clock.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/limits/limit_messages.hpp"

namespace cdpd::actors::limits {

/// The one requester through which threads outside any actor (the HTTP
/// edge, the send throttle) ask limiter hosts, for as long as the region
/// lives. A check is a plain typed request, (limit_atom, limit_query) ->
/// verdict, as from any actor; the difference is where the reply lands.
///
/// Why not a short-lived actor per check (actors::ask): spawning it,
/// scheduling it to send, arming and cancelling its request timer, then
/// scheduling it again for the reply and tearing it down cost two extra
/// scheduler hops per check; at an idle edge each hop is a worker wake-up,
/// which doubled a check's latency. Here the request is enqueued straight
/// from the caller's thread and the reply is handled inside the enqueue
/// of an actor_companion, on the thread of whoever replied (the key's
/// limiter): one hop to the host and one to the limiter, nothing else.
class limit_client {
public:
  /// The verdict, or why there is none: request_receiver_down (the host
  /// stopped), request_timeout (no answer within the timeout),
  /// remote_link_unreachable (the host's node was lost), or the host's
  /// error.
  using reply_handler = std::function<void(caf::expected<verdict>)>;

  /// Every check waits at most `timeout`: one timeout for all keeps the
  /// deadlines in the order of the checks, so one timer suffices.
  limit_client(caf::actor_system& sys, caf::timespan timeout);

  /// Answers every check still waiting with an error.
  ~limit_client();

  limit_client(const limit_client&) = delete;
  limit_client& operator=(const limit_client&) = delete;

  /// Asks `host` (a limiter host here, or the agent of the node that owns
  /// the key's host); calls `done` exactly once: with the reply, on the
  /// replier's thread (the caller's own when the host is already gone),
  /// or with request_timeout after the timeout, on CAF's timer thread. So
  /// `done` must be quick and must not block.
  void ask(const limit_answer_actor& host, limit_query query,
           reply_handler done);

private:
  using time_point = caf::actor_clock::time_point;

  struct pending {
    time_point deadline;
    reply_handler done;
    caf::actor_addr target; ///< set for a target on another node
  };

  /// Everything the companion receives: replies, and our sweep ticks.
  void receive(caf::mailbox_element_ptr x);

  /// Times out what is past its deadline. One tick is armed at a time,
  /// for the earliest deadline, instead of one timer per check.
  void sweep();

  void arm(time_point at);

  /// A target on another node: its proxy is killed when the connection to
  /// that node is lost (CAF fails nothing sent there), so the checks
  /// waiting for it are failed then rather than at their timeout.
  void watch(const limit_answer_actor& target);

  /// Fails every check waiting for `target` with remote_link_unreachable.
  void fail_waiting_for(const caf::actor_addr& target);

  /// What the companion's handler reaches the client through. A reply's
  /// callback may drop the last reference to the region, so the client can
  /// be destroyed inside its own receive(), on the thread that holds the
  /// companion's lock; the destructor then only unhooks this (the mutex is
  /// recursive for that) instead of taking the companion's lock again.
  struct hook {
    std::recursive_mutex mtx;
    limit_client* client = nullptr;
  };

  std::shared_ptr<hook> hook_ = std::make_shared<hook>();
  caf::actor_system* sys_;
  caf::timespan timeout_;
  caf::actor companion_;
  std::mutex mtx_;
  std::unordered_map<uint64_t, pending> pending_; ///< by request id
  uint64_t last_id_ = 0;
  bool armed_ = false;                ///< a sweep tick is scheduled
  std::set<caf::actor_addr> watched_; ///< remote targets (see watch)
};

} // namespace cdpd::actors::limits
