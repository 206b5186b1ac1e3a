// A segment actor: the members of one saved segment, per shard, as sorted
// 16-byte ids. A full evaluation asks every shard; afterwards each shard's
// deltas keep its part current. Every part remembers the shard generation
// and change sequence number it reflects, so deltas that overtake or trail
// an answer are applied exactly when they are newer.
#include "actors/segments/segment_actor.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include <caf/all.hpp>

#include "actors/log.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"
#include "storage/errc.hpp"
#include "storage/segments/values.hpp"

namespace cdpd::actors::segments {

namespace {

namespace seg = storage::segments;
using member_list = std::vector<member_id>;

/// A delta buffered while its shard's answer is outstanding is dropped
/// beyond this many (the answer then gets asked for again).
constexpr std::size_t max_buffered = 10'000;

/// Beyond the barrier's own bound: the shards' status answers.
constexpr std::chrono::seconds write_sync_slack{15};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool group_depends_on_time(const seg::group& g) {
  for (const auto& n : g.criteria) {
    if (const auto* c = std::get_if<seg::condition>(&n.item)) {
      if (seg::type_of(c->field) == seg::field_type::date ||
          c->field == seg::field::days_since_last_order)
        return true;
    } else if (const auto* e = std::get_if<seg::event_condition>(&n.item)) {
      if (e->within_last_days)
        return true;
    } else if (group_depends_on_time(std::get<seg::group>(n.item))) {
      return true;
    }
  }
  return false;
}

/// Sorted ids from sorted UUID texts (texts that are not UUIDs are left
/// out; shards only hold UUIDs).
member_list members_of(const std::vector<std::string>& texts) {
  member_list out;
  out.reserve(texts.size());
  for (const auto& t : texts)
    if (auto id = member_id_of(t))
      out.push_back(*id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

/// One shard's share of the members.
struct shard_part {
  bool have = false;        ///< answered at least once
  bool asking = false;      ///< a question is outstanding
  std::uint64_t ticket = 0; ///< of the latest question
  std::uint64_t generation = 0;
  std::uint64_t seq = 0;
  member_list ids;
  std::vector<segment_delta> buffered; ///< arrived while asking
};

struct segment_state {
  segment_options options;
  bool relative = false;
  bool ready = false;       ///< every shard answered once
  bool unsupported = false; ///< the engine does not evaluate the definition
  std::vector<shard_part> parts;
  /// Shards whose answer the running full evaluation still waits for.
  std::vector<bool> round;
  std::size_t round_left = 0;
  std::int64_t updated_at = 0;
  std::int64_t last_evaluated_at = 0;
  std::uint64_t entered = 0;
  std::uint64_t exited = 0;
  static inline const char* name = "segment";
};

using segment_ptr = segment_actor::stateful_pointer<segment_state>;

std::uint64_t count_of(const segment_state& st) {
  std::uint64_t n = 0;
  for (const auto& p : st.parts)
    n += p.ids.size();
  return n;
}

/// The first `limit` members greater than `after` (all when null), in id
/// order: every part is sorted, so they are merged from the cursor on.
std::vector<std::string> members_after(const segment_state& st,
                                       const member_id* after,
                                       std::uint64_t limit) {
  struct cursor {
    member_list::const_iterator at;
    member_list::const_iterator end;
  };
  std::vector<cursor> parts;
  std::uint64_t left = 0;
  for (const auto& p : st.parts) {
    auto from = after ? std::upper_bound(p.ids.begin(), p.ids.end(), *after)
                      : p.ids.begin();
    if (from != p.ids.end())
      parts.push_back({from, p.ids.end()});
    left += static_cast<std::uint64_t>(p.ids.end() - from);
  }
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(std::min(left, limit)));
  while (ids.size() < limit) {
    cursor* best = nullptr;
    for (auto& c : parts)
      if (c.at != c.end && (!best || *c.at < *best->at))
        best = &c;
    if (!best)
      break;
    ids.push_back(text_of(*best->at));
    ++best->at;
  }
  return ids;
}

void ask(segment_ptr self, std::uint32_t shard);

void finish_round_part(segment_ptr self, std::uint32_t shard) {
  auto& st = self->state;
  if (!st.round[shard])
    return;
  st.round[shard] = false;
  if (--st.round_left > 0)
    return;
  st.last_evaluated_at = now_us();
  if (!st.ready) {
    st.ready = true;
    if (st.updated_at == 0)
      st.updated_at = st.last_evaluated_at;
  }
  if (st.relative && st.options.reevaluate_interval.count() > 0)
    self->delayed_send(self, st.options.reevaluate_interval,
                       segment_full_atom::value);
}

void full_evaluation(segment_ptr self) {
  auto& st = self->state;
  if (st.unsupported)
    return;
  st.round_left = st.parts.size();
  std::fill(st.round.begin(), st.round.end(), true);
  for (std::uint32_t i = 0; i < st.parts.size(); ++i)
    ask(self, i);
}

/// Removes the changed ids from a part and adds the members among them.
void apply(segment_ptr self, shard_part& part, const segment_delta& d) {
  auto& st = self->state;
  auto changed = members_of(d.changed);
  auto members = members_of(d.members);
  std::uint64_t entered = 0;
  std::uint64_t exited = 0;
  for (const auto& id : changed) {
    bool was = std::binary_search(part.ids.begin(), part.ids.end(), id);
    bool is = std::binary_search(members.begin(), members.end(), id);
    entered += !was && is;
    exited += was && !is;
  }
  part.seq = d.seq;
  if (entered + exited == 0)
    return;
  member_list kept;
  kept.reserve(part.ids.size() + members.size());
  std::set_difference(part.ids.begin(), part.ids.end(), changed.begin(),
                      changed.end(), std::back_inserter(kept));
  member_list next;
  next.reserve(kept.size() + members.size());
  std::merge(kept.begin(), kept.end(), members.begin(), members.end(),
             std::back_inserter(next));
  part.ids = std::move(next);
  st.entered += entered;
  st.exited += exited;
  st.updated_at = now_us();
}

void on_delta(segment_ptr self, segment_delta d) {
  auto& st = self->state;
  if (d.shard >= st.parts.size() || st.unsupported)
    return;
  auto& part = st.parts[d.shard];
  if (part.asking || !part.have) {
    if (part.buffered.size() < max_buffered) {
      part.buffered.push_back(std::move(d));
    } else {
      part.buffered.clear();
      ask(self, d.shard);
    }
    return;
  }
  if (d.generation < part.generation)
    return; // from columns this part has already been answered past
  bool newer_columns = d.generation > part.generation;
  bool gap =
      !newer_columns && (d.hello ? d.seq > part.seq : d.seq > part.seq + 1);
  if (newer_columns || gap) {
    auto shard = d.shard;
    ask(self, shard);
    self->state.parts[shard].buffered.push_back(std::move(d));
    return;
  }
  if (d.hello || d.seq <= part.seq)
    return;
  apply(self, part, d);
}

void on_answer(segment_ptr self, std::uint32_t shard, shard_answer& a) {
  auto& st = self->state;
  auto& part = st.parts[shard];
  auto next = members_of(a.ids);
  if (part.have) {
    std::vector<member_id> diff;
    std::set_difference(next.begin(), next.end(), part.ids.begin(),
                        part.ids.end(), std::back_inserter(diff));
    auto entered = diff.size();
    diff.clear();
    std::set_difference(part.ids.begin(), part.ids.end(), next.begin(),
                        next.end(), std::back_inserter(diff));
    auto exited = diff.size();
    st.entered += entered;
    st.exited += exited;
    if (entered + exited > 0)
      st.updated_at = now_us();
  } else if (!next.empty()) {
    st.updated_at = now_us();
  }
  part.ids = std::move(next);
  part.have = true;
  part.asking = false;
  part.generation = a.generation;
  part.seq = a.seq;
  auto buffered = std::move(part.buffered);
  part.buffered.clear();
  std::sort(buffered.begin(), buffered.end(),
            [](const segment_delta& x, const segment_delta& y) {
              return std::tie(x.generation, x.seq, x.hello) <
                     std::tie(y.generation, y.seq, y.hello);
            });
  finish_round_part(self, shard);
  for (auto& d : buffered)
    on_delta(self, std::move(d));
}

void ask(segment_ptr self, std::uint32_t shard) {
  auto& st = self->state;
  auto& part = st.parts[shard];
  part.asking = true;
  auto ticket = ++part.ticket;
  auto target = caf::actor_cast<customer_shard>(
      self->system().registry().get(caf::atom_from_string(shard_name(shard))));
  if (!target) {
    self->delayed_send(self, st.options.retry_delay, segment_ask_atom::value,
                       shard, ticket);
    return;
  }
  shard_question q{{st.options.definition_json, st.options.definition},
                   std::chrono::system_clock::now(),
                   all_ids};
  self->request(target, st.options.ask_timeout, shard_eval_atom::value, q)
      .then(
          [self, shard, ticket](shard_answer& a) {
            if (self->state.parts[shard].ticket != ticket)
              return;
            on_answer(self, shard, a);
          },
          [self, shard, ticket](caf::error& err) {
            auto& st = self->state;
            if (st.parts[shard].ticket != ticket)
              return;
            if (err.category() == caf::atom("storage") &&
                err.code() == static_cast<std::uint8_t>(
                                  storage::errc::invalid_argument)) {
              // Not a passing state: the definition stays unanswerable
              // from memory; the routes ask PostgreSQL.
              if (!st.unsupported)
                log()->info("segment {}: not evaluated in memory: {}",
                            st.options.id, self->system().render(err));
              st.unsupported = true;
              return;
            }
            self->delayed_send(self, st.options.retry_delay,
                               segment_ask_atom::value, shard, ticket);
          });
}

using ids_result = caf::result<bool, std::uint64_t, std::vector<std::string>>;
using ids_answer = std::tuple<bool, std::uint64_t, std::vector<std::string>>;
using count_answer =
    std::tuple<bool, std::uint64_t, std::int64_t, std::int64_t>;

/// Answers with `answer()` once every write committed before the question
/// has reached the members (the listener read it, the shards applied it
/// and their deltas are in this mailbox, ahead of the sync's reply); at
/// once without a barrier. Fails like spawn_write_sync.
template <class... Ts, class Answer>
caf::result<Ts...> after_writes(segment_ptr self, Answer answer) {
  auto& st = self->state;
  if (!st.options.barrier.on())
    return std::apply([](auto&&... xs) { return caf::result<Ts...>{xs...}; },
                      answer());
  auto promise = self->make_response_promise<Ts...>();
  auto sync =
      spawn_write_sync(self->system(), st.options.barrier, st.options.shards);
  self->request(sync, st.options.barrier.timeout + write_sync_slack,
                read_barrier_atom::value)
      .then(
          [promise, answer]() mutable {
            std::apply([&](auto&&... xs) { promise.deliver(xs...); }, answer());
          },
          [promise](caf::error& err) mutable {
            promise.deliver(std::move(err));
          });
  return promise;
}

segment_actor::behavior_type segment_behavior(segment_ptr self,
                                              segment_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  st.options.shards = std::max<std::uint32_t>(st.options.shards, 1);
  st.relative =
      st.options.definition && depends_on_time(*st.options.definition);
  st.parts.resize(st.options.shards);
  st.round.assign(st.options.shards, false);
  if (!st.options.definition)
    st.unsupported = true;
  full_evaluation(self);
  return {
      [self](segment_delta_atom, segment_delta& d) {
        on_delta(self, std::move(d));
      },
      [self](segment_count_atom)
          -> caf::result<bool, std::uint64_t, std::int64_t, std::int64_t> {
        return after_writes<bool, std::uint64_t, std::int64_t, std::int64_t>(
            self, [self]() -> count_answer {
              auto& st = self->state;
              bool ready = st.ready && !st.unsupported;
              return {ready, ready ? count_of(st) : std::uint64_t{0},
                      ready ? st.updated_at : std::int64_t{0},
                      ready ? st.last_evaluated_at : std::int64_t{0}};
            });
      },
      [self](segment_ids_atom, std::uint64_t limit) -> ids_result {
        return after_writes<bool, std::uint64_t, std::vector<std::string>>(
            self, [self, limit]() -> ids_answer {
              auto& st = self->state;
              if (!st.ready || st.unsupported)
                return {false, std::uint64_t{0}, std::vector<std::string>{}};
              return {true, count_of(st), members_after(st, nullptr, limit)};
            });
      },
      [self](segment_ids_atom, const std::string& after,
             std::uint64_t limit) -> ids_result {
        std::optional<member_id> cursor;
        if (!after.empty()) {
          cursor = member_id_of(after);
          if (!cursor)
            return caf::make_error(caf::sec::invalid_argument,
                                   "segment ids: the cursor is not a UUID");
        }
        return after_writes<bool, std::uint64_t, std::vector<std::string>>(
            self, [self, cursor, limit]() -> ids_answer {
              auto& st = self->state;
              if (!st.ready || st.unsupported)
                return {false, std::uint64_t{0}, std::vector<std::string>{}};
              return {true, count_of(st),
                      members_after(st, cursor ? &*cursor : nullptr, limit)};
            });
      },
      [self](segment_full_atom) { full_evaluation(self); },
      [self](segment_ask_atom, std::uint32_t shard, std::uint64_t ticket) {
        auto& st = self->state;
        if (shard < st.parts.size() && st.parts[shard].ticket == ticket &&
            st.parts[shard].asking)
          ask(self, shard);
      },
  };
}

} // namespace

std::optional<member_id> member_id_of(std::string_view text) {
  if (!seg::is_uuid(text))
    return std::nullopt;
  member_id out{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    if (text[i] == '-')
      ++i;
    std::from_chars(text.data() + i, text.data() + i + 2, out[n++], 16);
  }
  return out;
}

std::string text_of(const member_id& id) {
  static constexpr char digits[] = "0123456789abcdef";
  // Filled in place: exports call this once per member.
  char out[36];
  std::size_t at = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[at++] = '-';
    out[at++] = digits[id[i] >> 4];
    out[at++] = digits[id[i] & 0x0f];
  }
  return std::string(out, sizeof out);
}

bool depends_on_time(const storage::segments::segment_definition& def) {
  return group_depends_on_time(def.root);
}

segment_actor spawn_segment_actor(caf::actor_system& sys,
                                  segment_options options) {
  return sys.spawn(segment_behavior, std::move(options));
}

} // namespace cdpd::actors::segments
