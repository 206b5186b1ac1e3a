// storage::update_account: partial changes, refresh-token revocation and the
// last-admin rule, also under concurrent demotions.
#include <algorithm>
#include <latch>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/repositories/account_repository.hpp"
#include "tests/integration/auth/auth_test_db.hpp"

namespace cdpd::storage {
namespace {

template <class T> T ok(caf::expected<T> x) {
  if (!x) {
    ADD_FAILURE() << describe(x.error());
    return T{};
  }
  return std::move(*x);
}

std::string make_account(pqxx::connection& conn, const std::string& email,
                         const std::string& role) {
  auto made = ok(create_account(conn, email, "hash", role));
  EXPECT_TRUE(made.value) << email;
  return made.value ? made.value->id : std::string{};
}

/// True when the refresh token hashed `hash` is not revoked.
bool live(pqxx::connection& conn, const std::string& hash) {
  pqxx::nontransaction tx{conn};
  return tx
      .exec_params1("SELECT revoked_at IS NULL FROM refresh_tokens"
                    " WHERE token_hash = $1",
                    hash)[0]
      .as<bool>();
}

account_changes role_change(std::string role) {
  account_changes c;
  c.role = std::move(role);
  return c;
}

TEST(UpdateAccount, AppliesOnlyWhatIsGiven) {
  test::auth_test_db db;
  auto id = make_account(db.conn(), "a@example.org", "viewer");
  ok(store_refresh_token(db.conn(), id, "r1", 3600));

  auto promoted = ok(update_account(db.conn(), id, role_change("manager")));
  ASSERT_EQ(promoted.result, account_update_result::updated);
  EXPECT_EQ(promoted.account->role, "manager");
  EXPECT_TRUE(promoted.account->active);
  EXPECT_EQ(promoted.account->password_hash, "hash");
  // A role change leaves sessions alone; a new password ends them.
  EXPECT_TRUE(live(db.conn(), "r1"));
  account_changes password;
  password.password_hash = "new-hash";
  auto changed = ok(update_account(db.conn(), id, password));
  EXPECT_EQ(changed.account->password_hash, "new-hash");
  EXPECT_EQ(changed.account->role, "manager");
  EXPECT_FALSE(live(db.conn(), "r1"));

  EXPECT_EQ(ok(update_account(db.conn(), "00000000-0000-4000-8000-000000000000",
                              role_change("admin")))
                .result,
            account_update_result::not_found);
  EXPECT_EQ(ok(update_account(db.conn(), "nope", role_change("admin"))).result,
            account_update_result::not_found);
}

TEST(UpdateAccount, KeepsTheLastActiveAdmin) {
  test::auth_test_db db;
  auto a = make_account(db.conn(), "a@example.org", "admin");
  auto b = make_account(db.conn(), "b@example.org", "admin");
  account_changes disable;
  disable.active = false;
  EXPECT_EQ(ok(update_account(db.conn(), b, disable)).result,
            account_update_result::updated);
  // A disabled admin does not count.
  EXPECT_EQ(ok(count_active_admins(db.conn())), 1);
  EXPECT_EQ(ok(update_account(db.conn(), a, role_change("viewer"))).result,
            account_update_result::last_admin);
  EXPECT_EQ(ok(update_account(db.conn(), a, disable)).result,
            account_update_result::last_admin);
  EXPECT_EQ(ok(get_account(db.conn(), a))->role, "admin");
  // Changing a disabled admin is never the last admin's business.
  EXPECT_EQ(ok(update_account(db.conn(), b, role_change("viewer"))).result,
            account_update_result::updated);
}

TEST(UpdateAccount, TwoAdminsDemotingEachOtherLeaveOne) {
  test::auth_test_db db;
  for (int round = 0; round < 10; ++round) {
    pqxx::nontransaction{db.conn()}.exec("DELETE FROM accounts");
    auto a = make_account(db.conn(), "a@example.org", "admin");
    auto b = make_account(db.conn(), "b@example.org", "admin");
    std::latch start{2};
    std::vector<account_update_result> results(2);
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
      threads.emplace_back([&, i] {
        pqxx::connection conn{db.conninfo()};
        start.arrive_and_wait();
        results[i] =
            ok(update_account(conn, i == 0 ? a : b, role_change("viewer")))
                .result;
      });
    for (auto& t : threads)
      t.join();
    EXPECT_EQ(ok(count_active_admins(db.conn())), 1) << "round " << round;
    EXPECT_EQ(std::count(results.begin(), results.end(),
                         account_update_result::last_admin),
              1)
        << "round " << round;
  }
}

} // namespace
} // namespace cdpd::storage
