#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/campaigns/campaign_messages.hpp"
#include "actors/cluster/node_lease.hpp"

#include "actors/delivery/send_throttle.hpp"
#include "storage/pg_pool.hpp"
#include "storage/repositories/delivery_repository.hpp"

/// Delivery dispatchers: detached actors that claim due deliveries in
/// PostgreSQL (FOR UPDATE SKIP LOCKED, with a lease), send each through the
/// provider and record the outcome, reporting what the rows of a campaign
/// became to the campaign (actors/campaigns starts, paces the counts of,
/// pauses and completes campaigns). All
/// their work blocks (libpqxx, the provider), so each runs on a thread of
/// its own and never on the scheduler's threads.
namespace cdpd::actors::delivery {

using millis = std::chrono::milliseconds;

/// A dispatcher's interface: only its own round timer. It is stopped by
/// an exit message, between two sends.
using dispatcher = caf::typed_actor<caf::reacts_to<tick_atom>>;

/// What became of one send.
struct send_outcome {
  /// held: not attempted, the provider is known to be down; the row goes
  /// back unattempted.
  enum class kind { sent, retryable, permanent, held };
  kind result = kind::sent;
  std::string message_id; ///< when sent
  std::string error;      ///< when not sent: what the provider said
};

/// Renders and sends one claimed delivery; blocks, bounded by the
/// provider's timeout, and never throws. Called from several dispatcher
/// threads at once.
using send_fn = std::function<send_outcome(const storage::claimed_delivery&)>;

/// How a dispatcher works.
struct dispatcher_options {
  std::string name = "dispatcher";        ///< for logs
  std::shared_ptr<storage::pg_pool> pool; ///< the write pool
  send_fn send;                           ///< the provider
  /// False while the provider is known to be down (its breaker is open):
  /// nothing is claimed then. Null: always ready.
  std::function<bool()> ready;
  /// The provider rate and campaign speeds, asked of the limiter actors
  /// before each send; without a region nothing is throttled.
  throttle_options throttle;
  int64_t batch_size = 100;    ///< rows per claim
  millis poll_interval{1'000}; ///< idle wait between claims
  millis lease{60'000};        ///< claimed rows return after it
  /// The longest one send takes (email.timeout): before a send that could
  /// outlast the batch's lease, the lease of the rest is renewed, so a row
  /// is never sent by two dispatchers because a batch ran long.
  millis send_timeout{30'000};
  storage::retry_rules retry; ///< attempts, backoff, age
  /// Told how each claim and outcome moved the counts of the row's
  /// campaign (fire and forget); null tells nobody.
  std::function<void(const campaigns::campaign_report&)> report;
  bool completes_runs = true; ///< completes finished flow runs
  /// A flow run whose customer left the flow's segment exits when its next
  /// row is claimed (its rows become dead, nothing is sent).
  bool flow_exit_on_leave = true;
  /// In a cluster, this node's membership lease and member name: claims
  /// are tagged "<member>:<incarnation>", so the rows of a lost member are
  /// released at once, and nothing is claimed, and no send starts, unless
  /// the lease of the incarnation that claimed still holds (a fenced or
  /// frozen node never sends after its own deadline). Null on a single
  /// node.
  std::shared_ptr<const cluster::node_lease> membership;
  std::string member;
};

/// What one round of a dispatcher did.
struct round_result {
  int64_t claimed = 0;  ///< deliveries claimed
  int64_t sent = 0;     ///< recorded as sent
  int64_t failed = 0;   ///< recorded as failed (retry later)
  int64_t dead = 0;     ///< recorded as dead
  int64_t lost = 0;     ///< outcomes not recorded: the lease was gone
  int64_t released = 0; ///< given back unattempted: the provider was down
  /// Given back unattempted, due later: their campaign was over its speed.
  int64_t deferred = 0;
  int64_t exited = 0; ///< flow runs exited: the customer left the segment
  int64_t runs_completed = 0; ///< flow runs completed
};

/// One round without an actor: claim one batch, send and record each row,
/// then complete finished flow runs (when `options.completes_runs`).
/// Database errors
/// are logged and end the round early; rows already claimed stay leased and
/// come back later.
round_result run_round(const dispatcher_options& options);

/// Spawns a detached dispatcher that runs rounds back to back while there
/// is work and every `poll_interval` when there is none. It stops between
/// rounds when asked to exit.
dispatcher spawn_dispatcher(caf::actor_system& sys, dispatcher_options options);

} // namespace cdpd::actors::delivery
