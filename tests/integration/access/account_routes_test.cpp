// The admin routes for accounts and API keys through the real HTTP server,
// access guard and PostgreSQL.
#include <regex>

#include <gtest/gtest.h>

#include "net/auth/api_key.hpp"
#include "tests/integration/access/auth_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

class AccountRoutes : public auth_fixture {
protected:
  AccountRoutes() {
    admin_id = make_account("root@example.org", "admin");
    admin = session("root@example.org")["access_token"].get<std::string>();
  }

  http_reply as_admin(const std::string& method, const std::string& target,
                      const json& body = nullptr) {
    return call(method, target, body, admin);
  }

  std::string admin_id;
  std::string admin;
};

bool is_iso(const json& value) {
  static const std::regex re{
      "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{6})?$"};
  return value.is_string() && std::regex_match(value.get<std::string>(), re);
}

TEST_F(AccountRoutes, CreateReadListUpdateAndDisable) {
  auto made = as_admin("POST", "/api/admin/users",
                       {{"email", "Ann@Example.org"},
                        {"password", "a long enough password"},
                        {"role", "viewer"}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto ann = body_of(made);
  auto id = ann["id"].get<std::string>();
  EXPECT_EQ(ann["email"], "Ann@Example.org");
  EXPECT_EQ(ann["role"], "viewer");
  EXPECT_EQ(ann["active"], true);
  EXPECT_TRUE(is_iso(ann["created_at"]));
  EXPECT_TRUE(is_iso(ann["updated_at"]));
  EXPECT_TRUE(ann["last_login_at"].is_null());
  EXPECT_EQ(ann.size(), 7u) << ann; // never the hash
  ASSERT_TRUE(services->credentials->account(id));
  EXPECT_EQ(services->credentials->account(id)->role, net::auth::role::viewer);
  EXPECT_EQ(login("ann@example.org", "a long enough password").status, 200);

  auto taken = as_admin("POST", "/api/admin/users",
                        {{"email", "ANN@example.org"},
                         {"password", "a long enough password"},
                         {"role", "viewer"}});
  EXPECT_EQ(taken.status, 409) << taken.body;

  auto page = as_admin("GET", "/api/admin/users?limit=1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("x-total-count"), "2");
  ASSERT_TRUE(page.has_header("x-next-cursor"));
  EXPECT_EQ(body_of(page)[0]["id"], admin_id);
  auto next = as_admin("GET", "/api/admin/users?limit=1&cursor=" +
                                  page.header("x-next-cursor"));
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(body_of(next)[0]["id"], id);
  EXPECT_FALSE(next.has_header("x-next-cursor"));

  auto got = as_admin("GET", "/api/admin/users/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(body_of(got)["email"], "Ann@Example.org");
  EXPECT_FALSE(body_of(got)["last_login_at"].is_null());

  auto promoted =
      as_admin("PUT", "/api/admin/users/" + id, {{"role", "manager"}});
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(body_of(promoted)["role"], "manager");
  EXPECT_EQ(services->credentials->account(id)->role, net::auth::role::manager);

  auto reset = as_admin("PUT", "/api/admin/users/" + id,
                        {{"password", "another long password"}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(login("ann@example.org", "a long enough password").status, 401);
  auto ann_session = session("ann@example.org", "another long password");

  auto removed = as_admin("DELETE", "/api/admin/users/" + id);
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(body_of(as_admin("GET", "/api/admin/users/" + id))["active"],
            false);
  EXPECT_FALSE(services->credentials->account(id)->active);
  EXPECT_EQ(login("ann@example.org", "another long password").status, 401);
  // Her access token stops working on this node at once.
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr,
                 ann_session["access_token"].get<std::string>())
                .status,
            401);

  auto enabled = as_admin("PUT", "/api/admin/users/" + id, {{"active", true}});
  EXPECT_EQ(enabled.status, 200) << enabled.body;
  EXPECT_EQ(login("ann@example.org", "another long password").status, 200);
}

TEST_F(AccountRoutes, ValidationAndUnknownIds) {
  auto bad = as_admin(
      "POST", "/api/admin/users",
      {{"email", "not an email"}, {"password", "short"}, {"role", "root"}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(body_of(bad)["detail"].size(), 3u) << bad.body;
  EXPECT_EQ(as_admin("POST", "/api/admin/users", json::object()).status, 422);
  EXPECT_EQ(
      as_admin("PUT", "/api/admin/users/" + admin_id, {{"role", "god"}}).status,
      422);
  auto unknown = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(as_admin("GET", std::string{"/api/admin/users/"} + unknown).status,
            404);
  EXPECT_EQ(as_admin("PUT", std::string{"/api/admin/users/"} + unknown,
                     {{"role", "viewer"}})
                .status,
            404);
  EXPECT_EQ(as_admin("DELETE", "/api/admin/users/not-a-uuid").status, 404);
  EXPECT_EQ(as_admin("GET", "/api/admin/users?limit=x").status, 422);
}

TEST_F(AccountRoutes, TheLastActiveAdminStays) {
  auto demote =
      as_admin("PUT", "/api/admin/users/" + admin_id, {{"role", "manager"}});
  EXPECT_EQ(demote.status, 409) << demote.body;
  EXPECT_NE(
      body_of(demote)["detail"].get<std::string>().find("no active admin"),
      std::string::npos)
      << demote.body;
  EXPECT_EQ(as_admin("PUT", "/api/admin/users/" + admin_id, {{"active", false}})
                .status,
            409);
  EXPECT_EQ(as_admin("DELETE", "/api/admin/users/" + admin_id).status, 409);
  // Changing other things of the last admin is fine.
  EXPECT_EQ(as_admin("PUT", "/api/admin/users/" + admin_id,
                     {{"role", "admin"}, {"active", true}})
                .status,
            200);

  auto second = body_of(as_admin("POST", "/api/admin/users",
                                 {{"email", "second@example.org"},
                                  {"password", "a long enough password"},
                                  {"role", "admin"}}));
  auto second_id = second["id"].get<std::string>();
  EXPECT_EQ(
      as_admin("PUT", "/api/admin/users/" + admin_id, {{"role", "viewer"}})
          .status,
      200);
  // Now the second admin is the last one; the first is no admin any more.
  auto second_token =
      session("second@example.org", "a long enough password")["access_token"]
          .get<std::string>();
  EXPECT_EQ(
      call("DELETE", "/api/admin/users/" + second_id, nullptr, second_token)
          .status,
      409);
  EXPECT_EQ(call("GET", "/api/admin/users", nullptr, admin).status, 403);
}

TEST_F(AccountRoutes, OnlyAdminsManageAccountsAndKeys) {
  make_account("m@example.org", "manager");
  auto manager = session("m@example.org")["access_token"].get<std::string>();
  for (const auto& target : {"/api/admin/users", "/api/admin/api-keys"}) {
    EXPECT_EQ(call("GET", target, nullptr, manager).status, 403) << target;
    EXPECT_EQ(call("GET", target).status, 401) << target;
  }
  EXPECT_EQ(call("POST", "/api/admin/users",
                 {{"email", "x@example.org"},
                  {"password", "a long enough password"},
                  {"role", "admin"}},
                 manager)
                .status,
            403);
}

TEST_F(AccountRoutes, ApiKeysAreCreatedShownOnceListedAndRevoked) {
  auto made = as_admin("POST", "/api/admin/api-keys",
                       {{"name", "nightly export"}, {"role", "manager"}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto key = body_of(made);
  auto secret = key["key"].get<std::string>();
  EXPECT_EQ(secret.size(), net::auth::api_key_length);
  EXPECT_EQ(net::auth::api_key_prefix(secret), key["prefix"]);
  EXPECT_EQ(key["name"], "nightly export");
  EXPECT_EQ(key["role"], "manager");
  EXPECT_EQ(key["created_by"], admin_id);
  EXPECT_TRUE(is_iso(key["created_at"]));
  EXPECT_EQ(sql_value("SELECT key_hash FROM api_keys"),
            net::auth::api_key_hash(secret));

  auto me = call("GET", "/api/auth/me", nullptr, secret);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_of(me)["role"], "manager");
  auto by_header =
      call("GET", "/api/auth/me", nullptr, {}, {{"X-API-Key", secret}});
  EXPECT_EQ(by_header.status, 200) << by_header.body;
  // A manager key may not manage keys.
  EXPECT_EQ(call("GET", "/api/admin/api-keys", nullptr, secret).status, 403);

  auto list = as_admin("GET", "/api/admin/api-keys");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.header("x-total-count"), "1");
  auto listed = body_of(list)[0];
  EXPECT_EQ(listed["id"], key["id"]);
  EXPECT_FALSE(listed.contains("key"));
  EXPECT_FALSE(listed.contains("key_hash"));
  EXPECT_TRUE(listed["revoked_at"].is_null());

  auto id = key["id"].get<std::string>();
  EXPECT_EQ(as_admin("DELETE", "/api/admin/api-keys/" + id).status, 204);
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr, secret).status, 401);
  EXPECT_FALSE(body_of(as_admin("GET", "/api/admin/api-keys"))[0]["revoked_at"]
                   .is_null());
  EXPECT_EQ(as_admin("DELETE", "/api/admin/api-keys/" + id).status, 404);

  auto bad = as_admin("POST", "/api/admin/api-keys",
                      {{"name", ""}, {"role", "superuser"}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(body_of(bad)["detail"].size(), 2u) << bad.body;
}

} // namespace
} // namespace cdpd::test
