// Incremental shards against SQL: after a seeded random sequence of
// customer inserts, edits and deletes and order inserts and deletes made
// through SQL and through the repositories, with one shard killed in the
// middle, every definition gives the same count and members through the
// shards as through PostgreSQL. Set CDPD_TEST_SEED to replay a sequence.

#include <chrono>
#include <sstream>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/segments/shard_messages.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"
#include "tests/integration/segments_live/random_writer.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;

using incremental_test = shard_tree_fixture;

/// The first definition whose shard answer differs from SQL's at one
/// `now`, described; empty when every one agrees.
std::string first_difference(const live::segment_region& region,
                             caf::actor_system& sys) {
  auto now = std::chrono::system_clock::now();
  for (const auto& json : all_definitions()) {
    auto def = definition_of(json);
    auto expected = sql_answer(*def, now);
    auto got = ask(region, def, now, live::all_ids);
    if (!got)
      return "no answer (" + sys.render(got.error()) + ") for " + json;
    if (got->count != expected.count || got->ids != expected.ids) {
      std::ostringstream out;
      out << "shards count " << got->count << ", SQL " << expected.count
          << " for " << json;
      return out.str();
    }
  }
  return {};
}

/// Waits until the shards agree with SQL on every definition; the last
/// difference when they still do not after `wait`.
std::string wait_consistent(const live::segment_region& region,
                            caf::actor_system& sys,
                            std::chrono::seconds wait = 30s) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto diff = first_difference(region, sys);
    if (diff.empty() || std::chrono::steady_clock::now() > deadline)
      return diff;
  }
}

TEST_F(incremental_test, shards_equal_sql_after_random_writes_and_a_restart) {
  auto seed = test_seed();
  SCOPED_TRACE("CDPD_TEST_SEED=" + std::to_string(seed));
  wait_caught_up();
  random_writer w{seed};
  std::vector<std::string> done;
  constexpr int steps = 400;
  for (int i = 0; i < steps; ++i) {
    if (i == steps / 2) {
      // A shard dies with writes before and after: its restart reloads
      // and catches up with the changes its load did not see.
      caf::scoped_actor self{*sys};
      self->send_exit(incarnations(1).back(), caf::exit_reason::kill);
    }
    done.push_back(w.step());
    if (HasFailure())
      FAIL() << "step " << i << ": " << done.back();
  }
  auto diff = wait_consistent(*region, *sys);
  EXPECT_EQ(diff, "") << "after " << steps
                      << " writes, the last: " << done.back();
  EXPECT_GE(incarnations(1).size(), 2U);
  // A mixed batch right before the comparison: nothing waits on a reload.
  for (int i = 0; i < 40; ++i)
    w.step();
  EXPECT_EQ(wait_consistent(*region, *sys), "");
}

TEST_F(incremental_test, a_write_reaches_the_shards_without_a_reload) {
  wait_caught_up();
  auto def = definition_of(
      R"({"logical_operator": "AND", "criteria": [
          {"field": "email", "operator": "contains",
           "value": "incremental-probe"}]})");
  auto now = std::chrono::system_clock::now();
  auto before = ask(*region, def, now, 0);
  ASSERT_TRUE(before);
  {
    pqxx::connection conn{seeded_db().conninfo()};
    pqxx::work tx{conn};
    tx.exec0("INSERT INTO customers (email, first_name, last_name) VALUES "
             "('incremental-probe-' || gen_random_uuid() || '@example.com', "
             "'P', 'Q')");
    tx.commit();
  }
  auto deadline = std::chrono::steady_clock::now() + 10s;
  std::uint64_t count = before->count;
  while (count == before->count &&
         std::chrono::steady_clock::now() < deadline) {
    auto a = ask(*region, def, std::chrono::system_clock::now(), 0);
    ASSERT_TRUE(a);
    count = a->count;
  }
  EXPECT_EQ(count, before->count + 1);
  caf::scoped_actor self{*sys};
  for (std::uint32_t i = 0; i < shards; ++i)
    self->request(region->shard(i), 5s, live::shard_status_atom::value)
        .receive([](live::shard_status& s) { EXPECT_EQ(s.loads, 1U); },
                 [](caf::error&) { ADD_FAILURE() << "no status"; });
}

} // namespace
} // namespace cdpd::test
