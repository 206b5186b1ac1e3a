// Contract tests of /api/segments: CRUD, definition validation (422), the
// delete conflict (409) and the member routes count, users and evaluate.
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd::test;
using nlohmann::json;

namespace {

class segments_api : public api_fixture {
protected:
  /// Creates a segment through the API and returns its JSON.
  json add_segment(const std::string& name, const json& definition) {
    return call_json("POST", "/api/segments/",
                     {{"name", name}, {"definition", definition}}, 200);
  }

  /// Creates a customer through the API and returns its id.
  std::string add_user(const std::string& email, const std::string& first,
                       const std::string& last, const std::string& state) {
    return call_json("POST", "/api/users/",
                     {{"email", email},
                      {"first_name", first},
                      {"last_name", last},
                      {"shipping_state", state}},
                     200)["id"]
        .get<std::string>();
  }

  /// Posts an order for a customer.
  void add_order(const std::string& user_id, const std::string& date,
                 double amount) {
    call_json("POST", "/api/orders/",
              {{"user_id", user_id},
               {"order_date", date},
               {"order_status", "delivered"},
               {"total_amount", amount},
               {"currency", "USD"},
               {"channel", "web"}},
              200);
  }

  /// Three customers: Alice (CA, orders 200 + 50), Bob (NY, order 80 at a
  /// fractional second) and Carol (CA, no orders), created in that order.
  void add_dataset() {
    alice = add_user("alice@example.test", "Alice", "Adams", "CA");
    bob = add_user("bob@example.test", "Bob", "Brown", "NY");
    carol = add_user("carol@example.test", "Carol", "Clark", "CA");
    add_order(alice, "2024-02-01T09:30:00", 50);
    add_order(alice, "2024-03-01T10:00:00", 200);
    add_order(bob, "2024-04-02T08:15:30.25", 80);
  }

  /// The ids in a users array.
  static std::vector<std::string> ids(const json& users) {
    std::vector<std::string> out;
    for (const auto& u : users)
      out.push_back(u["id"].get<std::string>());
    return out;
  }

  std::string alice;
  std::string bob;
  std::string carol;
};

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

json criteria(const char* how, json list) {
  return {{"logical_operator", how}, {"criteria", std::move(list)}};
}

json leaf(const char* field, const char* op, json value) {
  return {{"field", field}, {"operator", op}, {"value", std::move(value)}};
}

TEST_F(segments_api, CreateGetListBothSpellings) {
  auto def = criteria("AND", {leaf("order_count", "gte", 1)});
  auto created = call_json(
      "POST", "/api/segments",
      {{"name", "Buyers"}, {"description", "d"}, {"definition", def}}, 200);
  auto id = created["id"].get<std::string>();
  EXPECT_TRUE(looks_like_uuid(id));
  EXPECT_EQ(created["name"], "Buyers");
  EXPECT_EQ(created["description"], "d");
  EXPECT_EQ(created["definition"], def);
  EXPECT_TRUE(looks_like_naive_iso(created["created_at"].get<std::string>()));

  auto plain = call_json("POST", "/api/segments/", {{"name", "Plain"}}, 200);
  EXPECT_EQ(plain["definition"], json::object());
  EXPECT_TRUE(plain["description"].is_null());

  for (const char* path : {"/api/segments/", "/api/segments"}) {
    auto reply = call("GET", path);
    ASSERT_EQ(reply.status, 200) << path;
    auto list = body_of(reply);
    ASSERT_EQ(list.size(), 2u) << path;
    EXPECT_EQ(list[0], created);
    EXPECT_EQ(list[1], plain);
    EXPECT_EQ(reply.header("x-total-count"), "2");
  }
  auto page = call_json("GET", "/api/segments/?skip=1&limit=1", nullptr, 200);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0]["id"], plain["id"]);
  EXPECT_EQ(call("GET", "/api/segments/?limit=x").status, 422);

  EXPECT_EQ(call_json("GET", "/api/segments/" + id, nullptr, 200), created);
  EXPECT_EQ(call_json("GET", "/api/segments/" + id + "/", nullptr, 200),
            created);
}

TEST_F(segments_api, UpdateIsPartial) {
  auto def = criteria("OR", {leaf("shipping_state", "eq", "CA")});
  auto created = call_json(
      "POST", "/api/segments/",
      {{"name", "West"}, {"description", "coast"}, {"definition", def}}, 200);
  auto id = created["id"].get<std::string>();
  auto renamed =
      call_json("PUT", "/api/segments/" + id, {{"name", "West coast"}}, 200);
  EXPECT_EQ(renamed["name"], "West coast");
  EXPECT_EQ(renamed["description"], "coast");
  EXPECT_EQ(renamed["definition"], def);
  EXPECT_EQ(renamed["created_at"], created["created_at"]);

  auto cleared = call_json(
      "PUT", "/api/segments/" + id + "/",
      {{"description", nullptr}, {"definition", json::object()}}, 200);
  EXPECT_EQ(cleared["name"], "West coast");
  EXPECT_TRUE(cleared["description"].is_null());
  EXPECT_EQ(cleared["definition"], json::object());
}

TEST_F(segments_api, UnknownIdsAre404) {
  for (const auto& id : {missing_id, std::string{"not-a-uuid"}}) {
    for (auto [method, suffix] :
         {std::pair{"GET", ""}, std::pair{"DELETE", ""},
          std::pair{"GET", "/count"}, std::pair{"GET", "/users"},
          std::pair{"POST", "/evaluate"}}) {
      auto reply = call(method, "/api/segments/" + id + suffix);
      EXPECT_EQ(reply.status, 404) << method << " " << id << suffix;
      EXPECT_EQ(body_of(reply)["detail"], "Segment not found");
    }
    auto put = call("PUT", "/api/segments/" + id, json{{"name", "x"}}.dump());
    EXPECT_EQ(put.status, 404);
    EXPECT_EQ(body_of(put)["detail"], "Segment not found");
  }
}

TEST_F(segments_api, MissingNameAndWrongTypesAre422) {
  auto reply = call("POST", "/api/segments/",
                    json{{"definition", json::object()}}.dump());
  ASSERT_EQ(reply.status, 422);
  auto detail = body_of(reply)["detail"];
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "name"}));
  EXPECT_EQ(detail[0]["type"], "value_error.missing");

  reply = call("POST", "/api/segments/",
               json{{"name", "x"}, {"definition", "AND"}}.dump());
  ASSERT_EQ(reply.status, 422);
  EXPECT_EQ(body_of(reply)["detail"][0]["loc"],
            json::array({"body", "definition"}));
  EXPECT_EQ(call("POST", "/api/segments/", "[]").status, 422);
  EXPECT_EQ(sql_value("SELECT count(*) FROM segments"), "0");
}

TEST_F(segments_api, BadOperatorIs422WithPathOnCreateAndUpdate) {
  auto bad = criteria("AND", {leaf("order_count", "gte", 1),
                              leaf("total_order_value", "gtt", 100)});
  auto reply = call("POST", "/api/segments/",
                    json{{"name", "x"}, {"definition", bad}}.dump());
  ASSERT_EQ(reply.status, 422) << reply.body;
  auto detail = body_of(reply)["detail"];
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["loc"],
            json::array({"body", "definition", "criteria", 1, "operator"}));
  EXPECT_EQ(detail[0]["type"], "value_error.segment");
  EXPECT_NE(detail[0]["msg"].get<std::string>().find("\"gtt\""),
            std::string::npos);
  EXPECT_EQ(sql_value("SELECT count(*) FROM segments"), "0");

  auto good = criteria("AND", {leaf("order_count", "gte", 1)});
  auto id = add_segment("ok", good)["id"].get<std::string>();
  reply = call("PUT", "/api/segments/" + id, json{{"definition", bad}}.dump());
  ASSERT_EQ(reply.status, 422);
  EXPECT_EQ(body_of(reply)["detail"][0]["loc"],
            json::array({"body", "definition", "criteria", 1, "operator"}));
  EXPECT_EQ(call_json("GET", "/api/segments/" + id, nullptr, 200)["definition"],
            good);

  // Legacy format: the path is field.operator.
  reply = call(
      "POST", "/api/segments/",
      json{{"name", "x"}, {"definition", {{"total_order_value", {{"gtt", 1}}}}}}
          .dump());
  ASSERT_EQ(reply.status, 422);
  EXPECT_EQ(body_of(reply)["detail"][0]["loc"],
            json::array({"body", "definition", "total_order_value", "gtt"}));
}

TEST_F(segments_api, UnknownFieldIs422) {
  auto bad = criteria(
      "OR", {criteria("AND", {leaf("favourite_colour", "eq", "red")})});
  auto reply = call("POST", "/api/segments/",
                    json{{"name", "x"}, {"definition", bad}}.dump());
  ASSERT_EQ(reply.status, 422) << reply.body;
  auto detail = body_of(reply)["detail"];
  ASSERT_EQ(detail.size(), 1u);
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "definition", "criteria", 0,
                                           "criteria", 0, "field"}));
  EXPECT_EQ(detail[0]["type"], "value_error.segment");
  EXPECT_NE(detail[0]["msg"].get<std::string>().find("favourite_colour"),
            std::string::npos);
}

TEST_F(segments_api, DeleteRefusedWhileCampaignsOrFlowsUseIt) {
  auto id = add_segment("VIP", json::object())["id"].get<std::string>();
  auto flow = call_json("POST", "/api/flows/",
                        {{"segment_id", id},
                         {"name", "Welcome"},
                         {"entry_condition_type", "signup"}},
                        200);
  auto campaign = call_json(
      "POST", "/api/campaigns/",
      {{"segment_id", id}, {"name", "Spring sale"}, {"status", "draft"}}, 200);

  auto reply = call("DELETE", "/api/segments/" + id);
  ASSERT_EQ(reply.status, 409) << reply.body;
  EXPECT_EQ(body_of(reply)["detail"],
            "Segment is used by campaign \"Spring sale\" and flow \"Welcome\"; "
            "delete or move them first");
  call_json("GET", "/api/segments/" + id, nullptr, 200);

  call_json("DELETE", "/api/campaigns/" + campaign["id"].get<std::string>(),
            nullptr, 200);
  reply = call("DELETE", "/api/segments/" + id);
  ASSERT_EQ(reply.status, 409);
  EXPECT_EQ(body_of(reply)["detail"],
            "Segment is used by flow \"Welcome\"; delete or move them first");

  call_json("DELETE", "/api/flows/" + flow["id"].get<std::string>(), nullptr,
            200);
  EXPECT_EQ(call_json("DELETE", "/api/segments/" + id + "/", nullptr, 200),
            json({{"message", "Segment deleted successfully"}}));
  EXPECT_EQ(call("GET", "/api/segments/" + id).status, 404);
  EXPECT_EQ(call("DELETE", "/api/segments/" + id).status, 404);
}

TEST_F(segments_api, CountUsersAndEvaluateFindTheMembers) {
  add_dataset();
  auto big = add_segment(
      "Big", criteria("AND", {leaf("total_order_value", "gt", 100)}));
  auto id = big["id"].get<std::string>();

  for (const auto& path :
       {"/api/segments/" + id + "/count", "/api/segments/" + id + "/count/"})
    EXPECT_EQ(call_json("GET", path, nullptr, 200),
              json({{"segment_id", id}, {"count", 1}}));

  auto users = call_json("GET", "/api/segments/" + id + "/users?limit=100",
                         nullptr, 200);
  EXPECT_EQ(users, json({{"segment_id", id},
                         {"total_count", 1},
                         {"users",
                          {{{"id", alice},
                            {"name", "Alice Adams"},
                            {"email", "alice@example.test"},
                            {"total_order_value", 250.0}}}},
                         {"columns", {"name", "email", "total_order_value"}}}));

  auto evaluated =
      call_json("POST", "/api/segments/" + id + "/evaluate", nullptr, 200);
  EXPECT_EQ(evaluated["segment_id"], id);
  EXPECT_EQ(evaluated["matching_users_count"], 1);
  ASSERT_EQ(evaluated["users"].size(), 1u);
  auto user = evaluated["users"][0];
  EXPECT_EQ(user, call_json("GET", "/api/users/" + alice, nullptr, 200));
  EXPECT_EQ(user["order_count"], 2);
  EXPECT_EQ(user["last_order_date"], "2024-03-01T10:00:00");
}

TEST_F(segments_api, UsersShowTheExtraColumnWithDatesAndDashes) {
  add_dataset();
  auto id =
      add_segment("Dated or west",
                  criteria("OR", {leaf("last_order_date", "gte", "2024-04-01"),
                                  leaf("shipping_state", "eq", "CA")}))["id"]
          .get<std::string>();
  auto users =
      call_json("GET", "/api/segments/" + id + "/users/", nullptr, 200);
  EXPECT_EQ(users["total_count"], 3);
  EXPECT_EQ(users["columns"], json({"name", "email", "last_order_date"}));
  ASSERT_EQ(users["users"].size(), 3u);
  EXPECT_EQ(ids(users["users"]), (std::vector{alice, bob, carol}));
  EXPECT_EQ(users["users"][0]["last_order_date"], "2024-03-01T10:00:00");
  EXPECT_EQ(users["users"][1]["last_order_date"], "2024-04-02T08:15:30.250000");
  EXPECT_EQ(users["users"][2]["last_order_date"], "-");

  auto first =
      call_json("GET", "/api/segments/" + id + "/users?limit=1", nullptr, 200);
  EXPECT_EQ(first["total_count"], 3);
  EXPECT_EQ(ids(first["users"]), std::vector{alice});
  EXPECT_EQ(call("GET", "/api/segments/" + id + "/users?limit=many").status,
            422);

  auto evaluated = call_json(
      "POST", "/api/segments/" + id + "/evaluate?limit=2", nullptr, 200);
  EXPECT_EQ(evaluated["matching_users_count"], 3);
  EXPECT_EQ(ids(evaluated["users"]), (std::vector{alice, bob}));
  EXPECT_EQ(evaluated["users"][1]["last_order_date"],
            "2024-04-02T08:15:30.250000");
}

TEST_F(segments_api, EveryFormatCountsItsMembers) {
  add_dataset();
  struct expectation {
    json definition;
    std::vector<std::string> members;
    json columns;
  };
  const std::vector<expectation> cases = {
      {json::object(), {}, {"name", "email"}},
      {{{"total_order_value", {{"gt", 60}}}}, {alice, bob}, {"name", "email"}},
      {criteria("NOT", {leaf("shipping_state", "eq", "CA")}),
       {bob},
       {"name", "email", "shipping_state"}},
      {criteria("AND",
                {{{"event", "order"}, {"operator", "gte"}, {"value", 2}}}),
       {alice},
       {"name", "email"}},
      {criteria("AND", {leaf("order_count", "eq", 0)}),
       {carol},
       {"name", "email", "order_count"}},
  };
  for (const auto& c : cases) {
    auto id = add_segment("case", c.definition)["id"].get<std::string>();
    auto count =
        call_json("GET", "/api/segments/" + id + "/count", nullptr, 200);
    EXPECT_EQ(count["count"], c.members.size()) << c.definition;
    auto users =
        call_json("GET", "/api/segments/" + id + "/users", nullptr, 200);
    EXPECT_EQ(ids(users["users"]), c.members) << c.definition;
    EXPECT_EQ(users["columns"], c.columns) << c.definition;
  }
}

TEST_F(segments_api, StoredDefinitionThatDoesNotParseIs400) {
  auto id = sql_value("INSERT INTO segments (name, definition) VALUES ('old',"
                      " '{\"criteria\": [{\"field\": \"x\"}]}')"
                      " RETURNING id::text");
  for (auto [method, suffix] :
       {std::pair{"GET", "/count"}, std::pair{"GET", "/users"},
        std::pair{"POST", "/evaluate"}}) {
    auto reply = call(method, "/api/segments/" + id + suffix);
    EXPECT_EQ(reply.status, 400) << suffix;
    EXPECT_EQ(body_of(reply)["detail"].get<std::string>().rfind(
                  "Segment definition is invalid: criteria[0].field", 0),
              0u)
        << reply.body;
  }
  EXPECT_EQ(call_json("GET", "/api/segments/" + id, nullptr, 200)["definition"],
            json::parse(R"({"criteria": [{"field": "x"}]})"));
}

TEST_F(segments_api, InjectionInDefinitionValuesLeavesDataIntact) {
  add_dataset();
  const std::string attack =
      "x'); DELETE FROM customers; DROP TABLE orders; --";
  auto def = criteria(
      "OR", {leaf("email", "eq", attack),
             leaf("first_name", "contains", attack),
             leaf("shipping_state", "in", json::array({attack, "' OR '1'='1"})),
             leaf("last_order_date", "gt", attack),
             {{"event", "order"},
              {"where", {{"status", attack}, {"category", attack}}},
              {"operator", "gte"},
              {"value", 1}}});
  auto id = add_segment(attack, def)["id"].get<std::string>();
  EXPECT_EQ(call_json("GET", "/api/segments/" + id + "/count", nullptr, 200),
            json({{"segment_id", id}, {"count", 0}}));
  EXPECT_EQ(call_json("POST", "/api/segments/" + id + "/evaluate", nullptr,
                      200)["matching_users_count"],
            0);
  EXPECT_EQ(call_json("GET", "/api/segments/" + id, nullptr, 200)["name"],
            attack);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers"), "3");
  EXPECT_EQ(sql_value("SELECT count(*) FROM orders"), "3");
}

} // namespace
