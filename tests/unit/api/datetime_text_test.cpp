#include <gtest/gtest.h>

#include "net/api/datetime_text.hpp"

using namespace cdpd::net::api;

TEST(datetime_text, ParsesIsoForms) {
  EXPECT_EQ(parse_datetime("2024-03-01T10:00:00"), "2024-03-01T10:00:00");
  EXPECT_EQ(parse_datetime("2024-03-01 10:00"), "2024-03-01T10:00:00");
  EXPECT_EQ(parse_datetime("2024-03-01"), "2024-03-01T00:00:00");
  EXPECT_EQ(parse_datetime("2024-03-01T10:00:00.5"),
            "2024-03-01T10:00:00.500000");
  EXPECT_EQ(parse_datetime("2024-03-01T10:00:00.000000"),
            "2024-03-01T10:00:00");
  EXPECT_EQ(parse_datetime("2024-03-01T10:00:00Z"), "2024-03-01T10:00:00");
}

TEST(datetime_text, ConvertsOffsetsToUtc) {
  EXPECT_EQ(parse_datetime("2024-03-01T01:30:00+02:00"), "2024-02-29T23:30:00");
  EXPECT_EQ(parse_datetime("2024-12-31T23:00:00-0130"), "2025-01-01T00:30:00");
}

TEST(datetime_text, RejectsMalformedValues) {
  for (auto bad :
       {"", "yesterday", "2024-02-30", "2023-02-29T00:00:00", "2024-13-01",
        "2024-03-01T24:00:00", "2024-03-01T10", "2024-03-01T10:00:00.1234567",
        "2024-03-01X10:00", "2024-03-01T10:00:00 trailing"})
    EXPECT_FALSE(parse_datetime(bad)) << bad;
  EXPECT_TRUE(parse_datetime("2024-02-29"));
}

TEST(datetime_text, CampaignDatesFollowThePrototype) {
  EXPECT_EQ(parse_campaign_start_time("2024-04-01T09:30:00.000Z"),
            "2024-04-01T09:30:00");
  EXPECT_EQ(parse_campaign_start_time("2024-04-01T09:30:00+05:00"),
            "2024-04-01T09:30:00");
  EXPECT_FALSE(parse_campaign_start_time("tomorrow"));
  EXPECT_EQ(parse_campaign_start_date("2024-04-01"), "2024-04-01T00:00:00");
  EXPECT_EQ(parse_campaign_start_date("2024-04-01T00:00:00"),
            "2024-04-01T00:00:00");
  EXPECT_FALSE(parse_campaign_start_date("04/01/2024"));
  EXPECT_FALSE(parse_date("2024-04-01T00:00:00"));
}
