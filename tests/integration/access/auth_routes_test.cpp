// Login, refresh, logout, me and password change through the real HTTP
// server, access guard, limiter actors and PostgreSQL.
#include <chrono>
#include <sodium.h>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "net/auth/password.hpp"
#include "tests/integration/access/auth_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

class AuthRoutes : public auth_fixture {};

TEST_F(AuthRoutes, LoginAnswersTokensAndSetsTheSessionCookie) {
  auto id = make_account("Ops@Example.org", "manager");
  auto reply = login("ops@example.ORG");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = body_of(reply);
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 15 * 60);
  EXPECT_EQ(body["role"], "manager");
  ASSERT_TRUE(body["access_token"].is_string());
  ASSERT_TRUE(body["refresh_token"].is_string());
  auto token = body["access_token"].get<std::string>();
  EXPECT_EQ(reply.header("set-cookie"),
            "cdpd_session=" + token +
                "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=900");
  EXPECT_NE(sql_value("SELECT last_login_at FROM accounts"), "NULL");
  EXPECT_EQ(sql_value("SELECT count(*) FROM refresh_tokens"), "1");

  auto me = call("GET", "/api/auth/me", nullptr, token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body_of(me), (json{{"subject", id},
                               {"role", "manager"},
                               {"via", "bearer"},
                               {"email", "Ops@Example.org"}}));

  auto by_cookie = call("GET", "/api/auth/me", nullptr, {},
                        {{"Cookie", "cdpd_session=" + token}});
  ASSERT_EQ(by_cookie.status, 200) << by_cookie.body;
  EXPECT_EQ(body_of(by_cookie)["via"], "cookie");
}

TEST_F(AuthRoutes, WrongPasswordUnknownEmailAndDisabledAccountLookAlike) {
  make_account("a@example.org", "viewer");
  auto disabled = make_account("off@example.org", "viewer");
  pqxx::connection conn{db.conninfo()};
  pqxx::nontransaction{conn}.exec(
      "UPDATE accounts SET active = false WHERE id = '" + disabled + "'");

  auto wrong = login("a@example.org", "not the password");
  auto unknown = login("nobody@example.org");
  auto inactive = login("off@example.org");
  for (const auto* reply : {&wrong, &unknown, &inactive}) {
    EXPECT_EQ(reply->status, 401) << reply->body;
    EXPECT_EQ(body_of(*reply)["detail"], "wrong email or password");
    EXPECT_TRUE(reply->has_header("www-authenticate"));
    EXPECT_FALSE(reply->has_header("set-cookie"));
  }
  EXPECT_EQ(sql_value("SELECT count(*) FROM refresh_tokens"), "0");
}

TEST_F(AuthRoutes, LoginValidatesItsBody) {
  auto reply = call("POST", "/api/auth/login", {{"email", "a@example.org"}});
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(body_of(reply)["detail"][0]["loc"],
            json::array({"body", "password"}));
  EXPECT_EQ(call("POST", "/api/auth/login", json::array()).status, 422);
}

TEST_F(AuthRoutes, LoginRehashesAnOutdatedHash) {
  ASSERT_EQ(sodium_init() >= 0, true);
  char weak[crypto_pwhash_STRBYTES];
  ASSERT_EQ(
      crypto_pwhash_str(weak, fixture_password.data(), fixture_password.size(),
                        crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN),
      0);
  ASSERT_TRUE(net::auth::needs_rehash(weak));
  auto id = make_account("old@example.org", "viewer");
  {
    pqxx::connection conn{db.conninfo()};
    pqxx::work tx{conn};
    tx.exec_params("UPDATE accounts SET password_hash = $1 WHERE id = $2::uuid",
                   std::string{weak}, id);
    tx.commit();
  }
  session("old@example.org");
  auto stored = sql_value("SELECT password_hash FROM accounts");
  EXPECT_NE(stored, weak);
  EXPECT_FALSE(net::auth::needs_rehash(stored));
  EXPECT_TRUE(net::auth::verify_password(fixture_password, stored));
}

TEST_F(AuthRoutes, FailedLoginsLockTheAccountAndTheAddress) {
  auto a = make_account("a@example.org", "viewer");
  auto b = make_account("b@example.org", "viewer");
  // Successful logins charge nothing: more of them than the limit pass.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(login("a@example.org").status, 200);

  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(login("a@example.org", "guess " + std::to_string(i)).status, 401);
  // The right password no longer helps: the account and the address (all
  // test requests come from 127.0.0.1) have used up their failures.
  auto locked = login("a@example.org");
  ASSERT_EQ(locked.status, 429) << locked.body;
  auto retry_after = std::stoll(locked.header("retry-after"));
  EXPECT_GT(retry_after, 0);
  EXPECT_NE(body_of(locked)["detail"].get<std::string>().find(
                "try again in " + std::to_string(retry_after) + " seconds"),
            std::string::npos)
      << locked.body;
  EXPECT_EQ(login("b@example.org").status, 429);
  EXPECT_FALSE(charge_failures("login-account:" + a, 1, true));
  EXPECT_FALSE(charge_failures("login-ip:127.0.0.1", 1, true));
  EXPECT_TRUE(charge_failures("login-account:" + b, 1, true));
}

TEST_F(AuthRoutes, TheAccountKeyAloneLocksOnlyThatAccount) {
  auto victim = make_account("victim@example.org", "viewer");
  make_account("other@example.org", "viewer");
  // Failures from elsewhere, charged as the route does (the key is the
  // account's id).
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(charge_failures("login-account:" + victim, 1, false));
  EXPECT_EQ(login("Victim@Example.org").status, 429);
  EXPECT_EQ(login("other@example.org").status, 200);
}

TEST_F(AuthRoutes, TheAddressKeyAloneLocksEveryAccountFromThere) {
  auto a = make_account("a@example.org", "viewer");
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(charge_failures("login-ip:127.0.0.1", 1, false));
  EXPECT_EQ(login("a@example.org").status, 429);
  EXPECT_TRUE(charge_failures("login-account:" + a, 1, true));
}

TEST_F(AuthRoutes, RefreshRotatesAndAReplayEndsEverySession) {
  auto id = make_account("a@example.org", "viewer");
  auto first = session("a@example.org");
  auto old_refresh = first["refresh_token"].get<std::string>();

  // The new access token carries the account's current role.
  pqxx::connection conn{db.conninfo()};
  pqxx::nontransaction{conn}.exec(
      "UPDATE accounts SET role = 'manager' WHERE id = '" + id + "'");
  auto rotated =
      call("POST", "/api/auth/refresh", {{"refresh_token", old_refresh}});
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  auto second = body_of(rotated);
  EXPECT_EQ(second["role"], "manager");
  EXPECT_EQ(second["token_type"], "bearer");
  EXPECT_NE(second["refresh_token"], old_refresh);
  EXPECT_TRUE(rotated.has_header("set-cookie"));
  auto me = call("GET", "/api/auth/me", nullptr,
                 second["access_token"].get<std::string>());
  EXPECT_EQ(body_of(me)["role"], "manager");

  auto replay =
      call("POST", "/api/auth/refresh", {{"refresh_token", old_refresh}});
  EXPECT_EQ(replay.status, 401) << replay.body;
  // The replay revoked the new token as well: it may have been stolen.
  auto after = call("POST", "/api/auth/refresh",
                    {{"refresh_token", second["refresh_token"]}});
  EXPECT_EQ(after.status, 401) << after.body;

  EXPECT_EQ(
      call("POST", "/api/auth/refresh", {{"refresh_token", "nonsense"}}).status,
      401);
  EXPECT_EQ(call("POST", "/api/auth/refresh", json::object()).status, 422);
}

TEST_F(AuthRoutes, RefreshRefusesExpiredTokensAndDisabledAccounts) {
  auto id = make_account("a@example.org", "viewer");
  auto first = session("a@example.org");
  pqxx::connection conn{db.conninfo()};
  pqxx::nontransaction{conn}.exec(
      "UPDATE refresh_tokens SET expires_at = expires_at - interval '60 days'");
  auto expired = call("POST", "/api/auth/refresh",
                      {{"refresh_token", first["refresh_token"]}});
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(body_of(expired)["detail"].get<std::string>().find("expired"),
            std::string::npos);

  auto second = session("a@example.org");
  pqxx::nontransaction{conn}.exec(
      "UPDATE accounts SET active = false WHERE id = '" + id + "'");
  auto disabled = call("POST", "/api/auth/refresh",
                       {{"refresh_token", second["refresh_token"]}});
  EXPECT_EQ(disabled.status, 401);
  EXPECT_EQ(body_of(disabled)["detail"], "account disabled");
}

TEST_F(AuthRoutes, LogoutRevokesTheRefreshAndTheAccessToken) {
  make_account("a@example.org", "viewer");
  auto s = session("a@example.org");
  auto token = s["access_token"].get<std::string>();
  auto jti = token_id(token);
  ASSERT_EQ(call("GET", "/api/auth/me", nullptr, token).status, 200);

  auto out = call("POST", "/api/auth/logout",
                  {{"refresh_token", s["refresh_token"]}}, token);
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(out.header("set-cookie"),
            "cdpd_session=; Path=/; HttpOnly; Secure; SameSite=Strict; "
            "Max-Age=0");
  EXPECT_TRUE(services->credentials->revoked(jti));
  EXPECT_EQ(sql_value("SELECT count(*) FROM revoked_tokens WHERE jti = '" +
                      jti + "'"),
            "1");
  EXPECT_EQ(sql_value("SELECT count(*) FROM refresh_tokens"
                      " WHERE revoked_at IS NULL"),
            "0");
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr, token).status, 401);
  EXPECT_EQ(
      call("POST", "/api/auth/refresh", {{"refresh_token", s["refresh_token"]}})
          .status,
      401);
}

TEST_F(AuthRoutes, LogoutWithoutCredentialsStillClearsTheCookie) {
  auto out = call("POST", "/api/auth/logout");
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(AuthRoutes, MeNeedsCredentials) {
  EXPECT_EQ(call("GET", "/api/auth/me").status, 401);
}

TEST_F(AuthRoutes, PasswordChange) {
  make_account("a@example.org", "viewer");
  auto s = session("a@example.org");
  auto token = s["access_token"].get<std::string>();

  auto wrong = call("POST", "/api/auth/password",
                    {{"current_password", "not it"},
                     {"new_password", "a new long passphrase"}},
                    token);
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  auto short_one =
      call("POST", "/api/auth/password",
           {{"current_password", fixture_password}, {"new_password", "short"}},
           token);
  EXPECT_EQ(short_one.status, 422) << short_one.body;
  auto long_one = call("POST", "/api/auth/password",
                       {{"current_password", fixture_password},
                        {"new_password", std::string(1025, 'x')}},
                       token);
  EXPECT_EQ(long_one.status, 422) << long_one.body;

  // Tokens carry their issue time in whole seconds: the change comes in a
  // later second than the session.
  std::this_thread::sleep_for(std::chrono::milliseconds{1100});
  auto changed = call("POST", "/api/auth/password",
                      {{"current_password", fixture_password},
                       {"new_password", "a new long passphrase"}},
                      token);
  ASSERT_EQ(changed.status, 204) << changed.body;
  // The access token issued before the change ends with it.
  auto ended = call("GET", "/api/auth/me", nullptr, token);
  EXPECT_EQ(ended.status, 401) << ended.body;
  EXPECT_EQ(body_of(ended)["detail"],
            "the account's password changed after this token was issued; "
            "log in again");
  EXPECT_EQ(login("a@example.org").status, 401);
  auto again = session("a@example.org", "a new long passphrase");
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr,
                 again["access_token"].get<std::string>())
                .status,
            200);
  // Sessions opened with the old password end.
  EXPECT_EQ(
      call("POST", "/api/auth/refresh", {{"refresh_token", s["refresh_token"]}})
          .status,
      401);
}

// A generated first password opens nothing until a login replaces it.
TEST_F(AuthRoutes, AGeneratedPasswordMustBeReplacedAtTheFirstLogin) {
  make_account("first@example.org", "admin");
  sql_value("UPDATE accounts SET must_change_password = true RETURNING id");
  auto plain = login("first@example.org");
  ASSERT_EQ(plain.status, 403) << plain.body;
  EXPECT_EQ(body_of(plain)["type"],
            "urn:cdpd:problem:password-change-required");
  auto too_short = call("POST", "/api/auth/login",
                        {{"email", "first@example.org"},
                         {"password", fixture_password},
                         {"new_password", "short"}});
  EXPECT_EQ(too_short.status, 422) << too_short.body;
  auto changed = call("POST", "/api/auth/login",
                      {{"email", "first@example.org"},
                       {"password", fixture_password},
                       {"new_password", "the one I chose myself"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(sql_value("SELECT must_change_password FROM accounts"), "f");
  EXPECT_EQ(login("first@example.org").status, 401);
  EXPECT_EQ(login("first@example.org", "the one I chose myself").status, 200);
  // Once changed, a login takes no new password: that is what
  // POST /api/auth/password is for.
  auto again = call("POST", "/api/auth/login",
                    {{"email", "first@example.org"},
                     {"password", "the one I chose myself"},
                     {"new_password", "yet another passphrase"}});
  EXPECT_EQ(again.status, 422) << again.body;
}

TEST_F(AuthRoutes, OnlyAccountsChangePasswords) {
  make_account("admin@example.org", "admin");
  auto admin = session("admin@example.org")["access_token"].get<std::string>();
  auto made = call("POST", "/api/admin/api-keys",
                   {{"name", "robot"}, {"role", "viewer"}}, admin);
  ASSERT_EQ(made.status, 201) << made.body;
  auto key = body_of(made)["key"].get<std::string>();

  auto me = call("GET", "/api/auth/me", nullptr, key);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(
      body_of(me),
      (json{{"subject", "apikey:" + body_of(made)["prefix"].get<std::string>()},
            {"role", "viewer"},
            {"via", "api_key"}}));
  auto refused = call(
      "POST", "/api/auth/password",
      {{"current_password", "x"}, {"new_password", "a new long passphrase"}},
      key);
  EXPECT_EQ(refused.status, 403) << refused.body;
}

} // namespace
} // namespace cdpd::test
