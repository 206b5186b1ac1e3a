#include "net/auth/password.hpp"

#include <gtest/gtest.h>

#include "net/auth/errc.hpp"

namespace cdpd::net::auth {
namespace {

TEST(Password, HashVerifiesOnlyItsPassword) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash) << describe(hash.error());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
  EXPECT_TRUE(verify_password("correct horse battery staple", *hash));
  EXPECT_FALSE(verify_password("correct horse battery stapl", *hash));
  EXPECT_FALSE(verify_password("", *hash));
  EXPECT_FALSE(needs_rehash(*hash));
}

TEST(Password, SaltMakesEveryHashDifferent) {
  auto a = hash_password("same password");
  auto b = hash_password("same password");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(verify_password("same password", *b));
}

TEST(Password, BadHashStringsNeverVerify) {
  for (auto hash :
       {"", "plain", "$argon2id$v=19$m=65536,t=2,p=1$bad$bad",
        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01"})
    EXPECT_FALSE(verify_password("anything", hash)) << hash;
  EXPECT_TRUE(needs_rehash("plain"));
}

TEST(Password, OverLongPasswordsAreRefused) {
  std::string huge(max_password_bytes + 1, 'x');
  auto hash = hash_password(huge);
  ASSERT_FALSE(hash);
  EXPECT_TRUE(hash.error() == errc::crypto_failed);
  auto ok = hash_password(std::string(max_password_bytes, 'x'));
  ASSERT_TRUE(ok);
  EXPECT_FALSE(verify_password(huge, *ok));
}

TEST(Password, DummyVerificationNeverMatches) {
  EXPECT_FALSE(verify_against_dummy(""));
  EXPECT_FALSE(verify_against_dummy("admin"));
}

TEST(Password, GeneratedPasswordsAreLongAndDistinct) {
  auto a = generate_password();
  auto b = generate_password();
  EXPECT_EQ(a.size(), 24u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
                                "tuvwxyz0123456789-_"),
            std::string::npos)
      << a;
}

} // namespace
} // namespace cdpd::net::auth
