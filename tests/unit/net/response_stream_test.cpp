#include "net/http/response_stream.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

/// A producer that keeps each `next` for the test to answer, and counts
/// how it was called.
struct fake_producer {
  std::vector<piece_sink> pending;
  int releases = 0;

  body_producer producer() {
    return [this](piece_sink next) {
      if (!next)
        ++releases;
      else
        pending.push_back(std::move(next));
    };
  }
};

/// What arrived through pull()'s callback.
struct arrivals {
  std::vector<std::pair<uint64_t, body_chunk>> seen;

  response_stream::arrival callback() {
    return [this](uint64_t ticket, body_chunk piece) {
      seen.emplace_back(ticket, std::move(piece));
    };
  }
};

TEST(response_stream, pulls_one_piece_at_a_time) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  EXPECT_TRUE(stream.producing());
  EXPECT_TRUE(stream.chunked());
  EXPECT_TRUE(stream.keep_alive());
  EXPECT_EQ(stream.status(), 200);
  ASSERT_TRUE(stream.pull(got.callback()));
  ASSERT_EQ(fake.pending.size(), 1u);
  fake.pending[0](body_chunk{"one", false, false});
  // A second call of the same `next` is not a second piece.
  fake.pending[0](body_chunk{"again", false, false});
  ASSERT_EQ(got.seen.size(), 1u);
  auto& [ticket, piece] = got.seen[0];
  EXPECT_EQ(ticket, stream.ticket());
  EXPECT_EQ(stream.accept(ticket, piece), response_stream::verdict::write);
  EXPECT_EQ(stream.piece(), "one");
  EXPECT_FALSE(stream.last());
  EXPECT_TRUE(stream.producing());
}

TEST(response_stream, the_last_piece_lets_the_producer_go_unreleased) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.pull(got.callback());
  fake.pending[0](body_chunk{"end", true, false});
  EXPECT_EQ(stream.accept(got.seen[0].first, got.seen[0].second),
            response_stream::verdict::write);
  EXPECT_TRUE(stream.last());
  EXPECT_EQ(stream.piece(), "end");
  EXPECT_FALSE(stream.producing());
  stream.release();
  EXPECT_EQ(fake.releases, 0);
}

TEST(response_stream, an_empty_last_piece_is_still_written) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.pull(got.callback());
  fake.pending[0](body_chunk{"", true, false});
  EXPECT_EQ(stream.accept(got.seen[0].first, got.seen[0].second),
            response_stream::verdict::write);
  EXPECT_TRUE(stream.piece().empty());
  EXPECT_TRUE(stream.last());
}

TEST(response_stream, an_empty_piece_asks_again) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.pull(got.callback());
  fake.pending[0](body_chunk{});
  EXPECT_EQ(stream.accept(got.seen[0].first, got.seen[0].second),
            response_stream::verdict::empty);
  EXPECT_TRUE(stream.producing());
}

TEST(response_stream, pieces_of_an_older_pull_are_stale) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.pull(got.callback());
  auto first = stream.ticket();
  stream.pull(got.callback());
  EXPECT_NE(stream.ticket(), first);
  body_chunk old{"old", false, false};
  EXPECT_EQ(stream.accept(first, old), response_stream::verdict::stale);
  EXPECT_EQ(old.data, "old"); // not taken
  EXPECT_TRUE(stream.piece().empty());
}

TEST(response_stream, an_aborted_piece_ends_without_a_release) {
  fake_producer fake;
  arrivals got;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.pull(got.callback());
  fake.pending[0](body_chunk{{}, false, true});
  EXPECT_EQ(stream.accept(got.seen[0].first, got.seen[0].second),
            response_stream::verdict::aborted);
  EXPECT_FALSE(stream.producing());
  stream.release();
  EXPECT_EQ(fake.releases, 0);
  // Nothing arrives for a stream that ended.
  body_chunk late{"late", false, false};
  EXPECT_EQ(stream.accept(stream.ticket(), late),
            response_stream::verdict::stale);
}

TEST(response_stream, release_tells_the_producer_once) {
  fake_producer fake;
  response_stream stream{nullptr};
  stream.begin(200, true, true, fake.producer());
  stream.release();
  stream.release();
  EXPECT_EQ(fake.releases, 1);
  EXPECT_FALSE(stream.producing());
}

TEST(response_stream, the_destructor_releases_a_held_producer) {
  fake_producer fake;
  {
    response_stream stream{nullptr};
    stream.begin(200, false, false, fake.producer());
  }
  EXPECT_EQ(fake.releases, 1);
}

TEST(response_stream, a_producer_that_throws_is_reported_as_aborted) {
  std::vector<std::string> reported;
  response_stream stream{
      [&](std::string_view what) { reported.emplace_back(what); }};
  stream.begin(200, true, true,
               [](piece_sink) { throw std::runtime_error{"cursor gone"}; });
  arrivals got;
  EXPECT_FALSE(stream.pull(got.callback()));
  EXPECT_EQ(reported, (std::vector<std::string>{"cursor gone"}));
  EXPECT_TRUE(got.seen.empty());
}

TEST(response_stream, a_piece_sent_before_the_throw_counts) {
  response_stream stream{nullptr};
  stream.begin(200, true, true, [](piece_sink next) {
    if (!next)
      return;
    next(body_chunk{"made it", false, false});
    throw std::runtime_error{"then failed"};
  });
  arrivals got;
  EXPECT_TRUE(stream.pull(got.callback()));
  ASSERT_EQ(got.seen.size(), 1u);
  EXPECT_EQ(got.seen[0].second.data, "made it");
}

TEST(response_stream, a_next_kept_past_a_throw_is_void) {
  piece_sink kept;
  response_stream stream{nullptr};
  stream.begin(200, true, true, [&kept](piece_sink next) {
    if (!next)
      return;
    kept = next;
    throw 42;
  });
  arrivals got;
  EXPECT_FALSE(stream.pull(got.callback()));
  kept(body_chunk{"too late", false, false});
  EXPECT_TRUE(got.seen.empty());
}

TEST(response_stream, is_counted_once_per_response) {
  response_stream stream{nullptr};
  EXPECT_FALSE(stream.take_unrecorded());
  stream.begin(404, false, false, nullptr);
  EXPECT_FALSE(stream.producing());
  EXPECT_FALSE(stream.chunked());
  EXPECT_EQ(stream.status(), 404);
  EXPECT_TRUE(stream.take_unrecorded());
  EXPECT_FALSE(stream.take_unrecorded());
  stream.begin(200, true, true, nullptr);
  EXPECT_TRUE(stream.take_unrecorded());
}

TEST(release_producer, calls_it_with_an_empty_next_and_reports_throws) {
  int calls = 0;
  release_producer(
      [&](piece_sink next) {
        EXPECT_FALSE(next);
        ++calls;
      },
      nullptr);
  EXPECT_EQ(calls, 1);
  std::vector<std::string> reported;
  auto report = [&](std::string_view what) { reported.emplace_back(what); };
  release_producer([](piece_sink) { throw std::runtime_error{"boom"}; },
                   report);
  release_producer([](piece_sink) { throw 1; }, report);
  release_producer(nullptr, report);
  EXPECT_EQ(reported, (std::vector<std::string>{"boom", ""}));
}

} // namespace
} // namespace cdpd::net
