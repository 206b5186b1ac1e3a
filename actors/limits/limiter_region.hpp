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
/// never an actor, so a later cluster can place hosts on other nodes
/// without touching callers.
namespace cdpd::actors::limits {

class limit_client;

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

/// Spawns limiter host `index`.
limiter_host_actor spawn_limiter_host(caf::actor_system& sys, int index,
                                      const limiter_options& options);

/// Routes limit requests by key to the hosts registered under
/// limiter_host_name(0 .. hosts-1). Safe to share between threads. Must
/// end before `sys`: its requester (limit_client) is an actor of `sys`.
class limiter_region {
public:
  limiter_region(caf::actor_system& sys, int hosts);
  ~limiter_region();

  /// Asks `request`'s key's host without blocking, as a limit_query: the
  /// host itself while it runs, else its proxy (which holds the request
  /// while the host restarts). When neither is registered, or the host
  /// fails or does not answer within limit_reply_timeout, `done` gets an
  /// allowed verdict (limits fail open: losing a limiter must not take the
  /// API down) and the failure is logged at most once a minute.
  void check(limit_request request) const;

private:
  /// Registry keys of one host, made once rather than per request.
  struct host_names {
    caf::atom_value direct; ///< limiter_host_direct_name
    caf::atom_value proxy;  ///< limiter_host_name
  };

  caf::actor_system* sys_;
  int hosts_;
  std::vector<host_names> names_;
  /// Sends every check and receives its verdict (see limit_client).
  std::unique_ptr<limit_client> client_;
};

} // namespace cdpd::actors::limits
