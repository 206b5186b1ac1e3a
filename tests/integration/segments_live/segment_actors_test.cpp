// Segment actors against SQL: every saved segment's actor holds exactly the
// members PostgreSQL finds (and a fresh full evaluation over the shards
// finds) after a seeded random sequence of writes with a shard killed in
// the middle; segments created, edited and deleted through SQL are
// followed; relative-time segments are evaluated again on their schedule.
// Set CDPD_TEST_SEED to replay a sequence.

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_actor.hpp"
#include "actors/segments/segment_host.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"
#include "tests/integration/segments_live/random_writer.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;

/// What a segment actor answers to (segment_ids_atom, ...).
struct actor_members {
  bool ready = false;
  std::uint64_t count = 0;
  std::vector<std::string> ids;
};

/// Asks `target` (the host with an id, or a segment actor) for every
/// member; nothing when it does not answer.
template <class Target, class... Ts>
std::optional<actor_members> members_from(caf::actor_system& sys,
                                          const Target& target, Ts&&... xs) {
  std::optional<actor_members> out;
  caf::scoped_actor self{sys};
  self->request(target, 10s, live::segment_ids_atom::value,
                std::forward<Ts>(xs)...)
      .receive(
          [&](bool ready, std::uint64_t count, std::vector<std::string>& ids) {
            out = actor_members{ready, count, std::move(ids)};
          },
          [](caf::error&) {});
  return out;
}

/// (ready, count, updated_at, last_evaluated_at) of a segment actor.
using count_reply = std::tuple<bool, std::uint64_t, std::int64_t, std::int64_t>;

std::optional<count_reply> count_from(caf::actor_system& sys,
                                      const live::segment_actor& target) {
  std::optional<count_reply> out;
  caf::scoped_actor self{sys};
  self->request(target, 10s, live::segment_count_atom::value)
      .receive(
          [&](bool ready, std::uint64_t count, std::int64_t updated,
              std::int64_t evaluated) {
            out = count_reply{ready, count, updated, evaluated};
          },
          [](caf::error&) {});
  return out;
}

/// Every saved segment: (id, definition text).
std::vector<std::pair<std::string, std::string>> saved_segments() {
  pqxx::connection conn{seeded_db().conninfo()};
  pqxx::work tx{conn};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r :
       tx.exec("SELECT id::text, definition::text FROM segments ORDER BY id"))
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::string>());
  return out;
}

/// Runs one statement on the seeded database; returns the first column of
/// the first row, if any.
std::string exec_sql(const std::string& sql) {
  pqxx::connection conn{seeded_db().conninfo()};
  pqxx::work tx{conn};
  auto r = tx.exec(sql);
  tx.commit();
  return r.empty() || r.columns() == 0 ? std::string{}
                                       : r[0][0].as<std::string>();
}

/// Saved segments this test adds; deleted when it ends.
class saved_test_segments {
public:
  ~saved_test_segments() {
    exec_sql("DELETE FROM segments WHERE name = 'segment-actor-test'");
  }

  /// Saves a segment; returns its id.
  std::string add(const std::string& definition) {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    auto id = tx.exec_params1("INSERT INTO segments (name, definition) "
                              "VALUES ('segment-actor-test', $1::jsonb) "
                              "RETURNING id::text",
                              definition)[0]
                  .as<std::string>();
    tx.commit();
    return id;
  }
};

class segment_actors_test : public shard_tree_fixture {
protected:
  live::segment_host host() {
    return caf::actor_cast<live::segment_host>(
        sys->registry().get(live::host_key));
  }

  /// The first saved segment whose actor differs from SQL or from a fresh
  /// full evaluation (or is not ready), described; empty when none does.
  std::string first_difference() {
    auto now = std::chrono::system_clock::now();
    for (const auto& [id, json] : saved_segments()) {
      auto def = definition_of(json);
      if (!def)
        continue;
      auto got = members_from(*sys, host(), id, live::all_ids);
      if (!got)
        return "no answer from the host for " + id;
      if (!got->ready)
        return "segment " + id + " is not ready";
      auto expected = sql_answer(*def, now);
      auto fresh = ask(*region, def, now, live::all_ids);
      if (!fresh)
        return "no full evaluation of " + json;
      if (got->count != expected.count || got->ids != expected.ids ||
          fresh->ids != expected.ids || got->count != got->ids.size()) {
        std::ostringstream out;
        out << "segment " << id << ": actor " << got->count << " ("
            << got->ids.size() << " ids), SQL " << expected.count
            << ", full evaluation " << fresh->count << " for " << json;
        return out.str();
      }
    }
    return {};
  }

  /// Waits until every saved segment's actor agrees; the last difference
  /// when it still does not after `wait`.
  std::string wait_consistent(std::chrono::seconds wait = 60s) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      auto diff = first_difference();
      if (diff.empty() || std::chrono::steady_clock::now() > deadline)
        return diff;
    }
  }

  /// Waits until the host's answer for `id` satisfies `done`.
  template <class Done>
  bool wait_for_segment(const std::string& id, Done done,
                        std::chrono::seconds wait = 30s) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      auto got = members_from(*sys, host(), id, live::all_ids);
      if (got && done(*got))
        return true;
      // Neither host nor actor reports an event to wait on.
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }
};

TEST_F(segment_actors_test, memberships_equal_sql_after_writes_and_a_restart) {
  auto seed = test_seed();
  SCOPED_TRACE("CDPD_TEST_SEED=" + std::to_string(seed));
  saved_test_segments added;
  for (const auto& json : all_definitions())
    added.add(json);
  wait_caught_up();
  ASSERT_EQ(wait_consistent(), "") << "before any write";
  random_writer w{seed, "actors"};
  std::vector<std::string> done;
  constexpr int steps = 300;
  for (int i = 0; i < steps; ++i) {
    if (i == steps / 2) {
      caf::scoped_actor self{*sys};
      self->send_exit(incarnations(1).back(), caf::exit_reason::kill);
    }
    done.push_back(w.step());
    if (HasFailure())
      FAIL() << "step " << i << ": " << done.back();
  }
  EXPECT_EQ(wait_consistent(), "")
      << "after " << steps << " writes, the last: " << done.back();
  EXPECT_GE(incarnations(1).size(), 2U);
  // A batch right before the comparison, while nothing reloads.
  for (int i = 0; i < 40; ++i)
    w.step();
  EXPECT_EQ(wait_consistent(), "");
}

TEST_F(segment_actors_test, segments_created_edited_and_deleted_are_followed) {
  saved_test_segments added;
  auto ca = R"({"logical_operator": "AND", "criteria": [
      {"field": "shipping_state", "operator": "eq", "value": "CA"}]})";
  auto ny = R"({"logical_operator": "AND", "criteria": [
      {"field": "shipping_state", "operator": "eq", "value": "NY"}]})";
  auto now = std::chrono::system_clock::now();
  auto in_ca = sql_answer(*definition_of(ca), now);
  auto in_ny = sql_answer(*definition_of(ny), now);
  ASSERT_NE(in_ca.ids, in_ny.ids);
  auto id = added.add(ca);
  EXPECT_TRUE(wait_for_segment(id, [&](const actor_members& m) {
    return m.ready && m.ids == in_ca.ids;
  })) << "created";
  exec_sql("UPDATE segments SET definition = '" + std::string{ny} +
           "'::jsonb WHERE id = '" + id + "'");
  EXPECT_TRUE(wait_for_segment(id, [&](const actor_members& m) {
    return m.ready && m.ids == in_ny.ids && m.count == in_ny.count;
  })) << "edited through psql-like SQL";
  exec_sql("DELETE FROM segments WHERE id = '" + id + "'");
  EXPECT_TRUE(wait_for_segment(id, [](const actor_members& m) {
    return !m.ready && m.ids.empty();
  })) << "deleted";
}

TEST_F(segment_actors_test, relative_time_segments_are_evaluated_again) {
  auto relative = definition_of(R"({"logical_operator": "AND", "criteria": [
      {"event": "order", "within_last_days": 30, "operator": "gte",
       "value": 1}]})");
  auto fixed = definition_of(R"({"logical_operator": "AND", "criteria": [
      {"field": "shipping_state", "operator": "in", "value": ["CA", "NY"]}]})");
  EXPECT_TRUE(live::depends_on_time(*relative));
  EXPECT_FALSE(live::depends_on_time(*fixed));
  EXPECT_TRUE(live::depends_on_time(*definition_of(
      R"({"logical_operator": "OR", "criteria": [
          {"field": "email", "operator": "exists"},
          {"logical_operator": "NOT", "criteria": [
            {"field": "days_since_last_order", "operator": "lt",
             "value": 5}]}]})")));
  live::segment_options o;
  o.id = "relative";
  o.definition = relative;
  o.shards = shards;
  o.reevaluate_interval = 50ms;
  auto actor = live::spawn_segment_actor(*sys, o);
  auto first_evaluation = [&] {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto c = count_from(*sys, actor);
      if (c && std::get<0>(*c))
        return std::get<3>(*c);
      std::this_thread::sleep_for(10ms);
    }
    return std::int64_t{0};
  };
  auto first = first_evaluation();
  ASSERT_GT(first, 0) << "never ready";
  auto deadline = std::chrono::steady_clock::now() + 30s;
  std::int64_t later = first;
  while (later == first && std::chrono::steady_clock::now() < deadline) {
    auto c = count_from(*sys, actor);
    ASSERT_TRUE(c);
    later = std::get<3>(*c);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GT(later, first) << "not evaluated again";
  auto c = count_from(*sys, actor);
  ASSERT_TRUE(c);
  EXPECT_EQ(std::get<1>(*c),
            sql_answer(*relative, std::chrono::system_clock::now()).count);
  caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

TEST(segment_member_ids, round_trip_and_order_like_text) {
  auto a = live::member_id_of("0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  auto b = live::member_id_of("0A1B2C3D-4E5F-6789-ABCD-EF012345678A");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(live::text_of(*a), "0a1b2c3d-4e5f-6789-abcd-ef0123456789");
  EXPECT_LT(*a, *b);
  EXPECT_FALSE(live::member_id_of("0a1b2c3d-4e5f-6789-abcd-ef012345678"));
  EXPECT_FALSE(live::member_id_of("not a uuid"));
  EXPECT_FALSE(live::member_id_of("0a1b2c3d-4e5f-6789-abcd-ef012345678g"));
}

} // namespace
} // namespace cdpd::test
