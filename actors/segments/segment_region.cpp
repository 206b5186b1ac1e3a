#include "actors/segments/segment_region.hpp"

#include <algorithm>
#include <limits>
#include <queue>
#include <utility>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "actors/ask.hpp"
#include "actors/segments/customer_shard.hpp"
#include "actors/segments/engine/shard_hash.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"

namespace cdpd::actors::segments {

namespace {

/// Collects one answer per shard in a short-lived actor.
struct gather_state {
  std::uint32_t remaining = 0;
  bool finished = false;
  std::uint64_t count = 0;
  std::vector<std::vector<std::string>> parts;
  static inline const char* name = "segment-gather";
};

using gather_ptr = caf::stateful_actor<gather_state>*;

void finish(gather_ptr self, const region_callback& done,
            caf::expected<region_answer> out) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  done(std::move(out));
  self->quit();
}

void ask_shards(gather_ptr self, const std::vector<customer_shard>& targets,
                const shard_question& question, std::size_t max_ids,
                const region_callback& done,
                std::chrono::milliseconds timeout) {
  auto& st = self->state;
  st.remaining = static_cast<std::uint32_t>(targets.size());
  st.parts.resize(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    self->request(targets[i], timeout, shard_eval_atom::value, question)
        .then(
            [self, i, max_ids, done](shard_answer& a) {
              auto& st = self->state;
              if (st.finished)
                return;
              st.count += a.count;
              st.parts[i] = std::move(a.ids);
              if (--st.remaining > 0)
                return;
              region_answer out;
              out.count = st.count;
              out.ids = merge_sorted(std::move(st.parts), max_ids);
              finish(self, done, std::move(out));
            },
            [self, done](caf::error& err) {
              finish(self, done, std::move(err));
            });
  }
}

} // namespace

segment_region::segment_region(caf::actor_system& sys, std::uint32_t shards,
                               read_barrier barrier,
                               std::chrono::milliseconds timeout)
    : sys_(&sys), shards_(std::clamp<std::uint32_t>(shards, 1, 100'000)),
      barrier_(std::move(barrier)), timeout_(timeout) {}

std::uint32_t segment_region::shard_for(const std::string& customer_id) const {
  return engine::shard_of(customer_id, shards_);
}

customer_shard segment_region::shard(std::uint32_t index) const {
  return caf::actor_cast<customer_shard>(
      sys_->registry().get(caf::atom_from_string(shard_name(index))));
}

void segment_region::evaluate(shard_definition definition,
                              std::chrono::system_clock::time_point now,
                              std::size_t max_ids, region_callback done) const {
  std::vector<customer_shard> targets;
  targets.reserve(shards_);
  for (std::uint32_t i = 0; i < shards_; ++i) {
    auto target = shard(i);
    if (!target) {
      done(caf::make_error(caf::sec::request_receiver_down,
                           "segment shard " + std::to_string(i) +
                               " is not running"));
      return;
    }
    targets.push_back(std::move(target));
  }
  shard_question question{std::move(definition), now, max_ids};
  auto sync =
      barrier_.on() ? spawn_write_sync(*sys_, barrier_, 0) : caf::actor{};
  sys_->spawn([targets = std::move(targets), question, max_ids,
               done = std::move(done), timeout = timeout_,
               sync](gather_ptr self) {
    if (!sync)
      return ask_shards(self, targets, question, max_ids, done, timeout);
    // The sync actor bounds the barrier itself; this bound only guards
    // against its loss.
    self->request(sync, timeout, read_barrier_atom::value)
        .then(
            [=] {
              ask_shards(self, targets, question, max_ids, done, timeout);
            },
            [=](caf::error& err) { finish(self, done, std::move(err)); });
  });
}

namespace {

/// How long the SQL answer may take to arrive (PostgreSQL's statement
/// timeout bounds the query itself).
constexpr auto sql_answer_timeout = std::chrono::seconds{60};

/// True for the engine's "not evaluated in memory": PostgreSQL answers.
bool needs_sql(const caf::error& err) {
  return err == storage::errc::invalid_argument;
}

/// The SQL back end's answer: the count and the first `max_ids` member ids
/// in id order (the in-memory order).
db_job<region_answer>
sql_answer(std::shared_ptr<const storage::segments::segment_definition> def,
           std::chrono::system_clock::time_point now, std::size_t max_ids) {
  namespace seg = storage::segments;
  return [def, now,
          max_ids](storage::pg_pool& pool) -> caf::expected<caf::message> {
    auto answer = pool.run(
        [&](pqxx::connection& conn) -> caf::expected<region_answer> {
          auto count = seg::count_members(conn, *def, now);
          if (!count)
            return count.error();
          seg::page all{std::numeric_limits<std::int64_t>::max(), 0};
          auto ids = seg::member_ids(conn, *def, now, all);
          if (!ids)
            return ids.error();
          std::sort(ids->begin(), ids->end());
          if (ids->size() > max_ids)
            ids->resize(max_ids);
          region_answer out;
          out.count = static_cast<std::uint64_t>(*count);
          out.ids = std::move(*ids);
          return out;
        },
        true);
    if (!answer)
      return answer.error();
    return caf::make_message(std::move(*answer));
  };
}

} // namespace

void segment_region::answer(shard_definition definition,
                            std::chrono::system_clock::time_point now,
                            std::size_t max_ids, region_callback done) const {
  auto def = definition.parsed;
  if (!def)
    if (auto made = make_shard_definition(definition.json))
      def = made->parsed;
  auto* sys = sys_;
  evaluate(std::move(definition), now, max_ids,
           [sys, def, now, max_ids,
            done](caf::expected<region_answer> answer) mutable {
             if (answer || !needs_sql(answer.error()) || !def)
               return done(std::move(answer));
             auto reader =
                 caf::actor_cast<db_actor>(sys->registry().get(db_read_key));
             if (!reader)
               return done(caf::make_error(caf::sec::request_receiver_down,
                                           "pg-read is not running"));
             ask(
                 *sys, reader, sql_answer_timeout,
                 [done](db_result& result) {
                   done(db_value<region_answer>(result));
                 },
                 [done](caf::error& err) { done(std::move(err)); },
                 db_job_atom::value, sql_answer(def, now, max_ids).work);
           });
}

std::optional<shard_definition> make_shard_definition(std::string json) {
  auto parsed = storage::segments::parse_definition(
      nlohmann::json::parse(json, nullptr, false));
  if (!parsed.ok())
    return std::nullopt;
  return shard_definition{
      std::move(json),
      std::make_shared<const storage::segments::segment_definition>(
          std::move(*parsed.definition))};
}

std::vector<std::string>
merge_sorted(std::vector<std::vector<std::string>> parts, std::size_t max_ids) {
  std::size_t total = 0;
  for (const auto& p : parts)
    total += p.size();
  std::vector<std::string> out;
  out.reserve(std::min(total, max_ids));
  // (part, position) pairs, smallest current id on top.
  using cursor = std::pair<std::size_t, std::size_t>;
  auto later = [&parts](const cursor& a, const cursor& b) {
    return parts[a.first][a.second] > parts[b.first][b.second];
  };
  std::priority_queue<cursor, std::vector<cursor>, decltype(later)> heap{later};
  for (std::size_t i = 0; i < parts.size(); ++i)
    if (!parts[i].empty())
      heap.emplace(i, 0);
  while (!heap.empty() && out.size() < max_ids) {
    auto [part, pos] = heap.top();
    heap.pop();
    out.push_back(std::move(parts[part][pos]));
    if (pos + 1 < parts[part].size())
      heap.emplace(part, pos + 1);
  }
  return out;
}

} // namespace cdpd::actors::segments
