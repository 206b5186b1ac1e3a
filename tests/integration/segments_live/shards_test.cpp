// Customer shards against the SQL back end: the merged fan-out answer
// equals PostgreSQL's for the same definition and `now`, the shards
// partition the customers by the documented hash, and a killed shard
// restarts, reloads and answers the same.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "actors/segments/customer_shard.hpp"
#include "actors/segments/engine/shard_hash.hpp"
#include "actors/segments/load_columns.hpp"
#include "actors/segments/shard_messages.hpp"
#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"
#include "tests/integration/segments_live/issue_definitions.hpp"
#include "tests/integration/segments_live/live_fixture.hpp"
#include "tests/support/free_port.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;
namespace eng = actors::segments::engine;

/// True for the supervision layer's "unavailable, try again later".
bool is_unavailable(const caf::error& err) {
  return err.category() == caf::atom("actors") &&
         err.code() ==
             static_cast<std::uint8_t>(actors::errc::child_unavailable);
}

using shards_test = shard_tree_fixture;

TEST_F(shards_test, fan_out_equals_sql_for_counts_ids_and_samples) {
  auto now = std::chrono::system_clock::now();
  std::size_t non_empty = 0;
  for (const auto& json : all_definitions()) {
    auto def = definition_of(json);
    auto expected = sql_answer(*def, now);
    if (expected.count > 0)
      ++non_empty;
    auto every = ask(*region, def, now, live::all_ids);
    ASSERT_TRUE(every) << sys->render(every.error()) << "\n" << json;
    EXPECT_EQ(every->count, expected.count) << json;
    EXPECT_EQ(every->ids, expected.ids) << json;
    // The text alone, as a question from another node carries it: the
    // shards parse it themselves.
    auto from_text =
        ask(*region, live::shard_definition{json, nullptr}, now, live::all_ids);
    ASSERT_TRUE(from_text) << sys->render(from_text.error()) << "\n" << json;
    EXPECT_EQ(from_text->count, expected.count) << json;
    EXPECT_EQ(from_text->ids, expected.ids) << json;
    auto sample = ask(*region, def, now, 10);
    ASSERT_TRUE(sample) << sys->render(sample.error());
    EXPECT_EQ(sample->count, expected.count) << json;
    std::vector<std::string> first(
        expected.ids.begin(),
        expected.ids.begin() +
            static_cast<std::ptrdiff_t>(
                std::min<std::size_t>(10, expected.ids.size())));
    EXPECT_EQ(sample->ids, first) << json;
  }
  // The data must make most definitions select someone, or equality
  // proves little.
  EXPECT_GE(non_empty, all_definitions().size() - 2);
}

TEST_F(shards_test, shards_partition_customers_by_the_documented_hash) {
  pqxx::connection conn{seeded_db().conninfo()};
  pqxx::work tx{conn};
  std::vector<std::uint64_t> by_cpp(shards, 0);
  for (const auto& row : tx.exec("SELECT id::text FROM customers"))
    ++by_cpp[eng::shard_of(row[0].as<std::string>(), shards)];
  caf::scoped_actor self{*sys};
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < shards; ++i) {
    auto by_sql = tx.exec1("SELECT count(*) FROM customers c WHERE " +
                           eng::shard_predicate_sql("c.id", i, shards))[0]
                      .as<std::uint64_t>();
    EXPECT_EQ(by_sql, by_cpp[i]) << "shard " << i;
    live::shard_status status;
    self->request(region->shard(i), 5s, live::shard_status_atom::value)
        .receive([&](live::shard_status& s) { status = s; },
                 [&](caf::error& err) { FAIL() << sys->render(err); });
    EXPECT_TRUE(status.ready);
    EXPECT_EQ(status.customers, by_cpp[i]) << "shard " << i;
    EXPECT_GT(status.bytes, 0u);
    total += status.customers;
  }
  EXPECT_EQ(total,
            tx.exec1("SELECT count(*) FROM customers")[0].as<std::uint64_t>());
  // Known values, so the hash can be checked on any other node or build.
  EXPECT_EQ(eng::shard_of("abc", 1u << 31), 0x90015098u % (1u << 31));
  EXPECT_EQ(eng::shard_of("anything", 1), 0u);
}

TEST_F(shards_test, a_killed_shard_restarts_reloads_and_answers_the_same) {
  auto now = std::chrono::system_clock::now();
  auto def = definition_of(issue_definitions()[0].json);
  auto before = ask(*region, def, now, live::all_ids);
  ASSERT_TRUE(before) << sys->render(before.error());
  ASSERT_EQ(incarnations(2).size(), 1u);
  caf::anon_send_exit(incarnations(2).back(), caf::exit_reason::kill);

  // Until the new incarnation has loaded, a question gets an answer or a
  // clear "unavailable" at once; it never hangs.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    auto asked = std::chrono::steady_clock::now();
    auto answer = ask(*region, def, now, live::all_ids, 10s);
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 10s);
    if (answer && incarnations(2).size() == 2) {
      EXPECT_EQ(answer->count, before->count);
      EXPECT_EQ(answer->ids, before->ids);
      break;
    }
    if (!answer) {
      const auto& err = answer.error();
      EXPECT_TRUE(is_unavailable(err) || err == caf::sec::request_receiver_down)
          << sys->render(err);
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "shard 2 did not come back";
    std::this_thread::sleep_for(10ms);
  }
  caf::scoped_actor self{*sys};
  self->request(region->shard(2), 5s, live::shard_status_atom::value)
      .receive(
          [&](live::shard_status& s) {
            EXPECT_TRUE(s.ready);
            EXPECT_EQ(s.loads, 1u);
          },
          [&](caf::error& err) { FAIL() << sys->render(err); });
}

TEST(customer_shard, answers_unavailable_while_it_cannot_load) {
  caf::actor_system_config cfg;
  actors::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  auto pool = make_read_pool("postgresql://postgres@127.0.0.1:" +
                             std::to_string(free_port()) + "/none");
  live::shard_options options;
  options.index = 0;
  options.shards = 1;
  options.pool = pool;
  options.retry_delay = 50ms;
  auto shard = live::spawn_customer_shard(sys, options);
  caf::scoped_actor self{sys};
  live::shard_question q{{{}, definition_of(issue_definitions()[0].json)},
                         std::chrono::system_clock::now(),
                         10};
  self->request(shard, 5s, live::shard_eval_atom::value, q)
      .receive([](live::shard_answer&) { FAIL() << "answered while loading"; },
               [&](caf::error& err) {
                 EXPECT_TRUE(is_unavailable(err)) << sys.render(err);
               });
  self->request(shard, 5s, live::shard_status_atom::value)
      .receive([](live::shard_status& s) { EXPECT_FALSE(s.ready); },
               [&](caf::error& err) { FAIL() << sys.render(err); });
  self->send_exit(shard, caf::exit_reason::user_shutdown);
  pool->close();
}

TEST(shard_loads, filtered_loads_equal_the_one_pass_split) {
  pqxx::connection conn{seeded_db().conninfo()};
  auto all = live::load_all_shards(conn, 3);
  ASSERT_TRUE(all) << storage::describe(all.error());
  ASSERT_EQ(all->size(), 3u);
  std::size_t total = 0;
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto one = live::load_columns(conn, live::shard_filter{i, 3});
    ASSERT_TRUE(one) << storage::describe(one.error());
    EXPECT_EQ(one->ids, (*all)[i].ids) << "shard " << i;
    EXPECT_EQ(one->order_date, (*all)[i].order_date) << "shard " << i;
    EXPECT_EQ(one->item_begin, (*all)[i].item_begin) << "shard " << i;
    for (const auto& id : one->ids)
      EXPECT_EQ(eng::shard_of(id, 3), i);
    total += one->size();
  }
  auto whole = live::load_columns(conn);
  ASSERT_TRUE(whole);
  EXPECT_EQ(total, whole->size());
}

TEST(merge_sorted, keeps_order_and_limit) {
  std::vector<std::vector<std::string>> parts{
      {"a", "d", "g"}, {}, {"b", "c"}, {"e"}};
  EXPECT_EQ(live::merge_sorted(parts, live::all_ids),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "g"}));
  EXPECT_EQ(live::merge_sorted(parts, 2), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(live::merge_sorted(parts, 0).empty());
}

} // namespace
} // namespace cdpd::test
