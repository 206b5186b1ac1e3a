// Accounts, refresh tokens and revoked token ids against a real PostgreSQL.
#include "storage/repositories/account_repository.hpp"

#include <algorithm>
#include <chrono>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "net/auth/password.hpp"
#include "net/auth/secrets.hpp"
#include "storage/errc.hpp"
#include "tests/integration/auth/auth_test_db.hpp"

namespace cdpd::storage {
namespace {

/// The value of an expected, failing the test (and returning a default)
/// on a storage error.
template <class T> T ok(caf::expected<T> x) {
  if (!x) {
    ADD_FAILURE() << describe(x.error());
    return T{};
  }
  return std::move(*x);
}

account_record make_account(pqxx::connection& conn, const std::string& email,
                            const std::string& role = "viewer") {
  auto made = ok(create_account(conn, email, "hash-of-" + email, role));
  EXPECT_TRUE(made.value) << email;
  return made.value.value_or(account_record{});
}

/// Runs `sql` and returns the first column of its single row.
template <class T> T scalar(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx{conn};
  return tx.exec1(sql)[0].as<T>();
}

TEST(Accounts, CreateFindAndEmailIsUniqueIgnoringCase) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "Ops@Example.org", "manager");
  EXPECT_EQ(a.email, "Ops@Example.org");
  EXPECT_EQ(a.role, "manager");
  EXPECT_TRUE(a.active);
  EXPECT_FALSE(a.last_login_at);
  auto again = ok(create_account(db.conn(), "ops@example.ORG", "h", "viewer"));
  EXPECT_FALSE(again.value);
  EXPECT_EQ(again.why, refusal::email_taken);
  auto found = ok(find_account_by_email(db.conn(), "OPS@EXAMPLE.ORG"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a.id);
  EXPECT_EQ(found->password_hash, "hash-of-Ops@Example.org");
  EXPECT_FALSE(ok(find_account_by_email(db.conn(), "nobody@example.org")));
  EXPECT_EQ(ok(get_account(db.conn(), a.id))->email, a.email);
  EXPECT_FALSE(ok(get_account(db.conn(), "not-a-uuid")));
  EXPECT_FALSE(
      ok(get_account(db.conn(), "00000000-0000-0000-0000-000000000000")));
  EXPECT_EQ(ok(count_accounts(db.conn())), 1);
}

TEST(Accounts, TheDatabaseRefusesUnknownRoles) {
  test::auth_test_db db;
  auto made = create_account(db.conn(), "x@example.org", "h", "root");
  ASSERT_FALSE(made);
  EXPECT_TRUE(made.error() == errc::query_failed) << describe(made.error());
}

TEST(Accounts, RoleActiveLoginAndPassword) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "a@example.org");
  auto promoted = ok(set_account_role(db.conn(), a.id, "admin"));
  ASSERT_TRUE(promoted);
  EXPECT_EQ(promoted->role, "admin");
  EXPECT_FALSE(ok(set_account_role(
      db.conn(), "00000000-0000-0000-0000-000000000000", "admin")));
  auto off = ok(set_account_active(db.conn(), a.id, false));
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->active);
  EXPECT_TRUE(ok(set_account_active(db.conn(), a.id, true))->active);
  EXPECT_TRUE(ok(record_login(db.conn(), a.id)));
  EXPECT_TRUE(ok(get_account(db.conn(), a.id))->last_login_at);
  EXPECT_TRUE(ok(set_password_hash(db.conn(), a.id, "new-hash")));
  EXPECT_EQ(ok(get_account(db.conn(), a.id))->password_hash, "new-hash");
  EXPECT_FALSE(ok(set_password_hash(db.conn(), "bad", "x")));
}

TEST(Accounts, ListsInPages) {
  test::auth_test_db db;
  for (int i = 0; i < 5; ++i)
    make_account(db.conn(), "u" + std::to_string(i) + "@example.org");
  page_request first;
  first.limit = 2;
  auto p1 = ok(list_accounts(db.conn(), first));
  EXPECT_EQ(p1.total, 5);
  ASSERT_EQ(p1.items.size(), 2u);
  ASSERT_TRUE(p1.next_cursor);
  std::vector<std::string> seen{p1.items[0].email, p1.items[1].email};
  page_request rest;
  rest.limit = 10;
  rest.after = p1.next_cursor;
  auto p2 = ok(list_accounts(db.conn(), rest));
  ASSERT_EQ(p2.items.size(), 3u);
  EXPECT_FALSE(p2.next_cursor);
  for (auto& a : p2.items)
    seen.push_back(a.email);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
}

TEST(Accounts, BootstrapCreatesAnAdminOnlyIntoAnEmptyTable) {
  test::auth_test_db db;
  auto hash = net::auth::hash_password("first admin password");
  ASSERT_TRUE(hash);
  auto admin = ok(bootstrap_admin(db.conn(), "admin@localhost", *hash));
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->role, "admin");
  EXPECT_TRUE(
      net::auth::verify_password("first admin password", admin->password_hash));
  EXPECT_FALSE(ok(bootstrap_admin(db.conn(), "other@localhost", *hash)));
  EXPECT_EQ(ok(count_accounts(db.conn())), 1);
}

TEST(Accounts, AGeneratedFirstPasswordMustChangeAndAChangeIsDated) {
  test::auth_test_db db;
  auto admin = ok(bootstrap_admin(db.conn(), "admin@localhost", "hash", true));
  ASSERT_TRUE(admin);
  EXPECT_TRUE(admin->must_change_password);
  EXPECT_EQ(admin->password_changed_epoch, 0);
  // A change of role is no change of password.
  account_changes role;
  role.role = "admin";
  auto same = ok(update_account(db.conn(), admin->id, role));
  ASSERT_TRUE(same.account);
  EXPECT_TRUE(same.account->must_change_password);
  EXPECT_EQ(same.account->password_changed_epoch, 0);
  auto before = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  account_changes password;
  password.password_hash = "another hash";
  auto changed = ok(update_account(db.conn(), admin->id, password));
  ASSERT_TRUE(changed.account);
  EXPECT_FALSE(changed.account->must_change_password);
  EXPECT_GE(changed.account->password_changed_epoch, before - 1);
  EXPECT_LE(changed.account->password_changed_epoch, before + 5);
}

TEST(Accounts, BootstrapRacingNodesCreateOneAdmin) {
  test::auth_test_db db;
  constexpr int nodes = 4;
  for (int round = 0; round < 5; ++round) {
    {
      pqxx::work tx{db.conn()};
      tx.exec0("DELETE FROM accounts");
      tx.commit();
    }
    std::vector<std::unique_ptr<pqxx::connection>> conns;
    for (int i = 0; i < nodes; ++i)
      conns.push_back(std::make_unique<pqxx::connection>(db.conninfo()));
    std::latch start{nodes};
    std::vector<int> created(nodes, -1);
    std::vector<std::thread> threads;
    for (int i = 0; i < nodes; ++i)
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto made = bootstrap_admin(
            *conns[i], "admin" + std::to_string(i) + "@localhost", "hash");
        created[i] = made ? (made->has_value() ? 1 : 0) : -1;
      });
    for (auto& t : threads)
      t.join();
    int total = 0;
    for (int c : created) {
      EXPECT_NE(c, -1) << "round " << round;
      total += c == 1 ? 1 : 0;
    }
    EXPECT_EQ(total, 1) << "round " << round;
    EXPECT_EQ(ok(count_accounts(db.conn())), 1) << "round " << round;
  }
}

TEST(RefreshTokens, RotateOnceThenReplayRevokesTheFamily) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "r@example.org", "manager");
  auto t1 = net::auth::sha256_hex(net::auth::random_token(32));
  auto t2 = net::auth::sha256_hex(net::auth::random_token(32));
  auto t3 = net::auth::sha256_hex(net::auth::random_token(32));
  auto stored = ok(store_refresh_token(db.conn(), a.id, t1, 3600));
  EXPECT_EQ(stored.account_id, a.id);

  auto first = ok(rotate_refresh_token(db.conn(), t1, t2, 3600));
  EXPECT_EQ(first.result, rotation_result::rotated);
  ASSERT_TRUE(first.account);
  EXPECT_EQ(first.account->id, a.id);
  EXPECT_EQ(first.account->role, "manager");
  ASSERT_TRUE(first.replacement);

  // t1 presented again: treated as stolen, so t2 dies with it.
  auto replay = ok(rotate_refresh_token(db.conn(), t1, t3, 3600));
  EXPECT_EQ(replay.result, rotation_result::replayed);
  EXPECT_FALSE(replay.account);
  EXPECT_EQ(ok(rotate_refresh_token(db.conn(), t2, t3, 3600)).result,
            rotation_result::replayed);
  EXPECT_EQ(ok(rotate_refresh_token(db.conn(), "unknown", t3, 3600)).result,
            rotation_result::unknown);
}

TEST(RefreshTokens, LogoutExpiryAndDisabledAccounts) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "l@example.org");
  ok(store_refresh_token(db.conn(), a.id, "live", 3600));
  EXPECT_TRUE(ok(revoke_refresh_token(db.conn(), "live")));
  EXPECT_FALSE(ok(revoke_refresh_token(db.conn(), "live")));
  EXPECT_EQ(ok(rotate_refresh_token(db.conn(), "live", "n1", 3600)).result,
            rotation_result::replayed);

  ok(store_refresh_token(db.conn(), a.id, "old", -10));
  EXPECT_EQ(ok(rotate_refresh_token(db.conn(), "old", "n2", 3600)).result,
            rotation_result::expired);

  ok(store_refresh_token(db.conn(), a.id, "before-disable", 3600));
  ok(store_refresh_token(db.conn(), a.id, "other-device", 3600));
  ASSERT_TRUE(ok(set_account_active(db.conn(), a.id, false)));
  EXPECT_EQ(
      ok(rotate_refresh_token(db.conn(), "before-disable", "n3", 3600)).result,
      rotation_result::replayed);
  ASSERT_TRUE(ok(set_account_active(db.conn(), a.id, true)));
  ok(store_refresh_token(db.conn(), a.id, "t-a", 3600));
  ok(store_refresh_token(db.conn(), a.id, "t-b", 3600));
  EXPECT_EQ(ok(revoke_account_refresh_tokens(db.conn(), a.id)), 2);
}

TEST(RefreshTokens, InactiveAccountCannotRotate) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "i@example.org");
  ok(store_refresh_token(db.conn(), a.id, "tok", 3600));
  {
    // Disabled behind the repository's back: the token itself is live.
    pqxx::work tx{db.conn()};
    tx.exec0("UPDATE accounts SET active = false");
    tx.commit();
  }
  EXPECT_EQ(ok(rotate_refresh_token(db.conn(), "tok", "n", 3600)).result,
            rotation_result::account_inactive);
}

TEST(RevokedTokens, AddCheckAndPurge) {
  test::auth_test_db db;
  auto now =
      scalar<int64_t>(db.conn(), "SELECT extract(epoch FROM now())::bigint");
  EXPECT_FALSE(ok(is_token_id_revoked(db.conn(), "jti-1")));
  EXPECT_TRUE(ok(revoke_token_id(db.conn(), "jti-1", now + 900)));
  EXPECT_FALSE(ok(revoke_token_id(db.conn(), "jti-1", now + 900)));
  EXPECT_TRUE(ok(is_token_id_revoked(db.conn(), "jti-1")));
  EXPECT_TRUE(ok(revoke_token_id(db.conn(), "jti-gone", now - 60)));
  auto a = make_account(db.conn(), "p@example.org");
  ok(store_refresh_token(db.conn(), a.id, "expired-refresh", -60));
  ok(store_refresh_token(db.conn(), a.id, "live-refresh", 3600));
  EXPECT_EQ(ok(purge_expired_tokens(db.conn())), 2);
  EXPECT_TRUE(ok(is_token_id_revoked(db.conn(), "jti-1")));
  EXPECT_FALSE(ok(is_token_id_revoked(db.conn(), "jti-gone")));
  EXPECT_EQ(scalar<int64_t>(db.conn(), "SELECT count(*) FROM refresh_tokens"),
            1);
}

} // namespace
} // namespace cdpd::storage
