#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/webhooks/host_breakers.hpp"
#include "actors/webhooks/webhook_metrics.hpp"
#include "storage/pg_pool.hpp"
#include "storage/repositories/webhook_delivery_repository.hpp"

/// Webhook workers: detached actors that fan new events out of the outbox
/// into `webhook_deliveries`, claim the head of an endpoint's queue with
/// the rows after it (under a lease, so several workers and nodes never
/// send one row at once), POST each in order with the Standard Webhooks
/// headers and record what it got. A row that is to be retried holds the
/// endpoint's later rows back; other endpoints go on. All of it blocks
/// (libpqxx, libcurl), so each worker has a thread of its own.
namespace cdpd::actors::webhooks {

using millis = std::chrono::milliseconds;

/// A worker's interface: only its own round timer; it stops on an exit
/// message between two POSTs.
using webhook_worker = caf::typed_actor<caf::reacts_to<tick_atom>>;

/// How a worker works (webhooks.* settings).
struct webhook_worker_options {
  std::string name = "webhooks";          ///< for logs
  std::string owner;                      ///< lease tag, unique per worker
  std::shared_ptr<storage::pg_pool> pool; ///< the write pool
  storage::webhook_limits limits;         ///< retry-for, disable-after
  millis timeout{10'000};                 ///< one POST
  millis retry_backoff{5'000};            ///< first retry; doubles
  millis max_backoff{3'600'000};          ///< longest wait between attempts
  millis poll_interval{500};              ///< idle wait between rounds
  millis lease{60'000};                   ///< claimed rows return after it
  int batch_size = 50;                    ///< rows of an endpoint per claim
  bool allow_private = false;             ///< webhooks.allow-private
  bool fans_out = true;                   ///< also fans the outbox out
  bool reads_gauges = false; ///< also refreshes the lag and disabled gauges
  std::shared_ptr<host_breakers> breakers;  ///< null: no breakers
  std::shared_ptr<webhook_metrics> metrics; ///< null: not counted
};

/// What one round did.
struct webhook_round {
  int64_t fanned_out = 0; ///< rows added from the outbox
  int64_t claimed = 0;
  int64_t delivered = 0;
  int64_t retried = 0;  ///< attempts to be tried again
  int64_t failed = 0;   ///< rows given up
  int64_t released = 0; ///< claims given back unattempted
  int64_t lost = 0;     ///< outcomes not recorded: the lease was gone
};

/// The delay before the next attempt of a row that had `attempts`
/// attempts: the answer's Retry-After when it gave one, else
/// retry_backoff doubled per attempt; at most max_backoff either way.
millis retry_delay(const webhook_worker_options& options, int64_t attempts,
                   int64_t retry_after_ms);

/// One round without an actor: fan out, claim one endpoint's rows, send
/// and record them. Database errors are logged and end the round; rows
/// already claimed stay leased and come back later.
webhook_round run_webhook_round(const webhook_worker_options& options);

/// Spawns a detached worker that runs rounds back to back while there is
/// work and every `poll_interval` when there is none.
webhook_worker spawn_webhook_worker(caf::actor_system& sys,
                                    webhook_worker_options options);

} // namespace cdpd::actors::webhooks
