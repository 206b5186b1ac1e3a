#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

/// How condition values are read: the typing rules every back end of the
/// segment language shares, so that they agree on which values can match.
namespace cdpd::storage::segments {

/// Microsecond UTC time, the resolution of PostgreSQL timestamps.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// A date value of a condition. "2024-05-01" names a whole day
/// (`day_end` is the next midnight); a datetime names one instant.
struct date_value {
  timestamp start;                  ///< the instant, or the day's midnight
  std::optional<timestamp> day_end; ///< set for date-only values
};

/// Reads "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]" (T or space), with
/// an optional "Z" or "+HH:MM"/"-HH:MM" suffix converted to UTC. Returns
/// nothing for anything else (including "" and impossible dates).
std::optional<date_value> parse_date_value(std::string_view text);

/// N for "relative_N" (N a non-negative integer of at most 6 digits);
/// nothing for any other text.
std::optional<int> parse_relative_days(std::string_view text);

/// The decimal text of a JSON number (not a boolean), suitable for a
/// PostgreSQL numeric; nothing for any other JSON value.
std::optional<std::string> number_text(const nlohmann::json& value);

/// True for a canonical UUID ("8-4-4-4-12" hex digits, any case).
bool is_uuid(std::string_view text) noexcept;

/// "YYYY-MM-DD HH:MM:SS.ffffff", the text PostgreSQL reads as a timestamp.
std::string to_sql_text(timestamp t);

/// `now` at microsecond resolution.
timestamp to_timestamp(std::chrono::system_clock::time_point now);

/// `now` minus a (possibly fractional) number of days, clamped to
/// +-700000 days so the result stays a valid PostgreSQL timestamp.
timestamp days_before(timestamp now, double days);

} // namespace cdpd::storage::segments
