#include "net/api/datetime_text.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace cdpd::net::api {

namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count,
            int& out) {
  if (pos + count > text.size())
    return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])))
      return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

struct parts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int micros = 0;
};

bool parse_date_parts(std::string_view text, parts& p) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-')
    return false;
  if (!digits(text, 0, 4, p.year) || !digits(text, 5, 2, p.month) ||
      !digits(text, 8, 2, p.day))
    return false;
  return p.year >= 1 && p.month >= 1 && p.month <= 12 && p.day >= 1 &&
         p.day <= days_in(p.year, p.month);
}

std::string format(const parts& p) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", p.year,
                p.month, p.day, p.hour, p.minute, p.second);
  std::string out = buf;
  if (p.micros != 0) {
    std::snprintf(buf, sizeof buf, ".%06d", p.micros);
    out += buf;
  }
  return out;
}

} // namespace

std::optional<std::string> parse_date(std::string_view text) {
  parts p;
  if (text.size() != 10 || !parse_date_parts(text, p))
    return std::nullopt;
  return std::string{text};
}

std::optional<std::string> parse_datetime(std::string_view text) {
  parts p;
  if (!parse_date_parts(text, p))
    return std::nullopt;
  std::size_t pos = 10;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')
      return std::nullopt;
    ++pos;
    if (!digits(text, pos, 2, p.hour) || pos + 2 >= text.size() ||
        text[pos + 2] != ':' || !digits(text, pos + 3, 2, p.minute))
      return std::nullopt;
    pos += 5;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(text, pos + 1, 2, p.second))
        return std::nullopt;
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        std::size_t n = 0;
        p.micros = 0;
        while (pos < text.size() &&
               std::isdigit(static_cast<unsigned char>(text[pos]))) {
          if (n < 6)
            p.micros = p.micros * 10 + (text[pos] - '0');
          ++n;
          ++pos;
        }
        if (n == 0 || n > 6)
          return std::nullopt;
        for (; n < 6; ++n)
          p.micros *= 10;
      }
    }
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
      ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(text, pos + 1, 2, oh))
        return std::nullopt;
      pos += 3;
      if (pos < text.size() && text[pos] == ':')
        ++pos;
      if (pos < text.size()) {
        if (!digits(text, pos, 2, om))
          return std::nullopt;
        pos += 2;
      }
      if (oh > 23 || om > 59)
        return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    }
    if (pos != text.size())
      return std::nullopt;
    if (p.hour > 23 || p.minute > 59 || p.second > 59)
      return std::nullopt;
  }
  if (offset_minutes != 0) {
    std::tm tm{};
    tm.tm_year = p.year - 1900;
    tm.tm_mon = p.month - 1;
    tm.tm_mday = p.day;
    tm.tm_hour = p.hour;
    tm.tm_min = p.minute;
    tm.tm_sec = p.second;
    auto seconds = timegm(&tm) - static_cast<time_t>(offset_minutes) * 60;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    p.year = utc.tm_year + 1900;
    p.month = utc.tm_mon + 1;
    p.day = utc.tm_mday;
    p.hour = utc.tm_hour;
    p.minute = utc.tm_min;
    p.second = utc.tm_sec;
    if (p.year < 1 || p.year > 9999)
      return std::nullopt;
  }
  return format(p);
}

std::optional<std::string> parse_campaign_start_time(std::string_view text) {
  std::string cleaned;
  for (char c : text)
    if (c != 'Z')
      cleaned += c;
  cleaned = cleaned.substr(0, cleaned.find('+'));
  return parse_datetime(cleaned);
}

std::optional<std::string> parse_campaign_start_date(std::string_view text) {
  if (text.size() < 10)
    return std::nullopt;
  auto date = parse_date(text.substr(0, 10));
  if (!date)
    return std::nullopt;
  if (text.size() > 10 && !parse_datetime(text))
    return std::nullopt;
  return *date + "T00:00:00";
}

std::string rfc3339(int64_t unix_ms) {
  std::time_t seconds = unix_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", text,
                static_cast<int>(unix_ms % 1000));
  return out;
}

} // namespace cdpd::net::api
