// The shards and segment actors against the SQL back end on generated data
// (tests/integration/segments/generated_segments.hpp): every generated
// definition the engine evaluates, asked of the region (fan-out to four
// shards, merged count and ids), selects exactly the customers PostgreSQL
// selects; then a hundred of them are saved as segments, random writes
// reach the shards through change capture, and every segment actor ends
// up with exactly the members of SQL and of a fresh full evaluation.
// CDPD_ENGINE_SEED replays a run (data, definitions and writes).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "actors/segments/segment_actor.hpp"
#include "actors/segments/segment_host.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/segments/definition.hpp"
#include "tests/integration/segments/generated_segments.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"
#include "tests/integration/segments_live/random_writer.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;
namespace seg = storage::segments;
namespace gen = generated;
using json = nlohmann::json;
using definition_ptr = std::shared_ptr<const seg::segment_definition>;
using sys_clock = std::chrono::system_clock;
using steady = std::chrono::steady_clock;

constexpr int definition_total = 1000;
constexpr std::size_t saved_total = 100;
constexpr int write_steps = 300;

/// True for the engine's "not evaluated in memory".
bool unsupported_error(const caf::error& err) {
  return err.category() == caf::atom("storage") &&
         err.code() ==
             static_cast<std::uint8_t>(storage::errc::invalid_argument);
}

/// "n ids, e.g. a, b, c" for a failure message.
std::string some_ids(const std::vector<std::string>& ids) {
  std::ostringstream out;
  out << ids.size() << (ids.empty() ? "" : ", e.g.");
  for (std::size_t i = 0; i < ids.size() && i < 3; ++i)
    out << " " << ids[i];
  return out.str();
}

/// Which ids only `a` and only `b` hold (both sorted), for a failure.
std::string id_difference(const std::vector<std::string>& a,
                          const std::string& a_name,
                          const std::vector<std::string>& b,
                          const std::string& b_name) {
  std::vector<std::string> only_a, only_b;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(),
                      std::back_inserter(only_a));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(),
                      std::back_inserter(only_b));
  return "only " + a_name + ": " + some_ids(only_a) + "; only " + b_name +
         ": " + some_ids(only_b);
}

/// What a segment actor holds, as the host answers for it.
struct actor_members {
  bool ready = false;
  std::uint64_t count = 0;
  std::vector<std::string> ids;
};

/// One generated definition that parsed.
struct generated_case {
  int index = 0; ///< its position in the generated sequence
  json definition;
  definition_ptr parsed;
};

/// A saved segment of the second part.
struct saved_case {
  std::string id;   ///< the segment's id
  std::string text; ///< its definition as stored
  definition_ptr parsed;
  bool on_time = false; ///< live::depends_on_time
  bool drifted = false; ///< differed from SQL only by time passing
  gen::sql_answer sql;  ///< at sql_now
  sys_clock::time_point sql_now;
};

class shard_differential_test : public shard_tree_fixture {
protected:
  void SetUp() override {
    started_ = steady::now();
    seed_ = gen::seed();
    db_ = std::make_unique<pg_test_db>();
    {
      pqxx::connection conn{db_->conninfo()};
      auto migrated = storage::migrate(conn, storage::embedded_migrations());
      ASSERT_TRUE(migrated) << storage::describe(migrated.error());
      // The engine test's sequence: data first, then the definitions from
      // the same generator, so a seed names the same cases in both.
      gen::generator g{seed_};
      auto data = gen::fill(conn, g);
      gen::definition_maker maker{g, data};
      auto total = gen::definition_count(definition_total);
      for (int i = 0; i < total; ++i) {
        auto definition = maker.definition();
        auto parsed = seg::parse_definition(definition);
        if (!parsed.ok()) {
          ++invalid_;
          continue;
        }
        cases_.push_back({i, std::move(definition),
                          std::make_shared<const seg::segment_definition>(
                              std::move(*parsed.definition))});
      }
    }
    shard_tree_fixture::SetUp();
  }

  void TearDown() override {
    shard_tree_fixture::TearDown();
    db_.reset();
  }

  std::string database_url() const override { return db_->url(); }

  // No scheduled evaluation: every change of a membership during the test
  // comes from the shards' deltas (time passing is allowed for below).
  void adjust(live::shard_tree_options& options) override {
    options.reevaluate_interval = 0ms;
    options.segment_poll_interval = 200ms;
  }

  caf::actor host() {
    return caf::actor_cast<caf::actor>(
        sys->registry().get(caf::atom_from_string(live::host_name())));
  }

  /// The host's answer for segment `id`; nothing when it does not answer.
  std::optional<actor_members> members_of(const std::string& id) {
    std::optional<actor_members> out;
    caf::scoped_actor self{*sys};
    self->request(host(), 10s, live::segment_ids_atom::value, id,
                  static_cast<std::uint64_t>(live::all_ids))
        .receive(
            [&](bool ready, std::uint64_t count,
                std::vector<std::string>& ids) {
              out = actor_members{ready, count, std::move(ids)};
            },
            [](caf::error&) {});
    return out;
  }

  /// Saves every definition of `chosen` as a segment and reads them back
  /// as stored (jsonb), so SQL and the actors see the same text.
  std::vector<saved_case>
  save(const std::vector<const generated_case*>& chosen) {
    pqxx::connection conn{db_->conninfo()};
    pqxx::work tx{conn};
    for (std::size_t k = 0; k < chosen.size(); ++k)
      tx.exec_params0("INSERT INTO segments (name, definition) VALUES ($1, "
                      "$2::jsonb)",
                      "generated " + std::to_string(chosen[k]->index),
                      chosen[k]->definition.dump());
    std::vector<saved_case> out;
    for (const auto& r : tx.exec("SELECT id::text, definition::text FROM "
                                 "segments ORDER BY name")) {
      saved_case s;
      s.id = r[0].as<std::string>();
      s.text = r[1].as<std::string>();
      s.parsed = definition_of(s.text);
      s.on_time = live::depends_on_time(*s.parsed);
      out.push_back(std::move(s));
    }
    tx.commit();
    return out;
  }

  /// Answers `targets` of `saved` from SQL at one new `now`.
  void refresh_sql(std::vector<saved_case>& saved,
                   const std::vector<std::size_t>& targets) {
    std::vector<gen::sql_question> questions;
    for (auto k : targets)
      questions.push_back({saved[k].parsed.get(), false});
    auto now = sys_clock::now();
    auto answers = gen::sql_answers(db_->conninfo(), questions, now);
    for (std::size_t j = 0; j < targets.size(); ++j) {
      saved[targets[j]].sql = std::move(answers[j]);
      saved[targets[j]].sql_now = now;
    }
  }

  /// When segment `id`'s actor last finished a full evaluation; nothing
  /// when the host does not say.
  std::optional<sys_clock::time_point> evaluated_at(const std::string& id) {
    std::optional<sys_clock::time_point> out;
    caf::scoped_actor self{*sys};
    self->request(host(), 10s, live::segment_count_atom::value, id)
        .receive(
            [&](bool ready, std::uint64_t, std::int64_t, std::int64_t at) {
              if (ready && at > 0)
                out = sys_clock::time_point{std::chrono::microseconds{at}};
            },
            [](caf::error&) {});
    return out;
  }

  /// True when the actor of time-dependent segment `s` differs from SQL
  /// only in customers whose membership changes between shortly before
  /// its full evaluation and s.sql_now. Its members were evaluated at
  /// different times (the full evaluation, then each delta at its write),
  /// so a cut-off the clock passed meanwhile is no error; the region's
  /// answer at s.sql_now must still be exact.
  bool drift_only(const saved_case& s, const actor_members& got) {
    auto at = evaluated_at(s.id);
    if (!s.on_time || !at || got.count != got.ids.size())
      return false;
    // The evaluation started before it finished: a margin covers that.
    auto before = sql_answer(db_->conninfo(), *s.parsed, *at - 5s);
    std::vector<std::string> drifting, off;
    std::set_symmetric_difference(before.ids.begin(), before.ids.end(),
                                  s.sql.ids.begin(), s.sql.ids.end(),
                                  std::back_inserter(drifting));
    std::set_symmetric_difference(got.ids.begin(), got.ids.end(),
                                  s.sql.ids.begin(), s.sql.ids.end(),
                                  std::back_inserter(off));
    return std::includes(drifting.begin(), drifting.end(), off.begin(),
                         off.end());
  }

  /// How segment `s`'s actor differs from its SQL answer, or a full
  /// evaluation through the region at the same time does; empty when
  /// neither does. Sets s.drifted when the actor differs by time only.
  std::string difference(saved_case& s) {
    s.drifted = false;
    if (!s.sql.error.empty())
      return "SQL failed: " + s.sql.error;
    auto got = members_of(s.id);
    if (!got)
      return "no answer from the segment host";
    if (!got->ready)
      return "the segment actor is not ready";
    auto fresh = ask(*region, s.parsed, s.sql_now, live::all_ids);
    if (!fresh)
      return "no full evaluation: " + sys->render(fresh.error());
    std::ostringstream out;
    if (got->ids != s.sql.ids || got->count != s.sql.ids.size()) {
      if (drift_only(s, *got))
        s.drifted = true;
      else
        out << "actor count " << got->count << ", SQL " << s.sql.ids.size()
            << " (" << id_difference(got->ids, "actor", s.sql.ids, "SQL")
            << ") ";
    }
    if (fresh->ids != s.sql.ids || fresh->count != s.sql.ids.size())
      out << "full evaluation count " << fresh->count << ", SQL "
          << s.sql.ids.size() << " ("
          << id_difference(fresh->ids, "region", s.sql.ids, "SQL") << ")";
    return out.str();
  }

  steady::time_point started_; ///< SetUp began: data, load and checks
  std::uint64_t seed_ = 0;
  std::unique_ptr<pg_test_db> db_;
  std::vector<generated_case> cases_;
  int invalid_ = 0;
};

TEST_F(shard_differential_test, shards_and_segment_actors_equal_sql) {
  SCOPED_TRACE("seed " + std::to_string(seed_) +
               " (rerun with CDPD_ENGINE_SEED=" + std::to_string(seed_) + ")");
  auto ms_since = [](steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() -
                                                                 t)
        .count();
  };

  // Part 1: every definition through the region at the data's fixed now.
  sys_clock::time_point now{gen::now_ts()};
  std::vector<gen::sql_question> questions;
  for (std::size_t k = 0; k < cases_.size(); ++k)
    questions.push_back({cases_[k].parsed.get(), cases_[k].index % 10 == 0});
  // PostgreSQL takes far longer than the shards: its answers come in the
  // background over four connections while the region answers.
  auto sql_future = std::async(std::launch::async, [&] {
    return gen::sql_answers(db_->conninfo(), questions, now);
  });
  std::vector<std::optional<live::region_answer>> answers(cases_.size());
  int unsupported = 0;
  for (std::size_t k = 0; k < cases_.size(); ++k) {
    auto a = ask(*region, cases_[k].parsed, now, live::all_ids);
    if (a) {
      answers[k] = std::move(*a);
      continue;
    }
    if (unsupported_error(a.error())) {
      ++unsupported;
      continue;
    }
    ADD_FAILURE() << "definition #" << cases_[k].index << " (seed " << seed_
                  << "): " << cases_[k].definition.dump()
                  << "\n  region failed: " << sys->render(a.error());
  }
  auto sql = sql_future.get();
  int checked = 0, nonempty = 0, mismatches = 0;
  std::vector<const generated_case*> supported;
  for (std::size_t k = 0; k < cases_.size(); ++k) {
    if (!answers[k])
      continue;
    const auto& c = cases_[k];
    const auto& mem = *answers[k];
    const auto& ref = sql[k];
    ASSERT_TRUE(ref.error.empty()) << c.definition.dump() << ": " << ref.error;
    ++checked;
    supported.push_back(&c);
    if (!mem.ids.empty())
      ++nonempty;
    bool ok =
        mem.ids == ref.ids && mem.count == ref.ids.size() &&
        (ref.count < 0 || mem.count == static_cast<std::uint64_t>(ref.count));
    if (ok)
      continue;
    if (++mismatches <= 5)
      ADD_FAILURE() << "definition #" << c.index << " (seed " << seed_
                    << "): " << c.definition.dump() << "\n  region count "
                    << mem.count << ", SQL " << ref.ids.size() << " (count "
                    << ref.count << "); "
                    << id_difference(mem.ids, "region", ref.ids, "SQL");
  }
  std::cout << "[shard differential] seed " << seed_ << ": " << checked
            << " definitions checked through " << shards << " shards ("
            << nonempty << " non-empty), " << unsupported << " unsupported, "
            << invalid_ << " rejected by the parser, " << mismatches
            << " mismatches; " << ms_since(started_) << " ms so far\n";
  EXPECT_EQ(mismatches, 0);
  auto total = gen::definition_count(definition_total);
  EXPECT_GE(checked, std::min(total, 1000) * 9 / 10);
  EXPECT_LE(unsupported * 100, (checked + unsupported) * 2)
      << "more than 2% of the definitions were not evaluated in memory";
  if (HasFailure() || supported.empty())
    return;

  // Part 2: a spread of the supported definitions as saved segments.
  auto part2 = steady::now();
  std::vector<const generated_case*> chosen;
  auto stride = std::max<std::size_t>(supported.size() / saved_total, 1);
  for (std::size_t k = 0; k < supported.size() && chosen.size() < saved_total;
       k += stride)
    chosen.push_back(supported[k]);
  auto saved = save(chosen);
  ASSERT_EQ(saved.size(), chosen.size());
  int on_time = 0;
  for (const auto& s : saved)
    on_time += s.on_time ? 1 : 0;
  // Every actor evaluates in full once it exists; the host gives no event
  // for it, so its answers are the condition.
  auto deadline = steady::now() + 30s;
  for (const auto& s : saved) {
    for (;;) {
      auto got = members_of(s.id);
      if (got && got->ready)
        break;
      ASSERT_LT(steady::now(), deadline)
          << "segment " << s.id << " not ready: " << s.text;
    }
  }

  random_writer writer{static_cast<std::uint32_t>(seed_), "shard-diff",
                       db_->conninfo()};
  std::vector<std::string> done;
  for (int i = 0; i < write_steps; ++i) {
    done.push_back(writer.step());
    ASSERT_FALSE(HasFailure()) << "write " << i << ": " << done.back();
  }

  // Wait until every actor and the region agree with SQL. A definition
  // that does not depend on time has one SQL answer after the writes; one
  // that does is asked again with a new now while it still differs.
  std::vector<std::size_t> pending(saved.size());
  for (std::size_t k = 0; k < saved.size(); ++k)
    pending[k] = k;
  refresh_sql(saved, pending);
  deadline = steady::now() + 60s;
  std::vector<std::string> differences(saved.size());
  int rounds = 0;
  for (;;) {
    ++rounds;
    std::vector<std::size_t> still, again;
    for (auto k : pending) {
      differences[k] = difference(saved[k]);
      if (differences[k].empty())
        continue;
      still.push_back(k);
      if (saved[k].on_time)
        again.push_back(k);
    }
    pending = std::move(still);
    if (pending.empty() || steady::now() > deadline)
      break;
    if (!again.empty())
      refresh_sql(saved, again);
  }
  int actor_mismatches = 0, actor_nonempty = 0, drifted = 0;
  for (const auto& s : saved) {
    actor_nonempty += s.sql.ids.empty() ? 0 : 1;
    drifted += s.drifted ? 1 : 0;
  }
  for (auto k : pending) {
    if (++actor_mismatches <= 5)
      ADD_FAILURE() << "segment " << saved[k].id << " (seed " << seed_
                    << "): " << saved[k].text << "\n  after " << write_steps
                    << " writes (the last: " << done.back()
                    << "): " << differences[k];
  }
  std::cout << "[shard differential] seed " << seed_ << ": " << saved.size()
            << " saved segments (" << actor_nonempty << " non-empty, "
            << on_time << " depending on time, " << drifted
            << " of them off by time passing only) checked after "
            << write_steps << " writes in " << rounds << " rounds, "
            << actor_mismatches << " mismatches; part 2 " << ms_since(part2)
            << " ms, total " << ms_since(started_) << " ms\n";
  EXPECT_EQ(actor_mismatches, 0);
}

} // namespace
} // namespace cdpd::test
