// Contract tests of /api/users: shapes, defaults, errors, both slash
// spellings, paging headers.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class users_api : public api_fixture {};

TEST_F(users_api, CreateReturnsTheUserWithDefaults) {
  auto user = call_json("POST", "/api/users/",
                        {{"email", "a@example.com"},
                         {"first_name", "Ada"},
                         {"last_name", "Lovelace"}},
                        200);
  EXPECT_TRUE(looks_like_uuid(user["id"].get<std::string>()));
  EXPECT_EQ(user["email"], "a@example.com");
  EXPECT_EQ(user["marketing_opt_in"], true);
  EXPECT_TRUE(user["phone"].is_null());
  EXPECT_TRUE(user["shipping_state"].is_null());
  EXPECT_TRUE(user["total_order_value"].is_number());
  EXPECT_EQ(user["total_order_value"].get<double>(), 0.0);
  EXPECT_EQ(user["order_count"], 0);
  EXPECT_TRUE(user["last_order_date"].is_null());
  EXPECT_TRUE(looks_like_naive_iso(user["created_at"].get<std::string>()));
}

TEST_F(users_api, EmptyStringsAreStoredAsGiven) {
  auto user = make_user("b@example.com");
  EXPECT_EQ(user["phone"], "");
  EXPECT_EQ(user["shipping_state"], "CA");
}

TEST_F(users_api, DuplicateEmailIs400) {
  make_user("dup@example.com");
  auto reply = call("POST", "/api/users/",
                    json{{"email", "dup@example.com"},
                         {"first_name", "X"},
                         {"last_name", "Y"}}
                        .dump());
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(body_of(reply)["detail"], "Email already exists");
}

TEST_F(users_api, UpdateToATakenEmailIs400AndChangesNothing) {
  make_user("first@example.com");
  auto second = make_user("second@example.com");
  auto reply =
      call("PUT", "/api/users/" + second["id"].get<std::string>(),
           json{{"email", "first@example.com"}, {"first_name", "Z"}}.dump());
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(body_of(reply)["detail"], "Email already exists");
  EXPECT_EQ(sql_value("SELECT first_name FROM customers "
                      "WHERE email = 'second@example.com'"),
            "Ada");
}

TEST_F(users_api, MissingFieldsAre422WithTheDetailArray) {
  auto reply = call("POST", "/api/users/", json{{"email", "x@y.z"}}.dump());
  ASSERT_EQ(reply.status, 422);
  auto detail = body_of(reply)["detail"];
  ASSERT_TRUE(detail.is_array());
  ASSERT_EQ(detail.size(), 2u);
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "first_name"}));
  EXPECT_EQ(detail[0]["msg"], "field required");
  EXPECT_EQ(detail[0]["type"], "value_error.missing");
  EXPECT_EQ(detail[1]["loc"], json::array({"body", "last_name"}));
}

TEST_F(users_api, WrongTypesAndBadBodiesAre422) {
  auto reply = call("POST", "/api/users/",
                    json{{"email", "x@y.z"},
                         {"first_name", "A"},
                         {"last_name", "B"},
                         {"marketing_opt_in", "maybe"}}
                        .dump());
  ASSERT_EQ(reply.status, 422);
  auto detail = body_of(reply)["detail"];
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "marketing_opt_in"}));
  EXPECT_EQ(detail[0]["type"], "type_error.bool");
  EXPECT_EQ(call("POST", "/api/users/", "{not json").status, 422);
  EXPECT_EQ(call("POST", "/api/users/", "[1]").status, 422);
  EXPECT_EQ(call("POST", "/api/users/", "").status, 422);
}

TEST_F(users_api, GetAnswersBothSlashSpellingsAnd404) {
  auto user = make_user("c@example.com");
  auto id = user["id"].get<std::string>();
  EXPECT_EQ(call_json("GET", "/api/users/" + id, nullptr, 200), user);
  EXPECT_EQ(call_json("GET", "/api/users/" + id + "/", nullptr, 200), user);
  for (auto missing : {std::string{"00000000-0000-4000-8000-000000000000"},
                       std::string{"not-a-uuid"}}) {
    auto reply = call("GET", "/api/users/" + missing);
    EXPECT_EQ(reply.status, 404);
    EXPECT_EQ(body_of(reply)["detail"], "User not found");
  }
}

TEST_F(users_api, UpdateIsPartial) {
  auto id = make_user("d@example.com")["id"].get<std::string>();
  auto updated = call_json("PUT", "/api/users/" + id,
                           {{"first_name", "Grace"}, {"phone", nullptr}}, 200);
  EXPECT_EQ(updated["first_name"], "Grace");
  EXPECT_EQ(updated["last_name"], "Lovelace");
  EXPECT_TRUE(updated["phone"].is_null());
  EXPECT_EQ(updated["shipping_state"], "CA");
  auto reply = call("PUT", "/api/users/00000000-0000-4000-8000-000000000000",
                    json{{"first_name", "X"}}.dump());
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(body_of(reply)["detail"], "User not found");
}

TEST_F(users_api, DeleteReturnsTheMessageThen404) {
  auto id = make_user("e@example.com")["id"].get<std::string>();
  auto done = call_json("DELETE", "/api/users/" + id, nullptr, 200);
  EXPECT_EQ(done, json({{"message", "User deleted successfully"}}));
  auto again = call("DELETE", "/api/users/" + id);
  EXPECT_EQ(again.status, 404);
  EXPECT_EQ(body_of(again)["detail"], "User not found");
}

TEST_F(users_api, ListSearchesAndPages) {
  make_user("first@example.com");
  make_user("second@example.com");
  make_user("third@sample.org");
  for (auto path : {"/api/users/", "/api/users"}) {
    auto all = call("GET", std::string{path} + "?search=&limit=100");
    ASSERT_EQ(all.status, 200);
    EXPECT_EQ(body_of(all).size(), 3u);
    EXPECT_EQ(all.header("x-total-count"), "3");
  }
  auto found = body_of(call("GET", "/api/users/?search=EXAMPLE"));
  EXPECT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]["email"], "first@example.com"); // insertion order
  EXPECT_EQ(body_of(call("GET", "/api/users/?search=s_cond")).size(), 1u);

  auto first = call("GET", "/api/users/?limit=2");
  EXPECT_EQ(body_of(first).size(), 2u);
  auto cursor = first.header("x-next-cursor");
  ASSERT_FALSE(cursor.empty());
  auto rest = call("GET", "/api/users/?limit=2&cursor=" + cursor);
  ASSERT_EQ(rest.status, 200) << rest.body;
  auto rest_body = body_of(rest);
  ASSERT_EQ(rest_body.size(), 1u);
  EXPECT_EQ(rest_body[0]["email"], "third@sample.org");
  EXPECT_FALSE(rest.has_header("x-next-cursor"));
  EXPECT_EQ(body_of(call("GET", "/api/users/?skip=2")).size(), 1u);

  auto bad = call("GET", "/api/users/?limit=abc");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(body_of(bad)["detail"][0]["loc"], json::array({"query", "limit"}));
  EXPECT_EQ(call("GET", "/api/users/?cursor=garbage").status, 422);
}

} // namespace
