#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cdpd::storage {

/// A Redis reply as a plain value, detached from hiredis's memory.
struct redis_reply {
  /// The RESP2 reply types.
  enum class kind : uint8_t { nil, status, string, integer, array, error };

  kind type = kind::nil;
  std::string str;                   ///< status, string or error text
  long long integer = 0;             ///< the value of an integer reply
  std::vector<redis_reply> elements; ///< the items of an array reply

  /// A nil reply (e.g. GET of a missing key).
  static redis_reply nil() { return {}; }

  /// A status reply such as "OK" or "PONG".
  static redis_reply status(std::string text);

  /// A bulk string reply.
  static redis_reply string(std::string value);

  /// An integer reply.
  static redis_reply number(long long value);

  /// An error reply ("ERR ...", "WRONGTYPE ...").
  static redis_reply error(std::string text);

  /// An array reply.
  static redis_reply array(std::vector<redis_reply> items);

  bool is_nil() const noexcept { return type == kind::nil; }
  bool is_error() const noexcept { return type == kind::error; }

  friend bool operator==(const redis_reply&, const redis_reply&) = default;
};

/// "nil", "status", "string", "integer", "array" or "error".
const char* to_string(redis_reply::kind k);

/// A redis-cli like rendering for logs and test output: `"abc"`, `(nil)`,
/// `(integer) 3`, `(error) ERR ...`, `[1) ..., 2) ...]`.
std::string to_string(const redis_reply& reply);

} // namespace cdpd::storage
