#pragma once

#include <string_view>

namespace cdpd::net {

/// Where an HTTP connection stands. The server changes it in one place,
/// which asserts that each change is one allowed_transition() lists.
enum class session_state {
  handshaking,    ///< not reading yet: TLS handshake, or a refusal
  idle,           ///< waiting for the first byte of a request
  reading_header, ///< a request started; its header is not complete
  reading_body,   ///< the header passed its checks; the body is buffered
  streaming,      ///< the body goes to the handler's sink as it arrives
  awaiting_sink,  ///< a chunk was handed over; the sink has not asked on
  timed_out,      ///< the request's clock ran out: its pending I/O ends it
  idle_timed_out, ///< the idle clock ran out: its pending read ends it
  dispatched,     ///< the request is complete; the handler has it
  writing,        ///< the response is being written
  lingering,      ///< input is discarded before the socket closes
  closed,         ///< the socket is closed; nothing happens any more
};

/// True when a connection may go from `from` to `to`. A response can
/// interrupt any state that reads a request (limits, timeouts, early
/// answers to streamed bodies); every state but closed can end in closed.
bool allowed_transition(session_state from, session_state to);

/// True in the states that read a request or wait for one; I/O that
/// completes in another state belongs to an exchange that is over.
bool receiving(session_state state);

/// The state's name ("reading_body"), for messages.
std::string_view to_string(session_state state);

} // namespace cdpd::net
