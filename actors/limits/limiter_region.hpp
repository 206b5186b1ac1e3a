#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/limits/limit_messages.hpp"
#include "actors/limits/rate_plan.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

/// Rate-limiter actors: one actor per limited key (an account, an API key or
/// a client address), holding one GCRA state per rate it has been asked
/// about. Keys are spread over a fixed number of limiter hosts by a hash of
/// the key; a host spawns the key's actor on first use and lets it stop
/// (passivate) once it has been idle for `idle_timeout` and its state is
/// back to a fresh one. The region is the only way in: callers name a key,
/// never an actor, so in a cluster a host runs on one member and callers on
/// the others reach it through the region's router, unchanged.
namespace cdpd::actors::limits {

class limit_client;
class remote_limit_metrics;

/// One question to a limiter from a caller on this node: the query, and
/// where its verdict goes.
struct limit_request : limit_query {
  /// Called exactly once, on an actor thread, with the verdict. A request
  /// is charged only when every rate allows it. When limits fail open (no
  /// host, a host that stopped or did not answer within
  /// limit_reply_timeout) the verdict is an allowed one, possibly on the
  /// caller's thread or CAF's timer thread. Must not block.
  std::function<void(const verdict&)> done;
};

/// The longest wait for a host's verdict before limits fail open.
inline constexpr std::chrono::seconds limit_reply_timeout{2};

/// The longest wait for the verdict of a host on another node. A request
/// pending when that node dies gets no answer (CAF fails nothing sent to a
/// lost node); after this it is refused as unavailable. A loopback or LAN
/// round trip takes well under a millisecond.
inline constexpr std::chrono::milliseconds remote_limit_reply_timeout{1'000};

/// Where the host of a key runs, in a cluster (see host_router).
struct host_route {
  enum class where {
    here,       ///< on this node: ask the local host
    remote,     ///< on another node: ask `remote` (its node agent)
    unreachable ///< on another node that cannot be reached now
  };
  where at = where::here;
  limit_answer_actor remote;
};

/// Says where host `index` ("limits-<index>") runs; empty on a single
/// node, where every host is local.
using host_router = std::function<host_route(int index)>;

/// When a caller that got unavailable_verdict() should ask again: the
/// Retry-After of an HTTP answer, and a dispatcher's wait.
inline constexpr std::chrono::seconds unavailable_retry_after{1};
inline constexpr std::chrono::milliseconds unavailable_retry_wait{500};

/// The verdict for a key whose host is on a node that cannot be reached:
/// refused, `unavailable`, retry after unavailable_retry_after.
verdict unavailable_verdict();

/// How the limiter hosts run.
struct limiter_options {
  int hosts = 4;                                  ///< fixed for the cluster
  std::chrono::milliseconds idle_timeout{60'000}; ///< then a key passivates
  prometheus::Registry* metrics = nullptr;        ///< may be null
};

/// The registry name of host `index` ("limits-0", ...; at most 10
/// characters), under which the supervision tree registers it.
std::string limiter_host_name(int index);

/// The name under which host `index` registers itself ("lhost-0", ...),
/// besides its proxy's: the region sends there first.
std::string limiter_host_direct_name(int index);

/// The host index of `key` among `hosts` hosts: a hash that is the same on
/// every node (FNV-1a), modulo `hosts`; 0 when `hosts` <= 0.
int limiter_host_index(std::string_view key, int hosts);

/// The registry names of this node's hosts 0 .. n-1, made once rather
/// than per check, and the lookup of a key's host by them.
class local_hosts {
public:
  /// `hosts` is clamped to 0 .. 1000 (registry names have 10 characters).
  explicit local_hosts(int hosts);

  int count() const { return static_cast<int>(names_.size()); }

  /// The host of `key` on this node: the host itself while it runs, else
  /// its supervision proxy (which holds requests while it restarts); null
  /// when neither is registered or there are no hosts.
  limiter_host_actor find(caf::actor_system& sys, std::string_view key) const;

private:
  struct host_names {
    caf::atom_value direct; ///< limiter_host_direct_name
    caf::atom_value proxy;  ///< limiter_host_name
  };
  std::vector<host_names> names_;
};

/// Spawns limiter host `index`.
limiter_host_actor spawn_limiter_host(caf::actor_system& sys, int index,
                                      const limiter_options& options);

/// Routes limit requests by key to the hosts registered under
/// limiter_host_name(0 .. hosts-1). Safe to share between threads. Must
/// end before `sys`: its requester (limit_client) is an actor of `sys`.
class limiter_region {
public:
  /// `router` places hosts in a cluster (empty: every host is local);
  /// `metrics` (may be null) counts the checks sent to other members.
  limiter_region(caf::actor_system& sys, int hosts, host_router router = {},
                 prometheus::Registry* metrics = nullptr);
  ~limiter_region();

  /// Asks `request`'s key's host without blocking, as a limit_query: the
  /// host itself while it runs, else its proxy (which holds the request
  /// while the host restarts). When neither is registered, or the host
  /// fails or does not answer within limit_reply_timeout, `done` gets an
  /// allowed verdict (limits fail open: losing a limiter must not take the
  /// API down) and the failure is logged at most once a minute. In a
  /// cluster, a key whose host another node owns is asked there (through
  /// that node's agent, one hop); when that node cannot be reached or does
  /// not answer within remote_limit_reply_timeout, `done` gets
  /// unavailable_verdict(): a lost node must not turn limits off.
  void check(limit_request request) const;

private:
  void ask_local(limit_request request) const;
  void ask_remote(const limit_answer_actor& agent, limit_request request) const;

  caf::actor_system* sys_;
  local_hosts hosts_;
  host_router router_;
  std::shared_ptr<remote_limit_metrics> remote_metrics_; ///< may be null
  /// Sends every check and receives its verdict (see limit_client).
  std::unique_ptr<limit_client> client_;
  /// The same for checks sent to other nodes, with their shorter timeout.
  std::unique_ptr<limit_client> remote_client_;
};

} // namespace cdpd::actors::limits
