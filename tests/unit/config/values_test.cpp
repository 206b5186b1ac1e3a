#include <gtest/gtest.h>

#include <limits>

#include "config/values.hpp"

namespace cdpd::config {
namespace {

template <class T> T ok(const std::variant<T, problem>& result) {
  if (auto* p = std::get_if<problem>(&result)) {
    ADD_FAILURE() << "unexpected problem: " << p->text;
    return T{};
  }
  return std::get<T>(result);
}

template <class T> std::string fails(const std::variant<T, problem>& result) {
  if (auto* p = std::get_if<problem>(&result))
    return p->text;
  ADD_FAILURE() << "expected a problem";
  return {};
}

constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();

TEST(Values, BoolAcceptsEveryWordInAnyCase) {
  for (auto word : {"true", "yes", "on", "1", "TRUE", "Yes", "ON"})
    EXPECT_TRUE(ok(parse_bool(word))) << word;
  for (auto word : {"false", "no", "off", "0", "False", "NO", "Off"})
    EXPECT_FALSE(ok(parse_bool(word))) << word;
}

TEST(Values, BoolRejectsOtherWords) {
  EXPECT_EQ(fails(parse_bool("maybe")),
            "\"maybe\" is not a boolean (true, false, yes, no, on, off, 1, 0)");
  EXPECT_FALSE(fails(parse_bool("")).empty());
  EXPECT_FALSE(fails(parse_bool("2")).empty());
}

TEST(Values, IntegerParsesSignedDecimal) {
  EXPECT_EQ(ok(parse_integer("0")), 0);
  EXPECT_EQ(ok(parse_integer("8080")), 8080);
  EXPECT_EQ(ok(parse_integer("-1")), -1);
  EXPECT_EQ(ok(parse_integer("+7")), 7);
}

TEST(Values, IntegerRejectsNonDigits) {
  EXPECT_EQ(fails(parse_integer("two")), "\"two\" is not an integer");
  for (auto text : {"", "-", "1.5", "12a", "0x10", "1 2", "1e3"})
    EXPECT_FALSE(fails(parse_integer(text)).empty()) << text;
}

TEST(Values, IntegerSaturatesOnOverflow) {
  EXPECT_EQ(ok(parse_integer("99999999999999999999999")), int64_max);
  EXPECT_EQ(ok(parse_integer("-99999999999999999999999")), -int64_max);
}

TEST(Values, DurationUnits) {
  EXPECT_EQ(ok(parse_duration_ms("250ms")), 250);
  EXPECT_EQ(ok(parse_duration_ms("5s")), 5'000);
  EXPECT_EQ(ok(parse_duration_ms("2m")), 120'000);
  EXPECT_EQ(ok(parse_duration_ms("1h")), 3'600'000);
  EXPECT_EQ(ok(parse_duration_ms("3 s")), 3'000);
  EXPECT_EQ(ok(parse_duration_ms("0")), 0);
  EXPECT_EQ(ok(parse_duration_ms("0ms")), 0);
}

TEST(Values, DurationNeedsUnit) {
  EXPECT_EQ(fails(parse_duration_ms("5")), "\"5\" needs a unit (ms, s, m, h)");
}

TEST(Values, DurationRejectsOtherText) {
  EXPECT_EQ(fails(parse_duration_ms("5x")),
            "\"5x\" is not a duration (a number with ms, s, m or h)");
  for (auto text : {"", "s", "-5s", "1.5s", "5 sec", "5S", "5d", "ms5"})
    EXPECT_FALSE(fails(parse_duration_ms(text)).empty()) << text;
}

TEST(Values, DurationSaturatesOnOverflow) {
  EXPECT_EQ(ok(parse_duration_ms("9999999999999999h")), int64_max);
}

TEST(Values, SizeUnits) {
  EXPECT_EQ(ok(parse_size_bytes("0")), 0);
  EXPECT_EQ(ok(parse_size_bytes("1000")), 1000);
  EXPECT_EQ(ok(parse_size_bytes("16KiB")), 16 * 1024);
  EXPECT_EQ(ok(parse_size_bytes("1MiB")), 1024 * 1024);
  EXPECT_EQ(ok(parse_size_bytes("2GiB")), 2LL * 1024 * 1024 * 1024);
}

TEST(Values, SizeRejectsOtherText) {
  EXPECT_EQ(fails(parse_size_bytes("1MB")),
            "\"1MB\" is not a byte size (a number of bytes, or with KiB, MiB "
            "or GiB)");
  for (auto text : {"", "KiB", "-1", "1.5MiB", "1kib", "1 TiB"})
    EXPECT_FALSE(fails(parse_size_bytes(text)).empty()) << text;
}

TEST(Values, SizeSaturatesOnOverflow) {
  EXPECT_EQ(ok(parse_size_bytes("99999999999999GiB")), int64_max);
}

TEST(Values, FormatDurationPicksLargestExactUnit) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(250), "250ms");
  EXPECT_EQ(format_duration(1'500), "1500ms");
  EXPECT_EQ(format_duration(30'000), "30s");
  EXPECT_EQ(format_duration(90'000), "90s");
  EXPECT_EQ(format_duration(600'000), "10m");
  EXPECT_EQ(format_duration(3'600'000), "1h");
}

TEST(Values, FormatSizePicksLargestExactUnit) {
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(1024), "1KiB");
  EXPECT_EQ(format_size(1536), "1536");
  EXPECT_EQ(format_size(3 * 1024 * 1024), "3MiB");
  EXPECT_EQ(format_size(1024LL * 1024 * 1024), "1GiB");
}

TEST(Values, FormattedValuesParseBack) {
  for (std::int64_t ms : {0LL, 1LL, 999LL, 1'000LL, 61'000LL, 7'200'000LL})
    EXPECT_EQ(ok(parse_duration_ms(format_duration(ms))), ms);
  for (std::int64_t bytes : {0LL, 1LL, 1023LL, 1024LL, 5'242'880LL})
    EXPECT_EQ(ok(parse_size_bytes(format_size(bytes))), bytes);
}

TEST(Values, QuoteEscapesQuotesAndBackslashes) {
  EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(quote(""), "\"\"");
}

TEST(Values, TrimStripsSpacesOnly) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("   "), "");
}

} // namespace
} // namespace cdpd::config
