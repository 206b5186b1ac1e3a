#include "net/auth/jwt_key.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "net/auth/errc.hpp"

namespace cdpd::net::auth {
namespace {

const std::string key64(64, 'a');

/// A file in the temp folder, removed afterwards.
struct temp_file {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("cdpd-jwt-key-" + std::to_string(::getpid()));
  explicit temp_file(const std::string& text) {
    std::ofstream{path, std::ios::binary} << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

TEST(SigningKey, FromTheSetting) {
  config::auth_settings s;
  s.jwt_secret = key64;
  auto key = signing_key(s);
  ASSERT_TRUE(key) << describe(key.error());
  EXPECT_EQ(*key, key64);
}

TEST(SigningKey, FromAFileWithoutTrailingNewline) {
  temp_file file{key64 + "\r\n"};
  config::auth_settings s;
  s.jwt_secret_file = file.path.string();
  auto key = signing_key(s);
  ASSERT_TRUE(key) << describe(key.error());
  EXPECT_EQ(*key, key64);
}

TEST(SigningKey, ShortKeysAreRefusedWithAHint) {
  temp_file file{std::string(31, 'k') + "\n"};
  config::auth_settings s;
  s.jwt_secret_file = file.path.string();
  auto key = signing_key(s);
  ASSERT_FALSE(key);
  EXPECT_TRUE(key.error() == errc::key_too_short);
  EXPECT_NE(describe(key.error()).find("openssl rand -hex 32"),
            std::string::npos);
  EXPECT_EQ(describe(key.error()).find("kkkk"), std::string::npos);
}

TEST(SigningKey, MissingKeyOrFile) {
  config::auth_settings s;
  auto none = signing_key(s);
  ASSERT_FALSE(none);
  EXPECT_TRUE(none.error() == errc::key_missing);
  s.jwt_secret_file = "/nonexistent/cdpd/jwt.key";
  auto unreadable = signing_key(s);
  ASSERT_FALSE(unreadable);
  EXPECT_TRUE(unreadable.error() == errc::key_missing);
  EXPECT_NE(describe(unreadable.error()).find("/nonexistent/cdpd/jwt.key"),
            std::string::npos);
}

} // namespace
} // namespace cdpd::net::auth
