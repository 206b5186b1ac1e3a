// The segment host: follows the `segments` table by polling a digest of
// every definition (cheap: one row per segment), so an edit made anywhere
// (this node's API, another node, psql) is seen within a poll interval.
#include "actors/segments/segment_host.hpp"

#include <map>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <pqxx/connection>

#include "actors/log.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_actor.hpp"
#include "actors/segments/segment_directory.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"
#include "storage/pg_pool.hpp"
#include "storage/repositories/segment_repository.hpp"

namespace cdpd::actors::segments {

namespace {

namespace seg = storage::segments;

struct hosted {
  std::string digest; ///< md5 of the definition text
  std::shared_ptr<const seg::segment_definition> definition; ///< null: bad
  segment_actor actor;
};

struct host_state {
  host_options options;
  /// Shared with the cleanup that stops the actors when the host stops.
  std::shared_ptr<std::map<std::string, hosted>> segments =
      std::make_shared<std::map<std::string, hosted>>();
  std::uint64_t version = 0;
  bool failing = false; ///< the last read failed (log once)
  static inline const char* name = "segment-host";
};

/// How long a shard may take to take a new list of segments.
constexpr auto publish_timeout = std::chrono::seconds{10};

using host_ptr = segment_host::stateful_pointer<host_state>;

void publish(host_ptr self) {
  auto& st = self->state;
  auto next = std::make_shared<live_definitions>();
  next->version = ++st.version;
  for (const auto& [id, h] : *st.segments)
    if (h.actor)
      next->items.push_back({id, h.definition, h.actor});
  live_definitions_ptr ptr = std::move(next);
  st.options.directory->publish(ptr);
  for (std::uint32_t i = 0; i < st.options.shards; ++i)
    if (auto shard =
            caf::actor_cast<customer_shard>(self->system().registry().get(
                caf::atom_from_string(shard_name(i)))))
      // A shard that restarts meanwhile reads the directory when its load
      // lands, so a failed delivery needs no retry.
      self->request(shard, publish_timeout, segment_defs_atom::value, ptr)
          .then([] {}, [](caf::error&) {});
}

void stop_actor(host_ptr self, hosted& h) {
  if (!h.actor)
    return;
  self->demonitor(h.actor.address());
  self->send_exit(h.actor, caf::exit_reason::user_shutdown);
  h.actor = nullptr;
}

void poll(host_ptr self) {
  auto& st = self->state;
  auto read = st.options.pool->run(
      [](pqxx::connection& conn) { return storage::segment_digests(conn); },
      true);
  if (!read) {
    if (!st.failing)
      log()->warn("segment host: cannot read segments: {}",
                  self->system().render(read.error()));
    st.failing = true;
    return;
  }
  st.failing = false;
  bool changed = false;
  auto& segments = *st.segments;
  for (auto it = segments.begin(); it != segments.end();) {
    auto found = read->find(it->first);
    if (found == read->end() || found->second != it->second.digest) {
      stop_actor(self, it->second);
      it = segments.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  std::vector<std::string> fresh;
  for (const auto& [id, digest] : *read)
    if (!segments.count(id))
      fresh.push_back(id);
  for (const auto& id : fresh) {
    auto text = st.options.pool->run(
        [&id](pqxx::connection& conn) {
          return storage::get_segment_definition(conn, id);
        },
        true);
    if (!text)
      break; // the next poll tries the rest again
    if (!*text)
      continue; // deleted meanwhile
    hosted h;
    h.digest = std::move((*text)->digest);
    auto parsed = make_shard_definition(std::move((*text)->definition));
    if (parsed) {
      h.definition = parsed->parsed;
      segment_options opts;
      opts.id = id;
      opts.definition = std::move(parsed->parsed);
      opts.definition_json = std::move(parsed->json);
      opts.shards = st.options.shards;
      opts.reevaluate_interval = st.options.reevaluate_interval;
      opts.barrier = st.options.barrier;
      h.actor = spawn_segment_actor(self->system(), std::move(opts));
      self->monitor(h.actor);
    } else {
      log()->warn("segment host: segment {} has a definition that does not "
                  "parse; it is answered from PostgreSQL",
                  id);
    }
    segments.emplace(id, std::move(h));
    changed = true;
  }
  if (changed)
    publish(self);
}

segment_actor actor_of(host_ptr self, const std::string& id) {
  auto& segments = *self->state.segments;
  auto it = segments.find(id);
  return it == segments.end() ? segment_actor{} : it->second.actor;
}

using ids_result = caf::result<bool, std::uint64_t, std::vector<std::string>>;

segment_host::behavior_type host_behavior(host_ptr self, host_options options) {
  self->state.options = std::move(options);
  self->state.options.shards =
      std::max<std::uint32_t>(self->state.options.shards, 1);
  // The segment actors stop with the host (a restarted host spawns new
  // ones).
  self->attach_functor([segments = self->state.segments] {
    for (auto& [id, h] : *segments)
      if (h.actor)
        caf::anon_send_exit(h.actor, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self](caf::down_msg& down) {
    // A segment actor that failed: forget it, so the next poll spawns a
    // new one.
    auto& segments = *self->state.segments;
    for (auto it = segments.begin(); it != segments.end(); ++it)
      if (it->second.actor && it->second.actor.address() == down.source) {
        log()->warn("segment host: the actor of segment {} stopped: {}",
                    it->first, self->system().render(down.reason));
        segments.erase(it);
        return;
      }
  });
  self->send(self, host_poll_atom::value);
  return {
      [self](host_poll_atom) {
        poll(self);
        self->delayed_send(self, self->state.options.poll_interval,
                           host_poll_atom::value);
      },
      [self](segment_count_atom atom, const std::string& id)
          -> caf::result<bool, std::uint64_t, std::int64_t, std::int64_t> {
        if (auto actor = actor_of(self, id))
          return self->delegate(actor, atom);
        return {false, std::uint64_t{0}, std::int64_t{0}, std::int64_t{0}};
      },
      [self](segment_ids_atom atom, const std::string& id,
             std::uint64_t limit) -> ids_result {
        if (auto actor = actor_of(self, id))
          return self->delegate(actor, atom, limit);
        return {false, std::uint64_t{0}, std::vector<std::string>{}};
      },
      [self](segment_ids_atom atom, const std::string& id,
             const std::string& after, std::uint64_t limit) -> ids_result {
        if (auto actor = actor_of(self, id))
          return self->delegate(actor, atom, after, limit);
        return {false, std::uint64_t{0}, std::vector<std::string>{}};
      },
  };
}

} // namespace

std::string host_name() {
  return caf::to_string(host_key);
}

segment_host spawn_segment_host(caf::actor_system& sys, host_options options) {
  return sys.spawn<caf::detached>(host_behavior, std::move(options));
}

} // namespace cdpd::actors::segments
