#include "storage/segments/values.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace cdpd::storage::segments {

namespace {

using namespace std::chrono;

bool digits(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size())
    return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

} // namespace

std::optional<date_value> parse_date_value(std::string_view text) {
  int y = 0, mo = 0, d = 0;
  if (text.size() < 10 || !digits(text, 0, 4, y) || text[4] != '-' ||
      !digits(text, 5, 2, mo) || text[7] != '-' || !digits(text, 8, 2, d))
    return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok())
    return std::nullopt;
  timestamp midnight{sys_days{ymd}};
  if (text.size() == 10)
    return date_value{midnight, midnight + days{1}};
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
    return std::nullopt;
  int h = 0, mi = 0, s = 0;
  if (!digits(text, 11, 2, h) || text.size() < 16 || text[13] != ':' ||
      !digits(text, 14, 2, mi) || h > 23 || mi > 59)
    return std::nullopt;
  size_t pos = 16;
  long micros = 0;
  if (pos < text.size() && text[pos] == ':') {
    if (!digits(text, pos + 1, 2, s) || s > 59)
      return std::nullopt;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int scale = 100000;
      size_t first = pos;
      while (pos < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[pos]))) {
        if (pos - first >= 6)
          return std::nullopt;
        micros += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == first)
        return std::nullopt;
    }
  }
  timestamp t =
      midnight + hours{h} + minutes{mi} + seconds{s} + microseconds{micros};
  if (pos == text.size())
    return date_value{t, std::nullopt};
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size())
    return date_value{t, std::nullopt};
  if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || pos + 6 != text.size() ||
        text[pos + 3] != ':' || !digits(text, pos + 4, 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    auto offset = hours{oh} + minutes{om};
    // Local time = UTC + offset, so UTC = local - offset.
    return date_value{text[pos] == '+' ? t - offset : t + offset, std::nullopt};
  }
  return std::nullopt;
}

std::optional<int> parse_relative_days(std::string_view text) {
  constexpr std::string_view prefix = "relative_";
  if (text.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto rest = text.substr(prefix.size());
  int n = 0;
  if (rest.empty() || rest.size() > 6 || !digits(rest, 0, rest.size(), n))
    return std::nullopt;
  return n;
}

std::optional<std::string> number_text(const nlohmann::json& value) {
  if (value.is_number_integer() || value.is_number_unsigned())
    return value.dump();
  if (value.is_number_float()) {
    auto v = value.get<double>();
    if (!std::isfinite(v))
      return std::nullopt;
    // The shortest text that reads back as the same double: 999.99 stays
    // "999.99" and so equals a numeric 999.99, as the JSON author meant.
    return value.dump();
  }
  return std::nullopt;
}

bool is_uuid(std::string_view text) noexcept {
  if (text.size() != 36)
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-')
        return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

std::string to_sql_text(timestamp t) {
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  hh_mm_ss<microseconds> tod{t - day_start};
  char buf[40];
  std::snprintf(
      buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%06ld",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
      static_cast<int>(tod.minutes().count()),
      static_cast<int>(tod.seconds().count()),
      static_cast<long>(tod.subseconds().count()));
  return buf;
}

timestamp to_timestamp(std::chrono::system_clock::time_point now) {
  return floor<microseconds>(now);
}

timestamp days_before(timestamp now, double n) {
  // Beyond ~1900 years the cutoff would leave PostgreSQL's timestamp range
  // (and the year would need a BC suffix); no stored date is that old.
  constexpr double max_days = 700000;
  n = std::clamp(n, -max_days, max_days);
  auto micros = static_cast<long long>(std::llround(n * 86400.0 * 1e6));
  return now - microseconds{micros};
}

} // namespace cdpd::storage::segments
