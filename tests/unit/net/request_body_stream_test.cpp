#include "net/http/request_body_stream.hpp"

#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

/// What a sink saw, chunk by chunk.
struct recorder {
  std::vector<body_chunk> chunks;
  std::vector<bool> had_more;
  std::function<void()> more;

  body_sink sink() {
    return [this](body_chunk chunk, std::function<void()> next) {
      had_more.push_back(static_cast<bool>(next));
      more = std::move(next);
      chunks.push_back(std::move(chunk));
    };
  }
};

void write(request_body_stream& body, std::string_view bytes) {
  ASSERT_LE(bytes.size(), body.free_size());
  std::memcpy(body.free_space(), bytes.data(), bytes.size());
  body.commit(bytes.size());
}

TEST(request_body_stream, hands_over_full_chunks_then_the_rest) {
  request_body_stream body{4, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  write(body, "abc");
  EXPECT_FALSE(body.full());
  EXPECT_EQ(body.free_size(), 1u);
  write(body, "d");
  EXPECT_TRUE(body.full());
  int asked = 0;
  EXPECT_TRUE(body.deliver(false, [&] { ++asked; }));
  EXPECT_EQ(body.pending(), 0u);
  EXPECT_EQ(body.free_size(), 4u);
  write(body, "ef");
  EXPECT_TRUE(body.deliver(true, [&] { ++asked; }));
  ASSERT_EQ(seen.chunks.size(), 2u);
  EXPECT_EQ(seen.chunks[0].data, "abcd");
  EXPECT_FALSE(seen.chunks[0].last);
  EXPECT_EQ(seen.chunks[1].data, "ef");
  EXPECT_TRUE(seen.chunks[1].last);
  EXPECT_FALSE(seen.chunks[1].aborted);
  // Only a chunk that is not the last lets the sink ask for more.
  EXPECT_EQ(seen.had_more, (std::vector<bool>{true, false}));
  // After the last chunk the sink is let go.
  EXPECT_FALSE(body.attached());
  EXPECT_FALSE(body.deliver(true, nullptr));
  EXPECT_EQ(seen.chunks.size(), 2u);
  EXPECT_EQ(asked, 0);
}

TEST(request_body_stream, the_sink_asks_for_more_through_the_callback) {
  request_body_stream body{2, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  write(body, "xy");
  int asked = 0;
  body.deliver(false, [&] { ++asked; });
  ASSERT_TRUE(seen.more);
  seen.more();
  EXPECT_EQ(asked, 1);
}

TEST(request_body_stream, an_empty_body_is_one_empty_last_chunk) {
  request_body_stream body{8, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  EXPECT_TRUE(body.deliver(true, nullptr));
  ASSERT_EQ(seen.chunks.size(), 1u);
  EXPECT_TRUE(seen.chunks[0].data.empty());
  EXPECT_TRUE(seen.chunks[0].last);
}

TEST(request_body_stream, abort_tells_the_sink_once) {
  request_body_stream body{8, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  write(body, "part");
  body.abort();
  body.abort();
  ASSERT_EQ(seen.chunks.size(), 1u);
  EXPECT_TRUE(seen.chunks[0].aborted);
  EXPECT_FALSE(seen.chunks[0].last);
  EXPECT_TRUE(seen.chunks[0].data.empty());
  EXPECT_FALSE(body.attached());
}

TEST(request_body_stream, a_detached_sink_hears_nothing) {
  request_body_stream body{4, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  body.detach();
  write(body, "ab");
  EXPECT_FALSE(body.deliver(false, [] {}));
  body.abort();
  EXPECT_TRUE(seen.chunks.empty());
  // The dropped bytes do not stay in the chunk.
  EXPECT_EQ(body.pending(), 0u);
}

TEST(request_body_stream, begin_forgets_the_previous_body) {
  request_body_stream body{4, nullptr};
  recorder seen;
  body.begin();
  body.attach(seen.sink());
  write(body, "abc");
  body.begin();
  EXPECT_FALSE(body.attached());
  EXPECT_EQ(body.pending(), 0u);
  EXPECT_EQ(body.free_size(), 4u);
}

TEST(request_body_stream, a_throwing_sink_is_reported) {
  std::vector<std::string> reported;
  request_body_stream body{
      4, [&](std::string_view what) { reported.emplace_back(what); }};
  body.begin();
  body.attach([](body_chunk, std::function<void()>) {
    throw std::runtime_error{"disk full"};
  });
  write(body, "abcd");
  EXPECT_TRUE(body.deliver(false, [] {}));
  EXPECT_EQ(reported, (std::vector<std::string>{"disk full"}));
  // A sink that threw still hears about the end of the body.
  EXPECT_TRUE(body.attached());
}

} // namespace
} // namespace cdpd::net
