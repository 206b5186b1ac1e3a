#pragma once

#include <string>
#include <string_view>

/// X-Request-ID handling: every response carries one, taken from the request
/// when it is sane, generated otherwise.
namespace cdpd::net {

/// Longest client-supplied request id that is kept.
inline constexpr std::size_t max_request_id_length = 128;

/// True when a client-supplied id can be echoed: 1 to 128 visible ASCII
/// characters (0x21-0x7E), so it is safe in a header and a log line.
bool acceptable_request_id(std::string_view id);

/// A fresh random 128-bit id as 32 lower-case hex digits.
std::string generate_request_id();

/// The client's id when acceptable_request_id(incoming), else a fresh one.
std::string choose_request_id(std::string_view incoming);

} // namespace cdpd::net
