#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "net/http/http_message.hpp"
#include "net/http/route_access.hpp"
#include "net/http/route_guard.hpp"

namespace cdpd::net {

/// What router::match found for a method and a path.
struct route_match {
  enum class outcome { found, not_found, method_not_allowed };

  outcome result = outcome::not_found;

  /// The handler when found; valid as long as the router lives. Exactly one
  /// of target and stream_target is set.
  const handler* target = nullptr;

  /// The handler of a route added with add_stream().
  const stream_handler* stream_target = nullptr;

  /// Decoded path parameters by name ("{id}" -> "id") when found.
  std::map<std::string, std::string> params;

  /// The access the route declared, when found.
  route_access access;

  /// The matched pattern when found ("/api/users/{id}"), without a trailing
  /// slash: a label of bounded cardinality for logs and metrics.
  std::string route;

  /// For method_not_allowed: the methods the path accepts, sorted and joined
  /// by ", " (the value of an Allow header). HEAD is listed with GET.
  std::string allow;

  /// True when a handler was found.
  explicit operator bool() const { return result == outcome::found; }
};

/// Maps a method and a path to a handler. Patterns are segments separated by
/// '/', each a literal or a parameter "{name}"; literal segments win over
/// parameters, a trailing slash is insignificant on both sides and HEAD falls
/// back to GET. Build it once, then share it as std::shared_ptr<const router>:
/// match() is safe to call from any number of threads.
class router {
public:
  /// A router whose handlers run behind `guard`; without one (tests, tools)
  /// every route is open and request.who says proof::unchecked.
  explicit router(std::shared_ptr<const route_guard> guard = nullptr);

  /// The guard the handlers run behind (null without one).
  const std::shared_ptr<const route_guard>& guard() const { return guard_; }
  router(router&&) noexcept;
  router& operator=(router&&) noexcept;
  ~router();

  /// Registers a handler. Throws std::invalid_argument when the pattern is
  /// malformed (no leading '/', an empty segment, a bad or repeated
  /// "{name}") or method and pattern are already registered; routes are
  /// built at start-up, so this is a programming error.
  void add(std::string method, std::string pattern, route_access access,
           handler h);

  /// Looks up a request. `path` is the target's path without the query,
  /// still percent-encoded: each segment is decoded on its own, so "%2F"
  /// inside a parameter stays part of it. A malformed escape never matches.
  route_match match(std::string_view method, std::string_view path) const;

  /// Registers a handler whose request body is streamed to it in chunks
  /// rather than read whole (see stream_handler); same rules as add().
  void add_stream(std::string method, std::string pattern, route_access access,
                  stream_handler h);

  /// Takes GET and HEAD requests for which no route exists at all (not the
  /// ones answered 405); matched with the route label "(static)". One at
  /// most; a second call replaces the first.
  void set_fallback(route_access access, handler h);

private:
  struct node;
  void add_endpoint(std::string method, std::string pattern,
                    route_access access, handler h, stream_handler stream);

  std::shared_ptr<const route_guard> guard_;
  std::unique_ptr<node> root_;
  handler fallback_;
  route_access fallback_access_;
};

} // namespace cdpd::net
