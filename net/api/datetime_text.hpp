#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Parsing of the datetimes the API accepts, and the RFC 3339 form of
/// times it reports itself. Every result is the stored
/// form: naive UTC, "YYYY-MM-DDTHH:MM:SS[.ffffff]" (fraction only when not
/// zero) or "YYYY-MM-DD".
namespace cdpd::net::api {

/// Parses an ISO 8601 date-time "YYYY-MM-DD[(T| )HH:MM[:SS[.f{1,6}]]]" with
/// an optional "Z" or "±HH[:MM]" offset, which is converted to UTC. A bare
/// date means midnight. Nullopt when malformed or out of range.
std::optional<std::string> parse_datetime(std::string_view text);

/// Parses "YYYY-MM-DD"; nullopt when malformed or not a calendar date.
std::optional<std::string> parse_date(std::string_view text);

/// A campaign's start_time as the prototype reads it: "Z" dropped, cut at
/// '+', then parsed; nullopt (stored as null) when that fails.
std::optional<std::string> parse_campaign_start_time(std::string_view text);

/// A campaign's start_date: the date part of "YYYY-MM-DD" or of any ISO
/// date-time, at midnight ("YYYY-MM-DDT00:00:00"); nullopt otherwise.
std::optional<std::string> parse_campaign_start_date(std::string_view text);

/// Unix milliseconds as RFC 3339 UTC ("2024-05-01T12:00:00.123Z").
std::string rfc3339(int64_t unix_ms);

} // namespace cdpd::net::api
