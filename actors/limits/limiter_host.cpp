// spawn_limiter_host: a host keeps key -> limiter actor for the keys that
// hash to it, spawns a key's limiter on first use and forwards requests to
// it. Limiters are linked to their host: a host that stops takes its
// limiters with it, and a limiter that crashes is dropped from the map
// (its key starts fresh) without stopping the host.
#include <string>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/limits/limiter_actor.hpp"
#include "actors/limits/limiter_metrics.hpp"
#include "actors/log.hpp"

namespace cdpd::actors::limits {

namespace {

/// One live limiter and how many requests its host sent it.
struct host_entry {
  limiter_key_actor limiter;
  uint64_t forwarded = 0;
};

struct host_state {
  int index = 0;
  limiter_options options;
  std::shared_ptr<limiter_metrics> metrics;
  std::unordered_map<std::string, host_entry> limiters;
  static inline const char* name = "limiter-host";
};

using host_ptr = limiter_host_actor::stateful_pointer<host_state>;

caf::delegated<verdict> forward(host_ptr self, limit_query& query) {
  auto& st = self->state;
  auto [i, added] = st.limiters.try_emplace(query.key);
  auto& entry = i->second;
  if (added)
    entry.limiter = self->spawn<caf::linked>(
        limiter_actor,
        limiter_config{query.key, caf::actor_cast<limiter_host_actor>(self),
                       st.options.idle_timeout, st.metrics});
  ++entry.forwarded;
  return self->delegate(entry.limiter, limit_atom::value, std::move(query));
}

/// Stops an idle limiter unless a request is still on its way to it: the
/// limiter counted `handled` requests, the host counts what it sent. Once
/// the entry is gone the next request for the key spawns a fresh limiter,
/// and the quit order reaches the old one after everything sent before.
void passivate(host_ptr self, const std::string& key, uint64_t handled) {
  auto& st = self->state;
  auto i = st.limiters.find(key);
  if (i == st.limiters.end())
    return;
  if (self->current_sender() !=
          caf::actor_cast<caf::strong_actor_ptr>(i->second.limiter) ||
      i->second.forwarded != handled)
    return;
  self->send(i->second.limiter, caf::ok_atom::value);
  st.limiters.erase(i);
  if (st.metrics)
    st.metrics->passivated();
}

limiter_host_actor::behavior_type limiter_host(host_ptr self, int index,
                                               limiter_options options) {
  auto& st = self->state;
  st.index = index;
  st.options = options;
  if (options.metrics)
    st.metrics = std::make_shared<limiter_metrics>(*options.metrics);
  self->set_exit_handler([self](caf::exit_msg& msg) {
    // Limiters that passivated quit normally; nothing to do.
    if (!msg.reason)
      return;
    auto& limiters = self->state.limiters;
    for (auto i = limiters.begin(); i != limiters.end(); ++i) {
      if (i->second.limiter.address() == msg.source) {
        log()->warn("limiter {} on host {} stopped: {}; the key starts fresh",
                    i->first, self->state.index,
                    self->system().render(msg.reason));
        limiters.erase(i);
        return;
      }
    }
    self->quit(msg.reason);
  });
  return {
      [self](limit_atom, limit_query& query) { return forward(self, query); },
      [self](caf::idle_atom, const std::string& key, uint64_t handled) {
        passivate(self, key, handled);
      },
  };
}

} // namespace

limiter_host_actor spawn_limiter_host(caf::actor_system& sys, int index,
                                      const limiter_options& options) {
  auto host = sys.spawn(limiter_host, index, options);
  // Also under its direct name, so the region skips the supervisor's proxy
  // (a mailbox hop per check). Removed when it stops, unless a restarted
  // host already took the name.
  auto direct = caf::atom_from_string(limiter_host_direct_name(index));
  sys.registry().put(direct, caf::actor_cast<caf::strong_actor_ptr>(host));
  host->attach_functor([&sys, direct, addr = host.address()] {
    auto current = sys.registry().get(direct);
    if (current && current->address() == addr)
      sys.registry().erase(direct);
  });
  return host;
}

} // namespace cdpd::actors::limits
