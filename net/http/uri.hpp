#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

/// Splitting and percent-decoding of request targets, shared by the router
/// and the server.
namespace cdpd::net {

/// The two halves of a request target ("/a/b?x=1" -> "/a/b", "x=1"); the
/// query excludes the '?', and a '#' fragment is dropped.
struct target_parts {
  std::string_view path;
  std::string_view query;
};

/// Splits a request target at the first '?'. Never fails.
target_parts split_target(std::string_view target);

/// Decodes %XX escapes; with plus_as_space a '+' becomes a space (query
/// strings). Returns nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_as_space = false);

/// Parses "a=1&b=x%20y&flag" into decoded names and values (a name without
/// '=' gets an empty value; the first occurrence of a repeated name wins).
/// Returns nullopt when any escape is malformed.
std::optional<std::map<std::string, std::string>>
parse_query(std::string_view query);

/// `text` with every byte other than letters, digits, "-._~" and "/"
/// written as %XX, for a query parameter value.
std::string percent_encode(std::string_view text);

} // namespace cdpd::net
