#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "actors/supervision/supervisor.hpp"
#include "config/settings.hpp"
#include "net/access/auth_services.hpp"
#include "net/http/http_server.hpp"
#include "storage/pg_pool.hpp"
#include "storage/redis_url.hpp"

/// The node's own subtrees (storage, access, edge); segments and delivery
/// have files of their own.
namespace cdpd::app {

/// A subtree as a root child and how long it may take to stop.
struct subtree {
  actors::child_spec child;
  actors::millis stop_bound{0};
};

/// The supervision policy of a name (`[supervision.<name>]`).
using policy_lookup =
    std::function<actors::supervision_policy(const std::string&)>;

/// Slack added to each derived stop bound, so a parent waits a little
/// longer than the child whose bound it sums up.
inline constexpr auto stop_margin = std::chrono::seconds{1};

/// "storage": the write and read pools' db actors (pg-write, pg-read) and,
/// with `redis`, the Redis actor, whose half-open breaker probes by itself.
subtree make_storage_subtree(const config::settings& s,
                             std::shared_ptr<storage::pg_pool> write_pool,
                             std::shared_ptr<storage::pg_pool> read_pool,
                             std::optional<storage::redis_endpoint> redis,
                             const policy_lookup& policy,
                             std::shared_ptr<actors::supervision_metrics> m);

/// "access": the limiter hosts (ratelimit.hosts), the credentials
/// refresher of `services` and the password hasher ("pw-hash").
subtree make_access_subtree(const config::settings& s,
                            std::shared_ptr<net::auth_services> services,
                            prometheus::Registry* registry,
                            const policy_lookup& policy,
                            std::shared_ptr<actors::supervision_metrics> m);

/// "assistant": the AI provider connector (registry name "ai") under the
/// "connector" policy, its breaker listed in /admin/breakers; none when
/// no provider is configured (the offline engine answers). Fails when
/// ai.api-key-file cannot be read.
caf::expected<std::optional<subtree>>
make_ai_subtree(const config::settings& s, const policy_lookup& policy,
                std::shared_ptr<actors::supervision_metrics> m);

/// "edge": the gateway in front of `server`.
subtree make_edge_subtree(const config::settings& s,
                          std::shared_ptr<net::http_server> server,
                          const policy_lookup& policy,
                          std::shared_ptr<actors::supervision_metrics> m);

} // namespace cdpd::app
