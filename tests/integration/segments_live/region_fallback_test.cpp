// segment_region::answer when the engine declines a definition: the shards
// here are stubs that answer every question like an engine that does not
// evaluate it (storage::errc::invalid_argument), so every answer must come
// from PostgreSQL through the node's pg-read db actor, and must equal what
// SQL says on the seeded database at the asked `now`.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/storage/db_actor.hpp"
#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;

class region_fallback_test : public ::testing::Test {
protected:
  static constexpr std::uint32_t shards = 3;

  void SetUp() override {
    actors::add_error_renderer(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    pool = make_read_pool(seeded_db().url());
    actors::db_actor_options o;
    o.name = "pg-read";
    o.workers = 2;
    o.queue_timeout = 10s;
    reader = caf::actor_cast<caf::actor>(actors::spawn_db_actor(*sys, pool, o));
    sys->registry().put(actors::db_read_key,
                        caf::actor_cast<caf::strong_actor_ptr>(reader));
    stub_shards(storage::make_error(storage::errc::invalid_argument,
                                    "not evaluated in memory (stub)"));
    region = std::make_unique<live::segment_region>(*sys, shards);
  }

  void TearDown() override {
    region.reset();
    for (std::uint32_t i = 0; i < shards; ++i)
      sys->registry().erase(caf::atom_from_string(live::shard_name(i)));
    sys->registry().erase(actors::db_read_key);
    for (auto& stub : stubs)
      caf::anon_send_exit(stub, caf::exit_reason::user_shutdown);
    stubs.clear();
    caf::anon_send_exit(reader, caf::exit_reason::user_shutdown);
    reader = nullptr;
    pool->close();
    sys.reset();
  }

  /// Registers, in place of the shards, actors that answer every question
  /// with `reply` and count the questions. Stubs it replaces stop only in
  /// TearDown: one that stopped now could take its name out of the
  /// registry, and with it the new stub's.
  void stub_shards(caf::error reply) {
    for (std::uint32_t i = 0; i < shards; ++i) {
      auto stub = sys->spawn([reply, asked = asked] {
        return caf::behavior{
            [reply, asked](live::shard_eval_atom, const live::shard_question&) {
              ++*asked;
              return reply;
            }};
      });
      auto name = caf::atom_from_string(live::shard_name(i));
      sys->registry().erase(name); // put keeps an existing entry
      sys->registry().put(name, caf::actor_cast<caf::strong_actor_ptr>(stub));
      stubs.push_back(stub);
    }
  }

  /// region->answer for `json`, waited for.
  caf::expected<live::region_answer>
  answer(const std::string& json, std::chrono::system_clock::time_point now,
         std::size_t max_ids) {
    auto def = live::make_shard_definition(json);
    EXPECT_TRUE(def) << json;
    if (!def)
      return caf::make_error(caf::sec::invalid_argument, "bad definition");
    auto done =
        std::make_shared<std::promise<caf::expected<live::region_answer>>>();
    auto got = done->get_future();
    region->answer(std::move(*def), now, max_ids,
                   [done](caf::expected<live::region_answer> a) {
                     done->set_value(std::move(a));
                   });
    if (got.wait_for(60s) != std::future_status::ready)
      return caf::make_error(caf::sec::request_timeout, "no answer in time");
    return got.get();
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<storage::pg_pool> pool;
  caf::actor reader;
  std::vector<caf::actor> stubs;
  std::shared_ptr<std::atomic<int>> asked =
      std::make_shared<std::atomic<int>>(0);
  std::unique_ptr<live::segment_region> region;
};

/// The first `n` of `ids`.
std::vector<std::string> first(std::vector<std::string> ids, std::size_t n) {
  ids.resize(std::min(n, ids.size()));
  return ids;
}

TEST_F(region_fallback_test, declined_definitions_are_answered_by_sql) {
  auto now = std::chrono::system_clock::now();
  auto definitions = all_definitions();
  std::size_t non_empty = 0;
  for (const auto& json : definitions) {
    auto expected = sql_answer(*definition_of(json), now);
    if (expected.count > 10)
      ++non_empty;
    auto every = answer(json, now, live::all_ids);
    ASSERT_TRUE(every) << sys->render(every.error()) << "\n" << json;
    EXPECT_EQ(every->count, expected.count) << json;
    EXPECT_EQ(every->ids, expected.ids) << json;
    // A sample is the first ids in id order, not the first rows SQL
    // returns, and the count is still every member's.
    auto sample = answer(json, now, 10);
    ASSERT_TRUE(sample) << sys->render(sample.error()) << "\n" << json;
    EXPECT_EQ(sample->count, expected.count) << json;
    EXPECT_EQ(sample->ids, first(expected.ids, 10)) << json;
  }
  // Samples shorter than their count, or the truncation proves nothing.
  EXPECT_GE(non_empty, definitions.size() - 2);
  // The shards were asked first, every time.
  EXPECT_EQ(*asked, static_cast<int>(2 * shards * definitions.size()));
}

TEST_F(region_fallback_test, the_answer_equals_a_hand_written_query) {
  std::vector<std::string> ids;
  {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    for (const auto& row :
         tx.exec("SELECT id::text FROM customers "
                 "WHERE marketing_opt_in AND order_count >= 2"))
      ids.push_back(row[0].as<std::string>());
  }
  std::sort(ids.begin(), ids.end());
  ASSERT_GT(ids.size(), 10u) << "the seeded data should select some";
  auto got = answer(R"({"logical_operator": "AND", "criteria": [
      {"field": "marketing_opt_in", "operator": "eq", "value": true},
      {"field": "order_count", "operator": "gte", "value": 2}]})",
                    std::chrono::system_clock::now(), 10);
  ASSERT_TRUE(got) << sys->render(got.error());
  EXPECT_EQ(got->count, ids.size());
  EXPECT_EQ(got->ids, first(ids, 10));
}

TEST_F(region_fallback_test, sql_answers_at_the_asked_now) {
  auto json = R"({"criteria": [{"field": "created_at",
                  "operator": "within_last_days", "value": 200}]})";
  auto def = definition_of(json);
  auto now = std::chrono::system_clock::now();
  auto year_ago = now - std::chrono::hours{24 * 365};
  auto at_now = sql_answer(*def, now);
  auto at_year_ago = sql_answer(*def, year_ago);
  ASSERT_NE(at_now.ids, at_year_ago.ids)
      << "the seeded data should tell the two instants apart";
  auto check = [&](std::chrono::system_clock::time_point at,
                   const live::region_answer& expected) {
    auto got = answer(json, at, live::all_ids);
    ASSERT_TRUE(got) << sys->render(got.error());
    EXPECT_EQ(got->count, expected.count);
    EXPECT_EQ(got->ids, expected.ids);
  };
  check(now, at_now);
  check(year_ago, at_year_ago);
}

TEST_F(region_fallback_test, other_shard_errors_are_not_answered_by_sql) {
  // A loading shard: PostgreSQL must not take the load the shards spare it.
  stub_shards(caf::make_error(actors::errc::child_unavailable, "loading"));
  auto got = answer(
      R"({"criteria": [{"field": "order_count", "operator": "gte", "value": 1}]})",
      std::chrono::system_clock::now(), 10);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error() == actors::errc::child_unavailable)
      << sys->render(got.error());
}

} // namespace
} // namespace cdpd::test
