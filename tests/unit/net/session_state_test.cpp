#include "net/http/session_state.hpp"

#include <set>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

using s = session_state;

const std::vector<session_state> all_states = {
    s::handshaking, s::idle,          s::reading_header, s::reading_body,
    s::streaming,   s::awaiting_sink, s::timed_out,      s::idle_timed_out,
    s::dispatched,  s::writing,       s::lingering,      s::closed};

bool walk(std::initializer_list<session_state> path) {
  auto from = path.begin();
  for (auto to = from + 1; to != path.end(); ++from, ++to)
    if (!allowed_transition(*from, *to))
      return false;
  return true;
}

TEST(session_state, every_state_but_closed_can_close) {
  for (auto state : all_states)
    EXPECT_EQ(allowed_transition(state, s::closed), state != s::closed)
        << to_string(state);
}

TEST(session_state, closed_and_lingering_are_final) {
  for (auto state : all_states) {
    EXPECT_FALSE(allowed_transition(s::closed, state)) << to_string(state);
    if (state == s::closed)
      continue;
    EXPECT_FALSE(allowed_transition(s::lingering, state)) << to_string(state);
  }
}

TEST(session_state, keep_alive_requests_go_round) {
  EXPECT_TRUE(walk({s::handshaking, s::idle, s::reading_header, s::reading_body,
                    s::dispatched, s::writing, s::idle, s::reading_header,
                    s::reading_body, s::dispatched, s::writing, s::lingering,
                    s::closed}));
  // A pipelined request is already buffered when the response is written.
  EXPECT_TRUE(walk({s::writing, s::reading_header}));
}

TEST(session_state, streamed_bodies_wait_for_their_sink) {
  EXPECT_TRUE(walk({s::idle, s::reading_header, s::streaming, s::awaiting_sink,
                    s::streaming, s::awaiting_sink, s::streaming, s::dispatched,
                    s::writing}));
  // An early answer leaves the rest of the body unread.
  EXPECT_TRUE(walk({s::streaming, s::awaiting_sink, s::writing}));
  EXPECT_FALSE(allowed_transition(s::awaiting_sink, s::dispatched));
  EXPECT_FALSE(allowed_transition(s::reading_body, s::streaming));
}

TEST(session_state, timeouts_answer_or_close) {
  EXPECT_TRUE(walk({s::reading_header, s::timed_out, s::writing}));
  EXPECT_TRUE(walk({s::streaming, s::timed_out, s::writing}));
  EXPECT_TRUE(walk({s::idle, s::idle_timed_out, s::writing}));
  EXPECT_TRUE(walk({s::idle, s::idle_timed_out, s::closed}));
  // A sink that has not asked for more has no clock running.
  EXPECT_FALSE(allowed_transition(s::awaiting_sink, s::timed_out));
  EXPECT_FALSE(allowed_transition(s::idle, s::timed_out));
  EXPECT_FALSE(allowed_transition(s::dispatched, s::timed_out));
}

TEST(session_state, nothing_is_written_twice_or_read_while_writing) {
  EXPECT_FALSE(allowed_transition(s::writing, s::writing));
  EXPECT_FALSE(allowed_transition(s::writing, s::dispatched));
  EXPECT_FALSE(allowed_transition(s::writing, s::reading_body));
  EXPECT_FALSE(allowed_transition(s::dispatched, s::reading_header));
  EXPECT_FALSE(allowed_transition(s::idle, s::writing));
  EXPECT_FALSE(allowed_transition(s::idle, s::dispatched));
}

TEST(session_state, receiving_covers_the_reading_states_only) {
  std::set<session_state> reading = {
      s::idle,          s::reading_header, s::reading_body,  s::streaming,
      s::awaiting_sink, s::timed_out,      s::idle_timed_out};
  for (auto state : all_states)
    EXPECT_EQ(receiving(state), reading.count(state) == 1) << to_string(state);
}

TEST(session_state, names_are_distinct) {
  std::set<std::string_view> names;
  for (auto state : all_states)
    names.insert(to_string(state));
  EXPECT_EQ(names.size(), all_states.size());
  EXPECT_EQ(to_string(s::awaiting_sink), "awaiting_sink");
}

} // namespace
} // namespace cdpd::net
