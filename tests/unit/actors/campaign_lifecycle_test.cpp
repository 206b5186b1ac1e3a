// The campaign lifecycle's rules, move by move, without a database.
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "actors/campaigns/campaign_lifecycle.hpp"

using namespace cdpd::actors::campaigns;

namespace {

const std::optional<std::string> not_queued;
const std::optional<std::string> waiting{"waiting"};
const std::optional<std::string> sending{"sending"};

TEST(CampaignLifecycle, NamesRoundTripAndNothingElseParses) {
  for (auto s : {campaign_status::draft, campaign_status::active,
                 campaign_status::paused, campaign_status::completed})
    EXPECT_EQ(parse_campaign_status(to_string(s)), s);
  EXPECT_FALSE(parse_campaign_status("Active"));
  EXPECT_FALSE(parse_campaign_status("archived"));
  EXPECT_FALSE(parse_campaign_status(""));
}

TEST(CampaignLifecycle, TheSameStatusAgainIsAlwaysAllowed) {
  for (auto s : {campaign_status::draft, campaign_status::active,
                 campaign_status::paused, campaign_status::completed})
    EXPECT_EQ(refusal_of(s, sending, s), "") << to_string(s);
}

TEST(CampaignLifecycle, ACompletedCampaignStaysCompleted) {
  for (auto to : {campaign_status::draft, campaign_status::active,
                  campaign_status::paused})
    EXPECT_EQ(refusal_of(campaign_status::completed, not_queued, to),
              "Campaign is completed; its status cannot change");
}

TEST(CampaignLifecycle, OnlyAnActiveCampaignCanBePaused) {
  EXPECT_EQ(
      refusal_of(campaign_status::active, sending, campaign_status::paused),
      "");
  EXPECT_EQ(
      refusal_of(campaign_status::draft, not_queued, campaign_status::paused),
      "Only an active campaign can be paused");
}

TEST(CampaignLifecycle, ADraftCannotBeCompleted) {
  EXPECT_EQ(refusal_of(campaign_status::draft, not_queued,
                       campaign_status::completed),
            "A draft campaign cannot be completed");
  EXPECT_EQ(
      refusal_of(campaign_status::paused, sending, campaign_status::completed),
      "");
}

TEST(CampaignLifecycle, BackToDraftOnlyBeforeSending) {
  EXPECT_EQ(
      refusal_of(campaign_status::active, waiting, campaign_status::draft), "");
  EXPECT_EQ(refusal_of(campaign_status::active, std::string{"failed"},
                       campaign_status::draft),
            "");
  EXPECT_EQ(
      refusal_of(campaign_status::paused, sending, campaign_status::draft),
      "A campaign that started sending cannot return to draft");
}

} // namespace
