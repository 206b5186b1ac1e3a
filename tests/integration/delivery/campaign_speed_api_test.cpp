// `send_speed_per_minute` of the campaign API: optional and additive
// (absent on create is null, absent on update leaves it), an integer
// 1..1,000,000 or null; anything else is 422 naming the field.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/api/api_fixture.hpp"

namespace {

using nlohmann::json;

class CampaignSpeedApi : public cdpd::test::api_fixture {
protected:
  json create(const json& extra, int expected) {
    json body = {{"segment_id", make_segment("everyone")}, {"name", "Spring"}};
    body.update(extra);
    return call_json("POST", "/api/campaigns/", body, expected);
  }
};

TEST_F(CampaignSpeedApi, RoundTripsAndIsOptional) {
  auto plain = create(json::object(), 200);
  ASSERT_TRUE(plain.contains("send_speed_per_minute"));
  EXPECT_TRUE(plain["send_speed_per_minute"].is_null());

  auto fast = create({{"send_speed_per_minute", 120}}, 200);
  EXPECT_EQ(fast["send_speed_per_minute"], 120);
  auto id = fast["id"].get<std::string>();
  auto read = call_json("GET", "/api/campaigns/" + id, nullptr, 200);
  EXPECT_EQ(read["send_speed_per_minute"], 120);
  EXPECT_EQ(sql_value("SELECT send_speed_per_minute FROM campaigns"
                      " WHERE id = '" +
                      id + "'"),
            "120");

  // An update without the field leaves it; bounds are accepted.
  auto renamed =
      call_json("PUT", "/api/campaigns/" + id, {{"name", "Summer"}}, 200);
  EXPECT_EQ(renamed["name"], "Summer");
  EXPECT_EQ(renamed["send_speed_per_minute"], 120);
  for (int speed : {1, 1'000'000}) {
    auto changed = call_json("PUT", "/api/campaigns/" + id,
                             {{"send_speed_per_minute", speed}}, 200);
    EXPECT_EQ(changed["send_speed_per_minute"], speed);
  }
  // Null goes back to the default speed.
  auto cleared = call_json("PUT", "/api/campaigns/" + id,
                           {{"send_speed_per_minute", nullptr}}, 200);
  EXPECT_TRUE(cleared["send_speed_per_minute"].is_null());
  auto listed = call_json("GET", "/api/campaigns/", nullptr, 200);
  ASSERT_EQ(listed.size(), 2u);
  for (const auto& c : listed)
    EXPECT_TRUE(c["send_speed_per_minute"].is_null());
}

TEST_F(CampaignSpeedApi, AnythingButAnIntegerInRangeOrNullIs422) {
  auto id = create(json::object(), 200)["id"].get<std::string>();
  for (const json& bad :
       {json(0), json(-5), json(1'000'001), json(9'223'372'036'854'775'807LL),
        json(18'446'744'073'709'551'615ULL), json(1.5), json("60"), json(true),
        json::array({60}), json::object({{"per_minute", 60}})}) {
    for (bool on_create : {true, false}) {
      auto reply = on_create
                       ? call("POST", "/api/campaigns/",
                              json{{"segment_id", make_segment("s")},
                                   {"name", "Bad"},
                                   {"send_speed_per_minute", bad}}
                                  .dump())
                       : call("PUT", "/api/campaigns/" + id,
                              json{{"send_speed_per_minute", bad}}.dump());
      ASSERT_EQ(reply.status, 422) << bad.dump() << " " << reply.body;
      auto detail = body_of(reply)["detail"];
      ASSERT_EQ(detail.size(), 1u) << reply.body;
      EXPECT_EQ(detail[0]["loc"],
                json::array({"body", "send_speed_per_minute"}));
      EXPECT_NE(
          detail[0]["msg"].get<std::string>().find("send_speed_per_minute"),
          std::string::npos)
          << reply.body;
    }
  }
  // Nothing was written by the refused requests.
  EXPECT_EQ(sql_value("SELECT count(*) FROM campaigns"), "1");
  EXPECT_EQ(sql_value("SELECT count(*) FROM campaigns"
                      " WHERE send_speed_per_minute IS NOT NULL"),
            "0");
}

} // namespace
