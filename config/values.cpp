#include "config/values.hpp"

#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace cdpd::config {

namespace {

constexpr std::int64_t max_int = std::numeric_limits<std::int64_t>::max();

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// Reads the leading digits of `text` into `out`, saturating at max_int.
/// Returns how many characters were digits.
std::size_t read_digits(std::string_view text, std::int64_t& out) {
  out = 0;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    auto digit = static_cast<std::int64_t>(text[i] - '0');
    out = out > (max_int - digit) / 10 ? max_int : out * 10 + digit;
  }
  return i;
}

std::int64_t saturating_mul(std::int64_t a, std::int64_t factor) {
  return a > max_int / factor ? max_int : a * factor;
}

std::string quoted_problem(std::string_view text, std::string_view what) {
  return quote(text) + " " + std::string(what);
}

} // namespace

std::variant<bool, problem> parse_bool(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, bool>, 8> words{{
      {"true", true},
      {"false", false},
      {"yes", true},
      {"no", false},
      {"on", true},
      {"off", false},
      {"1", true},
      {"0", false},
  }};
  auto word = lower(text);
  for (const auto& [name, result] : words)
    if (word == name)
      return result;
  return problem{quoted_problem(
      text, "is not a boolean (true, false, yes, no, on, off, 1, 0)")};
}

std::variant<std::int64_t, problem> parse_integer(std::string_view text) {
  auto digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  std::int64_t magnitude = 0;
  auto n = read_digits(digits, magnitude);
  if (n == 0 || n != digits.size())
    return problem{quoted_problem(text, "is not an integer")};
  // -max_int is representable; the extra unit of int64 min is never needed
  // because saturated values only feed the bounds check.
  return negative ? -magnitude : magnitude;
}

std::variant<std::int64_t, problem> parse_duration_ms(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 4>
      units{{{"ms", 1}, {"s", 1'000}, {"m", 60'000}, {"h", 3'600'000}}};
  std::int64_t number = 0;
  auto n = read_digits(text, number);
  if (n == 0)
    return problem{quoted_problem(
        text, "is not a duration (a number with ms, s, m or h)")};
  auto unit = trim(text.substr(n));
  if (unit.empty()) {
    if (number == 0)
      return std::int64_t{0};
    return problem{quoted_problem(text, "needs a unit (ms, s, m, h)")};
  }
  for (const auto& [name, factor] : units)
    if (unit == name)
      return saturating_mul(number, factor);
  return problem{
      quoted_problem(text, "is not a duration (a number with ms, s, m or h)")};
}

std::variant<std::int64_t, problem> parse_size_bytes(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 3>
      units{{{"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024 * 1024 * 1024}}};
  std::int64_t number = 0;
  auto n = read_digits(text, number);
  auto unit = trim(text.substr(n));
  if (n > 0 && unit.empty())
    return number;
  if (n > 0)
    for (const auto& [name, factor] : units)
      if (unit == name)
        return saturating_mul(number, factor);
  return problem{quoted_problem(
      text, "is not a byte size (a number of bytes, or with KiB, MiB or GiB)")};
}

std::string format_duration(std::int64_t ms) {
  if (ms == 0)
    return "0s";
  if (ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms % 1'000 == 0)
    return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size(std::int64_t bytes) {
  constexpr std::int64_t kib = 1024;
  if (bytes == 0)
    return "0";
  if (bytes % (kib * kib * kib) == 0)
    return std::to_string(bytes / (kib * kib * kib)) + "GiB";
  if (bytes % (kib * kib) == 0)
    return std::to_string(bytes / (kib * kib)) + "MiB";
  if (bytes % kib == 0)
    return std::to_string(bytes / kib) + "KiB";
  return std::to_string(bytes);
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

} // namespace cdpd::config
