// The segment host: follows the `segments` table by polling a digest of
// every definition (cheap: one row per segment), so an edit made anywhere
// (this node's API, another node, psql) is seen within a poll interval.
#include "actors/segments/segment_host.hpp"

#include <map>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/log.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_actor.hpp"
#include "actors/segments/segment_directory.hpp"
#include "actors/segments/segment_messages.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::actors::segments {

namespace {

namespace seg = storage::segments;

struct hosted {
  std::string digest; ///< md5 of the definition text
  std::shared_ptr<const seg::segment_definition> definition; ///< null: bad
  caf::actor actor;
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

using host_ptr = caf::stateful_actor<host_state>*;

/// (id, digest) of every saved segment.
using digests = std::map<std::string, std::string>;

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
    if (auto shard = caf::actor_cast<caf::actor>(self->system().registry().get(
            caf::atom_from_string(shard_name(i)))))
      self->send(shard, segment_defs_atom::value, ptr);
}

void stop_actor(host_ptr self, hosted& h) {
  if (!h.actor)
    return;
  self->demonitor(h.actor);
  self->send_exit(h.actor, caf::exit_reason::user_shutdown);
  h.actor = nullptr;
}

void poll(host_ptr self) {
  auto& st = self->state;
  auto read = st.options.pool->run(
      [](pqxx::connection& conn) {
        pqxx::read_transaction tx{conn};
        digests out;
        for (const auto& r :
             tx.exec("SELECT id::text, md5(definition::text) FROM segments"))
          out.emplace(r[0].as<std::string>(), r[1].as<std::string>());
        return out;
      },
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
        [&id](pqxx::connection& conn) -> std::optional<std::string> {
          pqxx::read_transaction tx{conn};
          auto r = tx.exec_params(
              "SELECT definition::text, md5(definition::text) FROM segments "
              "WHERE id = $1::uuid",
              id);
          if (r.empty())
            return std::nullopt;
          return r[0][0].as<std::string>() + '\n' + r[0][1].as<std::string>();
        },
        true);
    if (!text)
      break; // the next poll tries the rest again
    if (!*text)
      continue; // deleted meanwhile
    auto cut = (*text)->rfind('\n');
    hosted h;
    h.digest = (*text)->substr(cut + 1);
    auto parsed = seg::parse_definition(
        nlohmann::json::parse((*text)->substr(0, cut), nullptr, false));
    if (parsed.ok()) {
      h.definition = std::make_shared<const seg::segment_definition>(
          std::move(*parsed.definition));
      segment_options opts;
      opts.id = id;
      opts.definition = h.definition;
      opts.shards = st.options.shards;
      opts.reevaluate_interval = st.options.reevaluate_interval;
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

caf::actor actor_of(host_ptr self, const std::string& id) {
  auto& segments = *self->state.segments;
  auto it = segments.find(id);
  return it == segments.end() ? caf::actor{} : it->second.actor;
}

caf::behavior segment_host(host_ptr self, host_options options) {
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
      [self](segment_count_atom atom, const std::string& id) {
        auto rp = self->make_response_promise();
        auto actor = actor_of(self, id);
        if (!actor)
          rp.deliver(false, std::uint64_t{0}, std::int64_t{0}, std::int64_t{0});
        else
          rp.delegate(actor, atom);
      },
      [self](segment_ids_atom atom, const std::string& id,
             std::uint64_t limit) {
        auto rp = self->make_response_promise();
        auto actor = actor_of(self, id);
        if (!actor)
          rp.deliver(false, std::uint64_t{0}, std::vector<std::string>{});
        else
          rp.delegate(actor, atom, limit);
      },
      [self](segment_ids_atom atom, const std::string& id,
             const std::string& after, std::uint64_t limit) {
        auto rp = self->make_response_promise();
        auto actor = actor_of(self, id);
        if (!actor)
          rp.deliver(false, std::uint64_t{0}, std::vector<std::string>{});
        else
          rp.delegate(actor, atom, after, limit);
      },
      // A shard's supervision proxy relays the shard's empty reply to a
      // segment_defs_atom message, or an error while the shard restarts
      // (the restarted shard reads the directory when its load lands).
      [] {},
      [](caf::error&) {},
  };
}

} // namespace

std::string host_name() {
  return "segs-host";
}

caf::actor spawn_segment_host(caf::actor_system& sys, host_options options) {
  return sys.spawn<caf::detached>(segment_host, std::move(options));
}

} // namespace cdpd::actors::segments
