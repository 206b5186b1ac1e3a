#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http/caller.hpp"

/// Beast-free request and response types: handlers and the router see only
/// these, so Boost.Beast stays inside net/http/http_server.cpp.
namespace cdpd::net {

struct http_request {
  std::string method;                        ///< "GET", "POST", ...
  std::string target;                        ///< raw target, with query
  std::string path;                          ///< decoded path, no query
  std::map<std::string, std::string> query;  ///< decoded query parameters
  std::map<std::string, std::string> params; ///< path parameters ({id})
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string request_id;     ///< X-Request-ID, taken or generated
  std::string route;          ///< the matched route pattern ("/api/users/{id}")
  std::string client_address; ///< the peer's IP address ("127.0.0.1")
  caller who;                 ///< set by the access guard before the handler

  /// Value of a header (case-insensitive name), empty when absent.
  std::string header(std::string_view name) const;
};

/// One piece of a streamed request or response body.
struct body_chunk {
  std::string data;
  bool last = false;    ///< the body is complete (data may still hold bytes)
  bool aborted = false; ///< the transfer failed (see body_sink, body_producer)
};

/// Hands the server the next piece of a streamed response body. Callable
/// from any thread, once per request for a piece; later calls are ignored.
using piece_sink = std::function<void(body_chunk)>;

/// Produces a streamed response body on demand, one piece per call. The
/// server calls it with `next` after the header was written and again only
/// after the previous piece was written, never concurrently, so a slow
/// client holds the producer back and memory stays one piece. It must not
/// block: it calls `next` once, now or later from any thread. A piece with
/// `last` ends the body; one with `aborted` (the producer failed mid-way)
/// closes the connection without ending the body, so the client sees a
/// truncated transfer rather than a short one. When nothing more is wanted
/// (the client went away, the connection failed, the server stopped, or
/// the answer has no body: HEAD, 204, 304) the producer is called once more
/// with an empty `next` to free what it holds; a `next` it still holds may
/// be called afterwards, to no effect.
using body_producer = std::function<void(piece_sink next)>;

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// When set, the body is streamed from it with `Transfer-Encoding:
  /// chunked` (closing the connection after it for HTTP/1.0) and `body` is
  /// ignored.
  body_producer producer;
  /// What went wrong inside, for the log only (with the request id): the
  /// database's message or SQL must never reach a client.
  std::string internal_detail;
};

/// Completes a request. Callable from any thread, exactly once.
using responder = std::function<void(http_response)>;

/// Handles a request; must not block (hand blocking work to an actor).
using handler = std::function<void(http_request, responder)>;

/// Receives a streamed request body, one call per chunk, in order and never
/// concurrently; a chunk with `aborted` means the connection failed and no
/// response is delivered. After a chunk that is neither last nor aborted, the
/// server reads on only once `more` is called (from any thread, at most once),
/// so a slow consumer holds back the client instead of filling memory.
using body_sink = std::function<void(body_chunk, std::function<void()> more)>;

/// Handles a request whose body is streamed: called when the header has been
/// read (request.body is empty) and returns the sink for the body. The
/// responder may be called before the body is complete; the connection is
/// then closed after the response.
using stream_handler = std::function<body_sink(http_request, responder)>;

} // namespace cdpd::net
