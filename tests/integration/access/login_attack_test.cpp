// Attacks on the login throttle and the login answer: each test does what
// an attacker would and expects to get nowhere.
#include <chrono>
#include <future>
#include <vector>

#include <gtest/gtest.h>

#include "actors/limits/limiter_region.hpp"
#include "net/access/password_hasher.hpp"
#include "net/auth/password.hpp"
#include "tests/integration/access/auth_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

class LoginAttacks : public auth_fixture {
protected:
  void erase_from_registry(const std::string& name) {
    sys->registry().erase(caf::atom_from_string(name));
  }
};

// Passwords are checked on the hasher, a pool of its own, never on a
// pg-write connection, and a flood larger than the pool can check within
// its queue wait is refused at once (503) instead of piling up: a write
// made during the flood goes through, and logins work again after it.
TEST_F(LoginAttacks, AFloodOfLoginsIsShedWithoutStallingWrites) {
  using namespace std::chrono_literals;
  make_account("admin@example.org", "admin");
  auto admin = session("admin@example.org")["access_token"].get<std::string>();
  // No throttle (it would stop one address first) and a small hasher.
  services->settings.login_max_failures = 0;
  erase_from_registry(net::password_hasher_name);
  caf::anon_send_exit(hasher, caf::exit_reason::user_shutdown);
  net::password_hasher_options small;
  small.workers = 1;
  small.queue_wait = 50ms;
  hasher = net::spawn_password_hasher(*sys, small);
  sys->registry().put(caf::atom_from_string(net::password_hasher_name),
                      caf::actor_cast<caf::strong_actor_ptr>(hasher));

  std::vector<std::future<http_reply>> flood;
  for (int i = 0; i < 24; ++i)
    flood.push_back(std::async(std::launch::async, [this, i] {
      return login("nobody" + std::to_string(i) + "@example.org", "guess");
    }));
  auto write = call("POST", "/api/admin/api-keys",
                    {{"name", "during the flood"}, {"role", "viewer"}}, admin);
  EXPECT_EQ(write.status, 201) << write.body;
  int refused = 0, busy = 0;
  for (auto& f : flood) {
    auto reply = f.get();
    if (reply.status == 401)
      ++refused;
    else if (reply.status == 503) {
      ++busy;
      EXPECT_EQ(body_of(reply)["detail"],
                "password checks are busy; try again in a second");
      EXPECT_EQ(reply.header("retry-after"), "1");
    } else
      ADD_FAILURE() << reply.status << " " << reply.body;
  }
  EXPECT_GE(refused, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(login("admin@example.org").status, 200);
}

TEST_F(LoginAttacks, ANulInTheEmailIsRefusedBeforeItReachesSql) {
  make_account("admin@example.org", "admin");
  // libpq would end the parameter at the NUL and find the account, while
  // the throttle counted a key nobody else uses.
  auto reply = call("POST", "/api/auth/login",
                    {{"email", std::string{"admin@example.org\0x", 19}},
                     {"password", "guess"}});
  ASSERT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(body_of(reply)["detail"][0]["type"], "value_error.str.nul");
  auto key = call("POST", "/api/auth/login",
                  {{std::string{"email\0", 6}, "admin@example.org"},
                   {"password", "guess"}});
  EXPECT_EQ(key.status, 422) << key.body;
}

TEST_F(LoginAttacks, ParallelGuessesGetNoMoreTriesThanTheLimit) {
  make_account("a@example.org", "viewer");
  std::vector<std::future<int>> guesses;
  for (int i = 0; i < 8; ++i)
    guesses.push_back(std::async(std::launch::async, [this, i] {
      return login("a@example.org", "guess " + std::to_string(i)).status;
    }));
  int checked = 0;
  int refused = 0;
  for (auto& g : guesses) {
    auto status = g.get();
    checked += status == 401;
    refused += status == 429;
  }
  EXPECT_EQ(checked, 3) << "passwords checked beyond login-max-failures";
  EXPECT_EQ(refused, 5);
}

TEST_F(LoginAttacks, EverySpellingOfAnEmailCountsAgainstTheAccount) {
  auto id = make_account("a@example.org", "viewer");
  for (const char* spelling : {"A@example.org", "a@EXAMPLE.org"})
    EXPECT_EQ(login(spelling, "guess").status, 401);
  EXPECT_TRUE(charge_failures("login-account:" + id, 1, false));
  EXPECT_FALSE(charge_failures("login-account:" + id, 1, true))
      << "two failed spellings and one more must use up the account's three";
}

TEST_F(LoginAttacks, ASuccessGivesItsReservedFailureBack) {
  auto id = make_account("a@example.org", "viewer");
  EXPECT_EQ(login("a@example.org", "guess").status, 401);
  EXPECT_EQ(login("a@example.org", "guess again").status, 401);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(login("a@example.org").status, 200) << i;
  EXPECT_TRUE(charge_failures("login-account:" + id, 1, true));
}

TEST_F(LoginAttacks, NoLimiterMeansNoLogin) {
  make_account("a@example.org", "viewer");
  for (int i = 0; i < limiter_host_count; ++i) {
    erase_from_registry(actors::limits::limiter_host_name(i));
    erase_from_registry(actors::limits::limiter_host_direct_name(i));
    caf::anon_send_exit(limiter_hosts[static_cast<std::size_t>(i)],
                        caf::exit_reason::kill);
  }
  auto reply = login("a@example.org");
  ASSERT_EQ(reply.status, 503) << reply.body;
  EXPECT_TRUE(reply.has_header("retry-after"));
  EXPECT_NE(
      body_of(reply)["type"].get<std::string>().find("throttle-unavailable"),
      std::string::npos)
      << reply.body;
}

TEST_F(LoginAttacks, AnOverlongPasswordIsRefusedBeforeTheLookup) {
  make_account("a@example.org", "viewer");
  // Without the database a lookup would fail: the answer shows none ran,
  // for a known and an unknown email alike.
  erase_from_registry("pg-write");
  erase_from_registry("pg-read");
  std::string overlong(net::auth::max_password_bytes + 1, 'x');
  for (const char* email : {"a@example.org", "nobody@example.org"}) {
    auto reply = login(email, overlong);
    EXPECT_EQ(reply.status, 401) << email << ": " << reply.body;
    EXPECT_EQ(body_of(reply)["detail"], "wrong email or password");
  }
}

TEST_F(LoginAttacks, ACrossSiteTextPlainFormCannotLogIn) {
  make_account("a@example.org", "viewer");
  // What <form enctype="text/plain"> on another site sends, no preflight.
  json body{{"email", "a@example.org"}, {"password", fixture_password}};
  for (const char* target :
       {"/api/auth/login", "/api/auth/refresh", "/api/auth/logout"}) {
    auto reply = http_call(port, "POST", target, body.dump(),
                           {{"Content-Type", "text/plain"}});
    EXPECT_EQ(reply.status, 415) << target << ": " << reply.body;
    EXPECT_FALSE(reply.has_header("set-cookie")) << target;
  }
}

} // namespace
} // namespace cdpd::test
