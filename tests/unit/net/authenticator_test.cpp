// Bearer tokens through the authenticator: a token verified once is served
// from the verified-token cache, yet expiry, revocation, a disabled account
// and a changed role still apply on every request.
#include <chrono>
#include <memory>
#include <variant>

#include <gtest/gtest.h>

#include "net/access/authenticator.hpp"

namespace cdpd::net {
namespace {

using namespace std::chrono_literals;

const auth::clock::time_point t0{std::chrono::seconds{1'780'000'000}};

class Authenticator : public ::testing::Test {
protected:
  std::shared_ptr<const auth::jwt_codec> codec =
      std::make_shared<auth::jwt_codec>(
          "authenticator-test-key-authenticator-test-key", "cdpd");
  std::shared_ptr<credential_cache> credentials =
      std::make_shared<credential_cache>();
  authenticator auth{codec, credentials, std::nullopt};

  std::string token(std::string subject = "acct-1") {
    return codec->issue(subject, auth::role::manager, 15min, t0)->token;
  }

  std::variant<caller, http_response> identify(const std::string& bearer,
                                               auth::clock::time_point now) {
    http_request request;
    request.headers.emplace_back("Authorization", "Bearer " + bearer);
    return auth.identify(request, now);
  }

  static int status(const std::variant<caller, http_response>& result) {
    auto* refused = std::get_if<http_response>(&result);
    return refused ? refused->status : 200;
  }
};

TEST_F(Authenticator, RepeatedTokenIsAcceptedUntilItExpires) {
  auto t = token();
  for (auto at : {t0 + 1s, t0 + 5min, t0 + 15min - 1s}) {
    auto result = identify(t, at);
    ASSERT_EQ(status(result), 200);
    EXPECT_EQ(std::get<caller>(result).role, auth::role::manager);
  }
  EXPECT_EQ(status(identify(t, t0 + 15min)), 401);
  EXPECT_EQ(status(identify(t, t0 + 1h)), 401);
}

TEST_F(Authenticator, CachedTokenStillMeetsRevocationAndAccountState) {
  auto t = token();
  ASSERT_EQ(status(identify(t, t0 + 1s)), 200);
  credentials->put_account("acct-1", {auth::role::viewer, true});
  EXPECT_EQ(std::get<caller>(identify(t, t0 + 2s)).role, auth::role::viewer);
  credentials->put_account("acct-1", {auth::role::viewer, false});
  EXPECT_EQ(status(identify(t, t0 + 3s)), 401);

  auto other = token("acct-2");
  auto first = identify(other, t0 + 1s);
  ASSERT_EQ(status(first), 200);
  credentials->revoke(std::get<caller>(first).token_id);
  EXPECT_EQ(status(identify(other, t0 + 2s)), 401);
}

TEST_F(Authenticator, AlteredTokenIsNeverTakenFromTheCache) {
  auto t = token();
  ASSERT_EQ(status(identify(t, t0 + 1s)), 200);
  auto altered = t;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(status(identify(altered, t0 + 2s)), 401);
  EXPECT_EQ(status(identify(t + "x", t0 + 2s)), 401);
}

TEST(VerifiedTokens, StartsOverWhenFull) {
  verified_tokens cache{2};
  auth::token_claims claims;
  claims.expires_at = t0 + 1h;
  cache.add("a", claims);
  cache.add("b", claims);
  EXPECT_TRUE(cache.find("a", t0));
  cache.add("c", claims);
  EXPECT_FALSE(cache.find("a", t0));
  EXPECT_TRUE(cache.find("c", t0));
}

} // namespace
} // namespace cdpd::net
