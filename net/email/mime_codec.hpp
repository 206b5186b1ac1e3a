#pragma once

#include <string>
#include <string_view>

/// Encodings of RFC 2045 and RFC 2047 used to build MIME messages.
namespace cdpd::net::email::internal {

/// True when every byte is 7-bit ASCII.
bool is_ascii(std::string_view text);

/// Standard base64 (RFC 4648) on one line.
std::string base64(std::string_view bytes);

/// Quoted-printable (RFC 2045 §6.7) of a text: line breaks of any style
/// become CRLF, output lines are at most 76 characters (soft breaks "=\r\n"),
/// and '=' never precedes anything but two hex digits or a line break.
std::string quoted_printable(std::string_view text);

/// A header value as RFC 2047 encoded-words (`=?UTF-8?B?...?=`), each at
/// most 75 characters and never splitting a UTF-8 character, folded with
/// CRLF and a space between words.
std::string encoded_words(std::string_view text);

/// The lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

} // namespace cdpd::net::email::internal
