// The segment actor's ordering rules against a stand-in shard whose
// answers the test releases when it wants: deltas that overtake an answer,
// duplicates, gaps, a new shard generation and a trailing delta of an old
// one. The real shards are tested with PostgreSQL in
// tests/integration/segments_live/segment_actors_test.cpp.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/segments/customer_shard.hpp"
#include "actors/segments/segment_actor.hpp"
#include "actors/segments/segment_messages.hpp"
#include "actors/segments/shard_messages.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
namespace live = actors::segments;

using release_atom = caf::atom_constant<caf::atom("release")>;
using waiting_atom = caf::atom_constant<caf::atom("waiting")>;

const std::string a = "00000000-0000-4000-8000-00000000000a";
const std::string b = "00000000-0000-4000-8000-00000000000b";
const std::string c = "00000000-0000-4000-8000-00000000000c";
const std::string d = "00000000-0000-4000-8000-00000000000d";

/// Holds every question until released.
struct fake_shard_state {
  std::deque<caf::response_promise> pending;
  static inline const char* name = "fake-shard";
};

caf::behavior fake_shard(caf::stateful_actor<fake_shard_state>* self) {
  return {
      [self](live::shard_eval_atom, const live::shard_question&) {
        self->state.pending.push_back(self->make_response_promise());
      },
      [self](release_atom, live::shard_answer& answer) {
        if (self->state.pending.empty())
          return false;
        self->state.pending.front().deliver(std::move(answer));
        self->state.pending.pop_front();
        return true;
      },
      [self](waiting_atom) {
        return static_cast<std::uint64_t>(self->state.pending.size());
      },
  };
}

live::shard_answer answer(std::uint64_t generation, std::uint64_t seq,
                          std::vector<std::string> ids) {
  live::shard_answer out;
  out.count = ids.size();
  out.ids = std::move(ids);
  out.generation = generation;
  out.seq = seq;
  return out;
}

live::segment_delta delta(std::uint64_t generation, std::uint64_t seq,
                          std::vector<std::string> changed,
                          std::vector<std::string> members) {
  live::segment_delta out;
  out.generation = generation;
  out.seq = seq;
  out.changed = std::move(changed);
  out.members = std::move(members);
  return out;
}

class segment_actor_test : public ::testing::Test {
protected:
  void SetUp() override {
    sys = std::make_unique<caf::actor_system>(cfg);
    shard = sys->spawn(fake_shard);
    sys->registry().put(caf::atom_from_string(live::shard_name(0)),
                        caf::actor_cast<caf::strong_actor_ptr>(shard));
    auto parsed = storage::segments::parse_definition(nlohmann::json::parse(
        R"({"logical_operator": "AND", "criteria": [
            {"field": "shipping_state", "operator": "eq", "value": "CA"}]})"));
    ASSERT_TRUE(parsed.ok());
    live::segment_options o;
    o.id = "s";
    o.definition =
        std::make_shared<const storage::segments::segment_definition>(
            std::move(*parsed.definition));
    o.shards = 1;
    o.retry_delay = 10ms;
    segment = live::spawn_segment_actor(*sys, o);
  }

  void TearDown() override {
    caf::anon_send_exit(segment, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
    sys->registry().erase(caf::atom_from_string(live::shard_name(0)));
    sys.reset();
  }

  /// Waits until the shard holds one question (fails after 10 s).
  void wait_question() {
    caf::scoped_actor self{*sys};
    auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      std::uint64_t n = 0;
      self->request(shard, 5s, waiting_atom::value)
          .receive([&](std::uint64_t k) { n = k; }, [](caf::error&) {});
      if (n == 1)
        return;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "not asked";
      // The stand-in reports no event to wait on.
      std::this_thread::sleep_for(1ms);
    }
  }

  void release(live::shard_answer x) {
    caf::scoped_actor self{*sys};
    bool done = false;
    self->request(shard, 5s, release_atom::value, std::move(x))
        .receive([&](bool ok) { done = ok; }, [](caf::error&) {});
    ASSERT_TRUE(done) << "no question to answer";
  }

  void send(live::segment_delta x) {
    caf::anon_send(segment, live::segment_delta_atom::value, std::move(x));
  }

  /// (ready, ids) as the segment actor holds them.
  std::pair<bool, std::vector<std::string>> members() {
    caf::scoped_actor self{*sys};
    std::pair<bool, std::vector<std::string>> out;
    self->request(segment, 5s, live::segment_ids_atom::value,
                  std::uint64_t{live::all_ids})
        .receive(
            [&](bool ready, std::uint64_t count,
                std::vector<std::string>& ids) {
              EXPECT_EQ(count, ids.size());
              out = {ready, std::move(ids)};
            },
            [](caf::error&) {});
    return out;
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor shard;
  caf::actor segment;
};

TEST_F(segment_actor_test, deltas_apply_once_in_order_around_answers) {
  wait_question();
  // Deltas overtake the answer: seq 2 is already in it, seq 3 is not.
  send(delta(1, 2, {a}, {a}));
  send(delta(1, 3, {b}, {b}));
  EXPECT_FALSE(members().first) << "ready before the first answer";
  release(answer(1, 2, {a}));
  using list = std::vector<std::string>;
  EXPECT_EQ(members(), std::make_pair(true, list{a, b}));

  // In order: a leaves; a duplicate of seq 4 is ignored.
  send(delta(1, 4, {a}, {}));
  send(delta(1, 4, {b}, {}));
  EXPECT_EQ(members(), std::make_pair(true, list{b}));

  // A gap (seq 5 never came): asked again, the answer replaces the part
  // and the buffered delta it already holds is dropped.
  send(delta(1, 6, {c}, {c}));
  wait_question();
  release(answer(1, 6, {b, c}));
  EXPECT_EQ(members(), std::make_pair(true, list{b, c}));

  // The shard restarted (a new generation says hello): asked again; a
  // delta of the old generation trailing behind is dropped.
  auto hello = delta(2, 0, {}, {});
  hello.hello = true;
  send(hello);
  wait_question();
  release(answer(2, 0, {d}));
  send(delta(1, 7, {d}, {}));
  EXPECT_EQ(members(), std::make_pair(true, list{d}));

  caf::scoped_actor self{*sys};
  self->request(segment, 5s, live::segment_count_atom::value)
      .receive(
          [&](bool ready, std::uint64_t count, std::int64_t updated,
              std::int64_t evaluated) {
            EXPECT_TRUE(ready);
            EXPECT_EQ(count, 1u);
            EXPECT_GT(updated, 0);
            EXPECT_GT(evaluated, 0);
          },
          [](caf::error&) { ADD_FAILURE() << "no count"; });
}

TEST_F(segment_actor_test, a_hello_at_the_answered_point_changes_nothing) {
  wait_question();
  release(answer(1, 3, {a}));
  auto hello = delta(1, 3, {}, {});
  hello.hello = true;
  send(hello);
  send(delta(1, 4, {b}, {b}));
  using list = std::vector<std::string>;
  EXPECT_EQ(members(), std::make_pair(true, list{a, b}));
  caf::scoped_actor self{*sys};
  std::uint64_t waiting = 1;
  self->request(shard, 5s, waiting_atom::value)
      .receive([&](std::uint64_t k) { waiting = k; }, [](caf::error&) {});
  EXPECT_EQ(waiting, 0u) << "asked again without a reason";
}

} // namespace
} // namespace cdpd::test
