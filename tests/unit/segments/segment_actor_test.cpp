// The segment actor's ordering rules against a stand-in shard whose
// answers the test releases when it wants: deltas that overtake an answer,
// duplicates, gaps, a new shard generation and a trailing delta of an old
// one; and the paged ids merged over several shards. The real shards are
// tested with PostgreSQL in
// tests/integration/segments_live/segment_actors_test.cpp.

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
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

/// A segment actor's options for "shipping_state = CA" over `shards`
/// stand-in shards (no definition if it failed to parse).
live::segment_options ca_segment(std::string id, std::uint32_t shards) {
  auto parsed = storage::segments::parse_definition(nlohmann::json::parse(
      R"({"logical_operator": "AND", "criteria": [
          {"field": "shipping_state", "operator": "eq", "value": "CA"}]})"));
  live::segment_options o;
  o.id = std::move(id);
  if (parsed.ok())
    o.definition =
        std::make_shared<const storage::segments::segment_definition>(
            std::move(*parsed.definition));
  o.shards = shards;
  o.retry_delay = 10ms;
  return o;
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
    auto o = ca_segment("s", 1);
    ASSERT_TRUE(o.definition);
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
  live::segment_actor segment;
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

/// The UUID text of member number `i` (ordered like `i`).
std::string member(unsigned i) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012x", i);
  return text;
}

/// A segment actor over three stand-in shards, for the paged ids.
class segment_pages_test : public ::testing::Test {
protected:
  static constexpr std::uint32_t shards = 3;

  void SetUp() override {
    sys = std::make_unique<caf::actor_system>(cfg);
    for (std::uint32_t i = 0; i < shards; ++i) {
      parts.push_back(sys->spawn(fake_shard));
      sys->registry().put(caf::atom_from_string(live::shard_name(i)),
                          caf::actor_cast<caf::strong_actor_ptr>(parts[i]));
    }
    auto o = ca_segment("p", shards);
    ASSERT_TRUE(o.definition);
    segment = live::spawn_segment_actor(*sys, o);
  }

  void TearDown() override {
    caf::anon_send_exit(segment, caf::exit_reason::user_shutdown);
    for (std::uint32_t i = 0; i < shards; ++i) {
      caf::anon_send_exit(parts[i], caf::exit_reason::user_shutdown);
      sys->registry().erase(caf::atom_from_string(live::shard_name(i)));
    }
    sys.reset();
  }

  /// Answers every shard's first question with its share of `ids`: ids
  /// 0-9 go round the shards, the rest to the last one.
  void answer_all(const std::vector<std::string>& ids) {
    caf::scoped_actor self{*sys};
    std::vector<std::vector<std::string>> share(shards);
    for (std::size_t i = 0; i < ids.size(); ++i)
      share[i < 10 ? i % shards : shards - 1].push_back(ids[i]);
    for (std::uint32_t i = 0; i < shards; ++i) {
      auto deadline = std::chrono::steady_clock::now() + 10s;
      bool done = false;
      while (!done) {
        self->request(parts[i], 5s, release_atom::value, answer(1, 1, share[i]))
            .receive([&](bool ok) { done = ok; }, [](caf::error&) {});
        if (done)
          break;
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "not asked";
        // The stand-in reports no event to wait on.
        std::this_thread::sleep_for(1ms);
      }
    }
  }

  struct page {
    bool ready = false;
    std::uint64_t count = 0;
    std::vector<std::string> ids;
    bool failed = false;
  };

  /// A delta of shard `part` right after its answer.
  void send_delta(std::uint32_t part, std::vector<std::string> changed,
                  std::vector<std::string> members) {
    auto d = delta(1, 2, std::move(changed), std::move(members));
    d.shard = part;
    caf::anon_send(segment, live::segment_delta_atom::value, std::move(d));
  }

  /// The segment actor's answer to `(segment_ids_atom, after, limit)`.
  page ids_after(const std::string& after, std::uint64_t limit) {
    caf::scoped_actor self{*sys};
    page out;
    self->request(segment, 5s, live::segment_ids_atom::value, after, limit)
        .receive(
            [&](bool ready, std::uint64_t count,
                std::vector<std::string>& ids) {
              out.ready = ready;
              out.count = count;
              out.ids = std::move(ids);
            },
            [&](caf::error&) { out.failed = true; });
    return out;
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::vector<caf::actor> parts;
  live::segment_actor segment;
};

TEST_F(segment_pages_test, pages_merge_the_shards_from_the_cursor) {
  EXPECT_FALSE(ids_after("", 5).ready);
  std::vector<std::string> all;
  for (unsigned i = 0; i < 25; ++i)
    all.push_back(member(3 * i + 1));
  answer_all(all);

  // Paging by 4 walks every member once, in id order.
  std::vector<std::string> walked;
  std::string after;
  for (int pages = 0; pages < 20; ++pages) {
    auto p = ids_after(after, 4);
    ASSERT_TRUE(p.ready);
    EXPECT_EQ(p.count, all.size());
    walked.insert(walked.end(), p.ids.begin(), p.ids.end());
    if (p.ids.size() < 4)
      break;
    after = p.ids.back();
  }
  EXPECT_EQ(walked, all);

  // A cursor between members, or in upper case, works the same.
  using list = std::vector<std::string>;
  EXPECT_EQ(ids_after(member(5), 2).ids, (list{member(7), member(10)}));
  std::string upper = member(70);
  for (auto& ch : upper)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(ids_after(upper, 10).ids, (list{member(73)}));
  EXPECT_TRUE(ids_after(all.back(), 10).ids.empty());
  EXPECT_TRUE(ids_after("", 0).ids.empty());
  EXPECT_TRUE(ids_after("not-a-uuid", 3).failed);

  // A member entering behind the cursor is not in later pages; one ahead
  // of it is.
  auto cursor = member(40);
  send_delta(0, {member(2), member(41)}, {member(2), member(41)});
  auto rest = ids_after(cursor, 100);
  ASSERT_FALSE(rest.ids.empty());
  EXPECT_EQ(rest.ids.front(), member(41));
  EXPECT_EQ(rest.count, all.size() + 2);
}

} // namespace
} // namespace cdpd::test
