// A customer shard: loads its customers' columns on a detached loader
// thread, then answers segment questions from memory. Questions that
// arrive while it loads get child_unavailable at once, so none waits on a
// load.
#include "actors/segments/customer_shard.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/segments/change_listener.hpp"
#include "actors/segments/engine/evaluate.hpp"
#include "actors/segments/engine/live_columns.hpp"
#include "actors/segments/load_columns.hpp"
#include "actors/segments/segment_directory.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"
#include "storage/pg_pool.hpp"

namespace cdpd::actors::segments {

namespace {

namespace seg = storage::segments;
using steady = std::chrono::steady_clock;

/// What a caller is told to wait while a shard loads.
constexpr std::int64_t loading_retry_ms = 1'000;

/// How long a shard waits for the listener's catch-up before asking again
/// (the listener may have restarted and lost the request).
constexpr std::chrono::milliseconds catch_up_retry{2'000};

/// Thrown from a progress callback to abandon a load whose shard stopped.
struct load_cancelled : std::runtime_error {
  load_cancelled() : std::runtime_error("the shard stopped; load abandoned") {}
};

/// Set when a shard incarnation terminates, so its loader stops early and
/// shutdown does not wait for a whole load.
using cancel_flag = std::shared_ptr<std::atomic<bool>>;

/// Questions a shard holds while it catches up; past this many it answers
/// "unavailable" at once.
constexpr std::size_t max_waiting = 4'096;

/// Parsed definitions a shard keeps; past this many it starts afresh.
constexpr std::size_t max_parsed = 256;

struct shard_state {
  shard_options options;
  /// The last load plus the changes since; empty until the first load.
  std::optional<engine::live_columns> live;
  std::string snapshot;   ///< of the last load
  bool caught_up = false; ///< the catch-up after the last load arrived
  std::uint64_t changes = 0;
  bool loading = false; ///< a loader is running
  cancel_flag cancelled = std::make_shared<std::atomic<bool>>(false);
  std::chrono::milliseconds next_retry{0};
  std::int64_t load_ms = 0;
  std::uint64_t loads = 0;
  std::uint64_t generation = 0;     ///< of the current columns
  std::uint64_t seq = 0;            ///< change batches applied to them
  live_definitions_ptr definitions; ///< the segments to keep current
  /// Definitions that came as text (from other nodes), by text.
  std::unordered_map<std::string,
                     std::shared_ptr<const seg::segment_definition>>
      parsed;
  /// Questions that came after a load landed and before its catch-up:
  /// the columns could miss writes committed since the load's snapshot.
  std::vector<
      std::pair<caf::typed_response_promise<shard_answer>, shard_question>>
      waiting;
  static inline const char* name = "customer-shard";
};

using shard_ptr = customer_shard::stateful_pointer<shard_state>;

/// Loads the shard on a thread of its own and reports back to `shard`.
void spawn_loader(caf::actor_system& sys, customer_shard shard,
                  shard_options options, cancel_flag cancelled) {
  sys.spawn<caf::detached>([shard, options,
                            cancelled](caf::event_based_actor* self) {
    auto started = steady::now();
    auto index = options.index;
    auto progress = [index, cancelled](const load_progress& p) {
      if (cancelled->load())
        throw load_cancelled{};
      if (p.done)
        return;
      log()->info("segment shard {}: loading, {} customers and {} orders so "
                  "far",
                  index, p.customers, p.orders);
    };
    std::optional<caf::expected<engine::customer_columns>> shared;
    if (options.first_load)
      shared =
          options.first_load->take(options.index, *options.pool, *cancelled);
    shard_filter filter{options.index, options.shards};
    auto loaded = shared ? std::move(*shared)
                         : options.pool->run(
                               [&](pqxx::connection& conn) {
                                 return load_columns(conn, filter, progress);
                               },
                               true);
    // The columns' generation, from PostgreSQL, so it orders loads of
    // this shard on every node (a restart, a refresh, a move).
    caf::expected<std::uint64_t> generation{std::uint64_t{0}};
    if (loaded)
      generation = options.pool->run(
          [](pqxx::connection& conn) { return next_generation(conn); }, true);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  steady::now() - started)
                  .count();
    if (!loaded) {
      self->send(shard, shard_loaded_atom::value, loaded.error());
    } else if (!generation) {
      self->send(shard, shard_loaded_atom::value, generation.error());
    } else {
      auto columns =
          std::make_shared<const engine::customer_columns>(std::move(*loaded));
      self->send(shard, shard_loaded_atom::value, loaded_columns{columns},
                 static_cast<std::int64_t>(ms), *generation);
    }
    self->quit();
  });
}

void start_load(shard_ptr self) {
  if (self->state.loading)
    return;
  self->state.loading = true;
  log()->info("segment shard {} of {}: loading from PostgreSQL",
              self->state.options.index, self->state.options.shards);
  spawn_loader(self->system(), caf::actor_cast<customer_shard>(self),
               self->state.options, self->state.cancelled);
}

/// Asks the listener for the changes the last load missed, until they
/// arrive.
void request_catch_up(shard_ptr self) {
  auto& st = self->state;
  if (st.caught_up || !st.live)
    return;
  auto listener = caf::actor_cast<caf::actor>(
      self->system().registry().get(caf::atom_from_string(listener_name())));
  // The listener's supervision proxy relays its empty reply.
  if (listener)
    self->request(listener, catch_up_retry, shard_catch_up_atom::value,
                  st.options.index, st.snapshot)
        .then([] {}, [](caf::error&) {});
  self->delayed_send(self, catch_up_retry, shard_catch_up_atom::value);
}

/// Tells every segment actor where this shard is, so one that missed a
/// batch or answered from older columns asks again.
void send_hellos(shard_ptr self) {
  auto& st = self->state;
  if (!st.definitions || !st.live)
    return;
  segment_delta hello;
  hello.shard = st.options.index;
  hello.generation = st.generation;
  hello.seq = st.seq;
  hello.hello = true;
  for (const auto& item : st.definitions->items)
    self->send(item.actor, segment_delta_atom::value, hello);
}

/// Takes a newer list of segments.
void take_definitions(shard_ptr self, live_definitions_ptr defs) {
  auto& st = self->state;
  if (!defs || (st.definitions && defs->version <= st.definitions->version))
    return;
  st.definitions = std::move(defs);
  send_hellos(self);
}

/// Evaluates every live definition over the batch's customers (the fresh
/// rows hold exactly them) and sends each segment actor its delta.
void send_deltas(shard_ptr self, const shard_changes& changes) {
  auto& st = self->state;
  if (!st.definitions || st.definitions->items.empty())
    return;
  segment_delta base;
  base.shard = st.options.index;
  base.generation = st.generation;
  base.seq = st.seq;
  base.changed = changes.ids;
  std::sort(base.changed.begin(), base.changed.end());
  base.changed.erase(std::unique(base.changed.begin(), base.changed.end()),
                     base.changed.end());
  auto now = std::chrono::system_clock::now();
  for (const auto& item : st.definitions->items) {
    if (!item.definition)
      continue;
    auto rows = engine::evaluate(*item.definition, *changes.fresh, now);
    if (!rows)
      continue; // the segment actor cannot be answered from memory either
    auto delta = base;
    rows->for_each([&](std::size_t r) {
      const auto& id = changes.fresh->ids[r];
      if (std::binary_search(delta.changed.begin(), delta.changed.end(), id))
        delta.members.push_back(id);
    });
    std::sort(delta.members.begin(), delta.members.end());
    self->send(item.actor, segment_delta_atom::value, std::move(delta));
  }
}

void answer_waiting(shard_ptr self);

void apply_changes(shard_ptr self, const shard_changes& changes) {
  auto& st = self->state;
  // A shard without columns takes none: the catch-up after its load
  // covers every change its snapshot misses.
  if (!st.live || !changes.fresh)
    return;
  if (auto err = st.live->apply(changes.ids, *changes.fresh)) {
    // Only a missing locale fails, and the load that got these columns
    // had it; reload to be safe.
    log()->error("segment shard {}: cannot apply changes: {}; reloading",
                 st.options.index, self->system().render(err));
    start_load(self);
    return;
  }
  st.changes += changes.ids.size();
  ++st.seq;
  send_deltas(self, changes);
  if (changes.catch_up && !st.caught_up) {
    st.caught_up = true;
    log()->info("segment shard {}: caught up with {} changes since its load",
                st.options.index, changes.ids.size());
    answer_waiting(self);
  }
}

/// The parsed tree of a question's definition: the asker's, or (from
/// another node) the text parsed here once; null when neither is usable.
std::shared_ptr<const seg::segment_definition>
definition_of(shard_ptr self, const shard_definition& def) {
  if (def.parsed || def.json.empty())
    return def.parsed;
  auto& cache = self->state.parsed;
  if (auto i = cache.find(def.json); i != cache.end())
    return i->second;
  auto made = make_shard_definition(def.json);
  if (!made)
    return nullptr;
  if (cache.size() >= max_parsed)
    cache.clear();
  cache.emplace(def.json, made->parsed);
  return made->parsed;
}

/// The answer from the columns as they are.
caf::expected<shard_answer> evaluate_now(shard_ptr self,
                                         const shard_question& q) {
  auto& st = self->state;
  auto definition = definition_of(self, q.definition);
  if (!definition)
    return storage::make_error(storage::errc::invalid_argument,
                               "no valid segment definition");
  auto found = st.live->evaluate(*definition, q.now, q.max_ids);
  if (!found)
    return found.error();
  shard_answer out;
  out.shard = st.options.index;
  out.count = found->count;
  out.ids = std::move(found->ids);
  out.generation = st.generation;
  out.seq = st.seq;
  return out;
}

caf::result<shard_answer> answer(shard_ptr self, const shard_question& q) {
  auto& st = self->state;
  if (!st.live || (!st.caught_up && st.waiting.size() >= max_waiting))
    return actors::make_error(errc::child_unavailable,
                              "segment shard " +
                                  std::to_string(st.options.index) +
                                  (st.live ? " is catching up" : " is loading"),
                              loading_retry_ms);
  if (!st.caught_up) {
    st.waiting.emplace_back(self->make_response_promise<shard_answer>(), q);
    return st.waiting.back().first;
  }
  auto out = evaluate_now(self, q);
  if (!out)
    return std::move(out.error());
  return std::move(*out);
}

/// Answers the questions held until the catch-up.
void answer_waiting(shard_ptr self) {
  auto waiting = std::move(self->state.waiting);
  self->state.waiting.clear();
  for (auto& [promise, question] : waiting) {
    auto out = evaluate_now(self, question);
    if (out)
      promise.deliver(std::move(*out));
    else
      promise.deliver(std::move(out.error()));
  }
}

shard_status status_of(shard_ptr self) {
  auto& st = self->state;
  shard_status out;
  out.shard = st.options.index;
  out.ready = st.live.has_value();
  if (st.live) {
    out.customers = st.live->size();
    out.orders = st.live->orders();
    out.bytes = st.live->bytes();
    out.overlay = st.live->overlay_size();
  }
  out.changes = st.changes;
  out.caught_up = st.caught_up;
  out.load_ms = st.load_ms;
  out.loads = st.loads;
  return out;
}

customer_shard::behavior_type shard_behavior(shard_ptr self,
                                             shard_options options) {
  self->state.options = std::move(options);
  self->state.next_retry = self->state.options.retry_delay;
  self->attach_functor(
      [cancelled = self->state.cancelled] { cancelled->store(true); });
  start_load(self);
  return {
      [self](shard_eval_atom, const shard_question& q) {
        return answer(self, q);
      },
      [self](shard_status_atom) { return status_of(self); },
      [self](shard_loaded_atom, loaded_columns& columns, std::int64_t ms,
             std::uint64_t generation) {
        auto& st = self->state;
        st.loading = false;
        st.snapshot = columns->snapshot;
        st.live.emplace(std::move(columns));
        st.caught_up = false;
        st.load_ms = ms;
        ++st.loads;
        st.next_retry = st.options.retry_delay;
        st.generation = generation;
        st.seq = 0;
        if (st.options.directory)
          take_definitions(self, st.options.directory->definitions());
        send_hellos(self);
        log()->info("segment shard {}: loaded {} customers and {} orders in "
                    "{} ms ({} bytes)",
                    st.options.index, st.live->size(), st.live->orders(), ms,
                    st.live->bytes());
        request_catch_up(self);
        // At least ten load times apart, so refreshes of a large shard
        // keep PostgreSQL busy a tenth of the time at most.
        if (st.options.refresh_interval.count() > 0)
          self->delayed_send(self,
                             std::max(st.options.refresh_interval,
                                      std::chrono::milliseconds{10 * ms}),
                             shard_load_atom::value);
      },
      [self](shard_loaded_atom, caf::error& err) {
        auto& st = self->state;
        st.loading = false;
        log()->warn("segment shard {}: load failed: {}; trying again in {} ms",
                    st.options.index, self->system().render(err),
                    st.next_retry.count());
        self->delayed_send(self, st.next_retry, shard_load_atom::value);
        st.next_retry = std::min(st.next_retry * 2, st.options.max_retry_delay);
      },
      [self](shard_load_atom) { start_load(self); },
      [self](shard_changes_atom, const shard_changes& changes) {
        apply_changes(self, changes);
      },
      [self](shard_catch_up_atom) { request_catch_up(self); },
      [self](segment_defs_atom, live_definitions_ptr& defs) {
        take_definitions(self, std::move(defs));
      },
  };
}

} // namespace

shared_first_load::shared_first_load(std::uint32_t shards)
    : shards_(shards ? shards : 1), parts_(shards_), taken_(shards_, false) {}

std::optional<caf::expected<engine::customer_columns>>
shared_first_load::take(std::uint32_t index, storage::pg_pool& pool,
                        const std::atomic<bool>& cancelled) {
  std::lock_guard<std::mutex> lock{mutex_};
  if (index >= shards_ || taken_[index])
    return std::nullopt;
  taken_[index] = true;
  if (!ran_) {
    ran_ = true;
    log()->info("segment shards: loading all {} shards in one pass", shards_);
    auto progress = [&cancelled](const load_progress& p) {
      if (cancelled.load())
        throw load_cancelled{};
      if (!p.done)
        log()->info("segment shards: loading, {} customers and {} orders so "
                    "far",
                    p.customers, p.orders);
    };
    auto loaded = pool.run(
        [&](pqxx::connection& conn) {
          return load_all_shards(conn, shards_, progress);
        },
        true);
    if (!loaded)
      error_ = loaded.error();
    else
      for (std::uint32_t i = 0; i < shards_ && i < loaded->size(); ++i)
        parts_[i] = std::move((*loaded)[i]);
  }
  if (error_ || !parts_[index])
    return caf::expected<engine::customer_columns>{
        error_ ? error_
               : storage::make_error(storage::errc::invalid_argument,
                                     "no shared load for this shard")};
  caf::expected<engine::customer_columns> out{std::move(*parts_[index])};
  parts_[index].reset();
  return out;
}

std::string shard_name(std::uint32_t index) {
  return "segs-" + std::to_string(index);
}

customer_shard spawn_customer_shard(caf::actor_system& sys,
                                    shard_options options) {
  return sys.spawn(shard_behavior, std::move(options));
}

} // namespace cdpd::actors::segments
