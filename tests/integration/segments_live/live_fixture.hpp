#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/segments/segment_region.hpp"
#include "actors/segments/shard_tree.hpp"
#include "storage/pg_pool.hpp"
#include "storage/segments/definition.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// Demo data shared by a test binary: one migrated database seeded once
/// with `cdpd seed`'s generator (dropped at exit).
const pg_test_db& seeded_db();

/// A read pool on the seeded database.
std::shared_ptr<storage::pg_pool> make_read_pool(const std::string& url);

/// Parses a JSON definition; fails the test when it does not parse.
std::shared_ptr<const storage::segments::segment_definition>
definition_of(const std::string& json);

/// Every definition the shards are checked with (17): the five,
/// the eight seed segments and four that reach other kernels.
std::vector<std::string> all_definitions();

/// The SQL back end's answer at `now` on the seeded database: the count
/// and every member id in id order.
actors::segments::region_answer
sql_answer(const storage::segments::segment_definition& def,
           std::chrono::system_clock::time_point now);

/// The same on the database of `conninfo`; fails the test (and returns an
/// empty answer) when a query fails.
actors::segments::region_answer
sql_answer(const std::string& conninfo,
           const storage::segments::segment_definition& def,
           std::chrono::system_clock::time_point now);

/// Asks the region and waits for the callback (at most `wait`).
caf::expected<actors::segments::region_answer>
ask(const actors::segments::segment_region& region,
    actors::segments::shard_definition def,
    std::chrono::system_clock::time_point now, std::size_t max_ids,
    std::chrono::seconds wait = std::chrono::seconds{30});

/// The same with a parsed definition only, as a question from this node.
caf::expected<actors::segments::region_answer>
ask(const actors::segments::segment_region& region,
    std::shared_ptr<const storage::segments::segment_definition> def,
    std::chrono::system_clock::time_point now, std::size_t max_ids,
    std::chrono::seconds wait = std::chrono::seconds{30});

/// An actor system running the shard supervision subtree (change listener,
/// segment host, shards) over the seeded database, or another one a derived
/// fixture names, with the actual shard actors recorded per start so a
/// test can kill one.
class shard_tree_fixture : public ::testing::Test {
protected:
  static constexpr std::uint32_t shards = 4;

  void SetUp() override;
  void TearDown() override;

  /// The URL of the database the subtree loads from and follows: the
  /// seeded one unless overridden.
  virtual std::string database_url() const;

  /// Changes the subtree's options before it starts; nothing by default.
  virtual void adjust(actors::segments::shard_tree_options& options);

  /// Waits until every shard reports ready (fails the test after 60 s).
  void wait_ready();

  /// Waits until every shard is ready and has caught up with the changes
  /// its load missed (fails the test after 60 s).
  void wait_caught_up();

  /// The incarnations of shard `i` started so far, oldest first.
  std::vector<caf::actor> incarnations(std::uint32_t i);

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<storage::pg_pool> pool;
  caf::actor tree;
  std::unique_ptr<actors::segments::segment_region> region;

private:
  void wait_for_shards(bool caught_up);

  std::mutex mutex_;
  std::vector<std::vector<caf::actor>> started_;
};

} // namespace cdpd::test
