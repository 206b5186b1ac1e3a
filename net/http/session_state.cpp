#include "net/http/session_state.hpp"

namespace cdpd::net {

bool allowed_transition(session_state from, session_state to) {
  using s = session_state;
  if (to == s::closed)
    return from != s::closed;
  switch (from) {
  case s::handshaking:
    return to == s::idle || to == s::reading_header || to == s::writing;
  case s::idle:
    return to == s::reading_header || to == s::idle_timed_out;
  case s::reading_header:
    return to == s::reading_body || to == s::streaming || to == s::timed_out ||
           to == s::writing;
  case s::reading_body:
    return to == s::dispatched || to == s::timed_out || to == s::writing;
  case s::streaming:
    return to == s::awaiting_sink || to == s::dispatched ||
           to == s::timed_out || to == s::writing;
  case s::awaiting_sink:
    return to == s::streaming || to == s::writing;
  case s::timed_out:
  case s::idle_timed_out:
  case s::dispatched:
    return to == s::writing;
  case s::writing:
    // Keep-alive: the next request may already be buffered.
    return to == s::idle || to == s::reading_header || to == s::lingering;
  case s::lingering:
  case s::closed:
    return false;
  }
  return false;
}

bool receiving(session_state state) {
  switch (state) {
  case session_state::idle:
  case session_state::reading_header:
  case session_state::reading_body:
  case session_state::streaming:
  case session_state::awaiting_sink:
  case session_state::timed_out:
  case session_state::idle_timed_out:
    return true;
  case session_state::handshaking:
  case session_state::dispatched:
  case session_state::writing:
  case session_state::lingering:
  case session_state::closed:
    return false;
  }
  return false;
}

std::string_view to_string(session_state state) {
  switch (state) {
  case session_state::handshaking:
    return "handshaking";
  case session_state::idle:
    return "idle";
  case session_state::reading_header:
    return "reading_header";
  case session_state::reading_body:
    return "reading_body";
  case session_state::streaming:
    return "streaming";
  case session_state::awaiting_sink:
    return "awaiting_sink";
  case session_state::timed_out:
    return "timed_out";
  case session_state::idle_timed_out:
    return "idle_timed_out";
  case session_state::dispatched:
    return "dispatched";
  case session_state::writing:
    return "writing";
  case session_state::lingering:
    return "lingering";
  case session_state::closed:
    return "closed";
  }
  return "unknown";
}

} // namespace cdpd::net
