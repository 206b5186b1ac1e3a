#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "actors/campaigns/campaign_gauges.hpp"
#include "actors/cluster/node_lease.hpp"
#include "actors/delivery/delivery_tree.hpp"
#include "actors/limits/limiter_region.hpp"
#include "actors/supervision/supervisor.hpp"
#include "config/settings.hpp"
#include "net/auth/link_token.hpp"
#include "net/email/delivery_message.hpp"
#include "net/email/provider.hpp"
#include "storage/pg_pool.hpp"

/// Wiring of campaign delivery into a node: the email provider from the
/// config, the send function the dispatchers call, and the "delivery"
/// subtree.
namespace cdpd::app {

/// Renders a claimed delivery (net::email::render_delivery) and sends it
/// through `provider`. Template errors and refused messages are permanent
/// failures.
actors::delivery::send_fn
make_email_sender(std::shared_ptr<net::email::email_provider> provider,
                  std::string from, net::email::message_links links);

/// The subtree and how long it may take to stop.
struct delivery_subtree {
  actors::child_spec child;
  actors::delivery::millis stop_bound{0};
};

/// The "delivery" subtree from `email.*` and `delivery.*`: its dispatchers
/// use `write_pool`, the provider the settings name (an empty
/// `email.outbox-dir` is <state_dir>/outbox) and, for the subtree,
/// the "connector" supervision policy. Fails with the email library's
/// errc::invalid_settings when the settings name no usable provider.
/// Messages' links are signed by `signer` (the node's auth_services links).
/// Sends are throttled (email.rate-per-second, delivery.campaign-speed and
/// campaigns' own speeds) through `limiter`; without one nothing is. The
/// campaign actors run on the node's "pg-write" db actor and count
/// themselves in `gauges` (may be null). In a cluster, `membership` and
/// `member` fence the dispatchers (dispatcher_options::membership).
caf::expected<delivery_subtree> make_delivery_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> write_pool,
    const std::string& state_dir,
    std::shared_ptr<actors::supervision_metrics> metrics,
    std::shared_ptr<const net::auth::link_signer> signer,
    std::shared_ptr<const actors::limits::limiter_region> limiter = nullptr,
    std::shared_ptr<actors::campaigns::campaign_gauges> gauges = nullptr,
    std::shared_ptr<const actors::cluster::node_lease> membership = nullptr,
    std::string member = {},
    actors::campaigns::campaign_router campaign_route = {});

} // namespace cdpd::app
