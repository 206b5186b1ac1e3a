// The shared text helpers: trimming, lower case and hex digits.
#include <gtest/gtest.h>

#include "config/text.hpp"

namespace cdpd::config {
namespace {

TEST(Text, TrimDropsSpacesTabsAndLineEndsAtBothEnds) {
  EXPECT_EQ(trim("  a b\t\r\n"), "a b");
  EXPECT_EQ(trim("\tx"), "x");
  EXPECT_EQ(trim(" \t\r\n "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("a\vb"), "a\vb");
}

TEST(Text, LowerChangesAsciiLettersOnly) {
  EXPECT_EQ(lower("Mailto:A-Z_09"), "mailto:a-z_09");
  EXPECT_EQ(lower("\xC3\x84"), "\xC3\x84");
}

TEST(Text, HexValueReadsBothCasesAndRefusesTheRest) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('9'), 9);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
  EXPECT_EQ(hex_value('g'), -1);
  EXPECT_EQ(hex_value('%'), -1);
}

} // namespace
} // namespace cdpd::config
