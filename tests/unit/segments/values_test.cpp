#include "storage/segments/values.hpp"

#include <gtest/gtest.h>

namespace cdpd::storage::segments {
namespace {

using namespace std::chrono;

timestamp at(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0,
             long us = 0) {
  return timestamp{sys_days{year{y} / month{m} / day{d}}} + hours{h} +
         minutes{mi} + seconds{s} + microseconds{us};
}

TEST(DateValue, DateOnlyNamesAWholeDay) {
  auto v = parse_date_value("2024-02-29");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->start, at(2024, 2, 29));
  EXPECT_EQ(v->day_end, at(2024, 3, 1));
}

TEST(DateValue, DatetimeForms) {
  EXPECT_EQ(parse_date_value("2024-05-01T10:20")->start,
            at(2024, 5, 1, 10, 20));
  EXPECT_EQ(parse_date_value("2024-05-01 10:20:30")->start,
            at(2024, 5, 1, 10, 20, 30));
  EXPECT_EQ(parse_date_value("2024-05-01T10:20:30.5")->start,
            at(2024, 5, 1, 10, 20, 30, 500000));
  EXPECT_EQ(parse_date_value("2024-05-01T10:20:30.000123Z")->start,
            at(2024, 5, 1, 10, 20, 30, 123));
  EXPECT_EQ(parse_date_value("2024-05-01T10:20:30+02:00")->start,
            at(2024, 5, 1, 8, 20, 30));
  EXPECT_EQ(parse_date_value("2024-05-01T23:30:00-01:00")->start,
            at(2024, 5, 2, 0, 30));
  EXPECT_FALSE(parse_date_value("2024-05-01T10:20")->day_end);
}

TEST(DateValue, RejectsEverythingElse) {
  for (auto text :
       {"", "relative_30", "2024-02-30", "2023-02-29", "2024-13-01", "2024-5-1",
        "2024-05-01T25:00", "2024-05-01T10:60", "2024-05-01T10:20:61",
        "2024-05-01T10:20:30.1234567", "2024-05-01T10:20:30.", "2024-05-01X",
        "2024-05-01T10:20+2", "'; DROP TABLE customers; --"})
    EXPECT_FALSE(parse_date_value(text)) << text;
}

TEST(RelativeDays, ReadsOnlyRelativeN) {
  EXPECT_EQ(parse_relative_days("relative_0"), 0);
  EXPECT_EQ(parse_relative_days("relative_30"), 30);
  EXPECT_EQ(parse_relative_days("relative_365"), 365);
  for (auto text : {"relative_", "relative_-1", "relative_3x", "relative_1.5",
                    "Relative_30", "30", "relative_1234567"})
    EXPECT_FALSE(parse_relative_days(text)) << text;
}

TEST(NumberText, OnlyJsonNumbers) {
  using json = nlohmann::json;
  EXPECT_EQ(number_text(json(100)), "100");
  EXPECT_EQ(number_text(json(-3)), "-3");
  EXPECT_EQ(number_text(json(18446744073709551615ull)), "18446744073709551615");
  EXPECT_EQ(number_text(json(0.1)), "0.1");
  EXPECT_EQ(number_text(json::parse("999.99")), "999.99");
  EXPECT_EQ(number_text(json::parse("1e300")), "1e+300");
  EXPECT_FALSE(number_text(json("100")));
  EXPECT_FALSE(number_text(json(true)));
  EXPECT_FALSE(number_text(json(nullptr)));
  EXPECT_FALSE(number_text(json::array({1})));
}

TEST(Uuid, CanonicalFormOnly) {
  EXPECT_TRUE(is_uuid("6f1c1b1e-7d2a-4c47-9a51-1f2b3c4d5e6f"));
  EXPECT_TRUE(is_uuid("6F1C1B1E-7D2A-4C47-9A51-1F2B3C4D5E6F"));
  EXPECT_FALSE(is_uuid("6f1c1b1e7d2a4c479a511f2b3c4d5e6f"));
  EXPECT_FALSE(is_uuid("6f1c1b1e-7d2a-4c47-9a51-1f2b3c4d5e6g"));
  EXPECT_FALSE(is_uuid("'; DROP TABLE customers; --"));
}

TEST(SqlText, FormatsMicroseconds) {
  EXPECT_EQ(to_sql_text(at(2024, 5, 1, 8, 2, 3, 45)),
            "2024-05-01 08:02:03.000045");
  EXPECT_EQ(to_sql_text(at(1999, 12, 31)), "1999-12-31 00:00:00.000000");
}

TEST(DaysBefore, FractionsAndClamp) {
  auto now = at(2024, 5, 10, 12);
  EXPECT_EQ(days_before(now, 1), at(2024, 5, 9, 12));
  EXPECT_EQ(days_before(now, 0.5), at(2024, 5, 10));
  EXPECT_EQ(days_before(now, 1e12), days_before(now, 700000));
}

} // namespace
} // namespace cdpd::storage::segments
