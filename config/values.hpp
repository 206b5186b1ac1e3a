#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/text.hpp"
#include <variant>

/// Parsing and printing of the value kinds an option can have. Every parser
/// takes the text exactly as a source gave it (already trimmed by the caller)
/// and returns either the value or what is wrong with the text.
namespace cdpd::config {

/// What is wrong with a text, phrased to follow the quoted value, for example
/// `is not an integer` in `"two" is not an integer`.
struct problem {
  std::string text;
};

/// Parses true/false/yes/no/on/off/1/0 (any letter case).
std::variant<bool, problem> parse_bool(std::string_view text);

/// Parses a decimal integer with an optional sign. Values beyond the int64
/// range saturate, so that the bounds check reports them.
std::variant<std::int64_t, problem> parse_integer(std::string_view text);

/// Parses a duration such as 250ms, 5s, 2m or 1h into milliseconds. A bare
/// number other than 0 is a problem that says a unit is needed. Overflow
/// saturates.
std::variant<std::int64_t, problem> parse_duration_ms(std::string_view text);

/// Parses a byte size: bare bytes, or a number with KiB, MiB or GiB.
/// Overflow saturates.
std::variant<std::int64_t, problem> parse_size_bytes(std::string_view text);

/// Prints milliseconds with the largest unit that divides them (1h, 10m, 30s,
/// 250ms; 0 is 0s). parse_duration_ms reads the result back.
std::string format_duration(std::int64_t ms);

/// Prints bytes with the largest binary unit that divides them (1GiB, 16KiB,
/// 1000; 0 is 0). parse_size_bytes reads the result back.
std::string format_size(std::int64_t bytes);

/// `text` in double quotes with `"` and `\` escaped, as the config file reads
/// it.
std::string quote(std::string_view text);

} // namespace cdpd::config
