// Rotating the access-token key: tokens signed before keep working for
// their life, a node signs with the new key only once every node can know
// it, the previous key is refused after its window, an immediate rotation
// ends every session at once, and message links outlive every rotation.
#include <gtest/gtest.h>
#include <jwt/base64.hpp>
#include <pqxx/pqxx>

#include "net/access/credentials_refresher.hpp"
#include "net/access/token_keys.hpp"
#include "net/auth/jwt_key.hpp"
#include "storage/repositories/credential_repository.hpp"
#include "tests/integration/access/auth_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

/// The fixture's node with its key kept in the database, as a node without
/// auth.jwt-secret runs.
class TokenKeyRotation : public auth_fixture {
protected:
  TokenKeyRotation() {
    services->settings.jwt_secret.clear();
    pqxx::connection conn{db.conninfo()};
    auto stored = storage::ensure_cluster_secret(conn, "jwt-signing-key",
                                                 std::string(43, 's'));
    if (!stored)
      throw std::runtime_error("ensure_cluster_secret failed");
    first_key = *stored;
    services->tokens->use({net::auth::make_hs256_key(first_key), {}});
    make_account("root@example.org", "admin");
    admin = token_of("root@example.org");
  }

  std::string token_of(const std::string& email) {
    return session(email)["access_token"].get<std::string>();
  }

  /// The kid in a token's header.
  static std::string kid_of(const std::string& token) {
    auto part = token.substr(0, token.find('.'));
    return json::parse(jwt::base64_uri_decode(part.data(), part.size()))
        .value("kid", "");
  }

  int status_with(const std::string& token) {
    return call("GET", "/api/auth/me", nullptr, token).status;
  }

  /// Moves the current key's activation `seconds` into the past, as time
  /// passing would, and reloads this node's keys as its refresher does.
  void age_current_key(int seconds) {
    sql_value("UPDATE cluster_secrets SET created_at = created_at - "
              "make_interval(secs => " +
              std::to_string(seconds) +
              ") WHERE name = 'jwt-signing-key' RETURNING 1");
    reload();
  }

  void reload() {
    auto loaded = net::load_credentials_now(*read_pool, *services);
    ASSERT_TRUE(loaded);
  }

  json rotate(bool immediate = false, int expect = 200) {
    auto reply = call("POST", "/api/admin/token-keys/rotate",
                      {{"immediate", immediate}}, admin);
    EXPECT_EQ(reply.status, expect) << reply.body;
    return body_of(reply);
  }

  std::string first_key;
  std::string admin;
};

TEST_F(TokenKeyRotation,
       TheNewKeySignsOnceEveryNodeKnowsItAndTheOldOneLastsItsTokensLife) {
  auto first_kid = net::auth::make_hs256_key(first_key).kid;
  auto before = admin;
  EXPECT_EQ(kid_of(before), first_kid);

  auto rotated = rotate();
  auto new_kid = rotated["new_key"].get<std::string>();
  EXPECT_NE(new_kid, first_kid);
  EXPECT_EQ(rotated["previous_key"], first_kid);
  ASSERT_TRUE(rotated["active_from"].is_string());
  ASSERT_TRUE(rotated["previous_accepted_until"].is_string());

  // Not active yet: other nodes may not have loaded it, so this node still
  // signs with the first key and already accepts the new one.
  EXPECT_EQ(kid_of(token_of("root@example.org")), first_kid);
  auto keys = body_of(call("GET", "/api/admin/token-keys", nullptr, admin));
  EXPECT_EQ(keys["source"], "database");
  EXPECT_EQ(keys["signing"], first_kid);
  EXPECT_EQ(keys["accepted"], json::array({new_kid}));

  // Active: the new key signs, the first one is still accepted.
  age_current_key(10);
  auto after = token_of("root@example.org");
  EXPECT_EQ(kid_of(after), new_kid);
  EXPECT_EQ(status_with(before), 200);
  EXPECT_EQ(status_with(after), 200);

  // A second rotation now would drop tokens of the first key still alive.
  auto early = call("POST", "/api/admin/token-keys/rotate", nullptr, after);
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_TRUE(early.has_header("retry-after"));
  EXPECT_EQ(body_of(early)["type"], "urn:cdpd:problem:rotation-settling");

  // Past the window (an access token's life and the leeway): refused.
  age_current_key(15 * 60 + 60);
  EXPECT_EQ(status_with(before), 401);
  EXPECT_EQ(status_with(after), 200);
  keys = body_of(call("GET", "/api/admin/token-keys", nullptr, after));
  EXPECT_EQ(keys["accepted"], json::array());
}

TEST_F(TokenKeyRotation, AnImmediateRotationEndsEverySessionAtOnce) {
  auto before = admin;
  auto rotated = rotate(true);
  EXPECT_TRUE(rotated["previous_key"].is_null());
  EXPECT_EQ(status_with(before), 401) << "signed with the dropped key";
  auto fresh = token_of("root@example.org");
  EXPECT_EQ(kid_of(fresh), rotated["new_key"]);
  EXPECT_EQ(status_with(fresh), 200);
  // The next node to reload agrees.
  reload();
  EXPECT_EQ(status_with(fresh), 200);
  EXPECT_EQ(status_with(before), 401);
}

TEST_F(TokenKeyRotation, RotationNeedsAnAdminAndAStoredKey) {
  make_account("ops@example.org", "manager");
  auto manager = token_of("ops@example.org");
  EXPECT_EQ(
      call("POST", "/api/admin/token-keys/rotate", nullptr, manager).status,
      403);
  auto bad = call("POST", "/api/admin/token-keys/rotate",
                  {{"immediate", "maybe"}}, admin);
  EXPECT_EQ(bad.status, 422) << bad.body;

  services->settings.jwt_secret = std::string(48, 'k');
  auto configured =
      call("POST", "/api/admin/token-keys/rotate", nullptr, admin);
  EXPECT_EQ(configured.status, 409) << configured.body;
  EXPECT_NE(configured.body.find("auth.jwt-previous-secret"),
            std::string::npos);
}

TEST_F(TokenKeyRotation, MessageLinksOutliveRotations) {
  // A link sent before links had a key of their own: derived from the
  // token key in use then.
  net::auth::link_signer legacy{first_key};
  auto sent = legacy.sign(net::auth::link_kind::unsubscribe, 42);

  // What a node stores and uses at start, after the upgrade.
  pqxx::connection conn{db.conninfo()};
  auto link_signer_at_start = [&](const std::string& token_key) {
    auto stored = storage::ensure_cluster_secret(
        conn, net::link_key_name, net::first_link_key(token_key));
    EXPECT_TRUE(stored);
    return net::link_signer_for(stored ? *stored : std::string{});
  };
  auto at_upgrade = link_signer_at_start(first_key);
  ASSERT_TRUE(at_upgrade);
  EXPECT_EQ(at_upgrade->verify(net::auth::link_kind::unsubscribe, sent), 42);

  rotate(true);
  auto rows = storage::load_credentials(conn);
  ASSERT_TRUE(rows);
  auto new_key = rows->token_keys.current->value;
  ASSERT_NE(new_key, first_key);
  auto after_rotation = link_signer_at_start(new_key);
  ASSERT_TRUE(after_rotation);
  EXPECT_EQ(after_rotation->verify(net::auth::link_kind::unsubscribe, sent),
            42);
  EXPECT_FALSE(net::link_signer_for("not hex"));
}

TEST(ConfiguredTokenKeys, ThePreviousConfiguredKeyIsAcceptedBesideTheNew) {
  config::auth_settings s;
  s.jwt_secret = std::string(40, 'n');
  s.jwt_previous_secret = std::string(40, 'o');
  auto ring = net::configured_ring(s);
  ASSERT_TRUE(ring);
  EXPECT_EQ(ring->signing.secret, s.jwt_secret);
  ASSERT_EQ(ring->also_accepted.size(), 1u);
  EXPECT_EQ(ring->also_accepted[0].secret, s.jwt_previous_secret);

  net::auth::jwt_codec old_node{s.jwt_previous_secret, "cdpd"};
  auto old_token =
      old_node.issue("acct", net::auth::role::viewer, std::chrono::minutes{5},
                     net::auth::clock::now());
  ASSERT_TRUE(old_token);
  net::auth::jwt_codec rotated{std::move(*ring), "cdpd"};
  EXPECT_TRUE(rotated.verify(old_token->token, net::auth::clock::now()));

  s.jwt_previous_secret = "short";
  EXPECT_FALSE(net::configured_ring(s));
}

} // namespace
} // namespace cdpd::test
