#include <gtest/gtest.h>

#include "actors/segments/engine/exact_number.hpp"

namespace {

using namespace cdpd::actors::segments::engine;

int cmp(long long x, const char* text, int scale) {
  auto t = threshold_at(text, scale);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? compare_scaled(x, *t) : 99;
}

TEST(engine_exact_number, decimal_text_compares_exactly_with_cents) {
  EXPECT_EQ(cmp(29, "0.29", 2), 0);
  EXPECT_EQ(cmp(10000, "100", 2), 0);
  EXPECT_EQ(cmp(10000, "100.0", 2), 0);
  EXPECT_EQ(cmp(10000, "100.005", 2), -1);
  EXPECT_EQ(cmp(10001, "100.005", 2), 1);
  EXPECT_EQ(cmp(-1, "-0.005", 2), -1);
  EXPECT_EQ(cmp(0, "-0.005", 2), 1);
  EXPECT_EQ(cmp(0, "0", 0), 0);
  EXPECT_EQ(cmp(0, "-0.0", 0), 0);
}

TEST(engine_exact_number, exponents_and_huge_values_saturate) {
  EXPECT_EQ(cmp(1000000000, "1e+7", 2), 0);
  EXPECT_EQ(cmp(1, "1.5e-2", 2), -1);
  EXPECT_EQ(cmp(2, "1.5e-2", 2), 1);
  EXPECT_EQ(cmp(999999999999, "1e300", 2), -1);
  EXPECT_EQ(cmp(-999999999999, "-1e300", 2), 1);
  EXPECT_EQ(cmp(0, "1e-300", 2), -1);
  EXPECT_FALSE(threshold_at("abc", 2).has_value());
  EXPECT_FALSE(threshold_at("1e", 2).has_value());
}

TEST(engine_exact_number, average_rounds_like_postgresql) {
  // avg of 10.00, 10.00, 10.01 is 10.0033333333333333 in PostgreSQL.
  auto a = pg_numeric_average(3001, 3);
  EXPECT_EQ(a.scale, 16);
  auto exact = threshold_at("10.0033333333333333", 16);
  auto longer = threshold_at("10.00333333333333333", 16);
  ASSERT_TRUE(exact && longer);
  EXPECT_EQ(compare_scaled(a.scaled, *exact), 0);
  EXPECT_EQ(compare_scaled(a.scaled, *longer), -1);
  // 2/3 of a cent rounds half away from zero at the last place.
  auto b = pg_numeric_average(2, 3);
  auto two_thirds = threshold_at("0.00666666666666666667", b.scale);
  ASSERT_TRUE(two_thirds);
  EXPECT_EQ(compare_scaled(b.scaled, *two_thirds), 0) << b.scale;
}

} // namespace
