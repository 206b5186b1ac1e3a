#pragma once

#include <memory>
#include <string>

#include <prometheus/registry.h>

#include "actors/supervision/supervisor.hpp"
#include "config/settings.hpp"
#include "storage/pg_pool.hpp"

/// The "webhooks" subtree of a node: webhooks.workers workers under the
/// "connector" policy, sharing one breaker per endpoint host (that
/// policy's breaker settings) and the node's webhook metrics.
namespace cdpd::actors::webhooks {

/// The subtree and how long it may take to stop (a POST in flight, bounded
/// by webhooks.timeout, and a record).
struct webhook_subtree {
  child_spec child;
  millis stop_bound{0};
};

/// The subtree on `write_pool`. `member` makes the lease tags of this
/// node's workers unique among nodes (with a random part, so a restarted
/// node never mistakes the claims of its previous run for its own).
/// `registry` may be null (no metrics).
webhook_subtree make_webhook_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> write_pool,
    prometheus::Registry* registry,
    std::shared_ptr<supervision_metrics> metrics, const std::string& member);

} // namespace cdpd::actors::webhooks
