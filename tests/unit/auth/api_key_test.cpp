#include "net/auth/api_key.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cdpd::net::auth {
namespace {

TEST(ApiKey, GeneratedKeyHasTheDocumentedShape) {
  auto k = generate_api_key();
  ASSERT_EQ(k.key.size(), api_key_length) << k.key;
  EXPECT_EQ(k.key.rfind("cdpd_" + k.prefix + "_", 0), 0u) << k.key;
  EXPECT_EQ(k.prefix.size(), 8u);
  EXPECT_EQ(api_key_prefix(k.key), k.prefix);
  EXPECT_EQ(k.hash, api_key_hash(k.key));
  EXPECT_EQ(k.hash.size(), 64u);
  EXPECT_EQ(k.key.find(k.hash), std::string::npos);
}

TEST(ApiKey, KeysAndPrefixesAreDistinct) {
  std::set<std::string> keys;
  std::set<std::string> prefixes;
  for (int i = 0; i < 200; ++i) {
    auto k = generate_api_key();
    keys.insert(k.key);
    prefixes.insert(k.prefix);
  }
  EXPECT_EQ(keys.size(), 200u);
  EXPECT_EQ(prefixes.size(), 200u);
}

TEST(ApiKey, HashIsSha256OfTheWholeKey) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(api_key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKey, MatchesOnlyTheExactKey) {
  auto k = generate_api_key();
  EXPECT_TRUE(api_key_matches(k.key, k.hash));
  auto tampered = k.key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(api_key_matches(tampered, k.hash));
  EXPECT_FALSE(api_key_matches(k.key, k.hash.substr(1)));
  EXPECT_FALSE(api_key_matches(k.key, ""));
  EXPECT_FALSE(api_key_matches(generate_api_key().key, k.hash));
}

TEST(ApiKey, PrefixRefusesOtherShapes) {
  auto k = generate_api_key().key;
  for (const std::string& bad :
       {std::string{}, std::string("cdpd_"), k.substr(1), k + "x",
        "xdpd" + k.substr(4), k.substr(0, 13) + "-" + k.substr(14),
        k.substr(0, 5) + "ABCDEFGH" + k.substr(13),
        k.substr(0, 20) + "!" + k.substr(21), "Bearer " + k.substr(7)})
    EXPECT_FALSE(api_key_prefix(bad).has_value()) << bad;
}

} // namespace
} // namespace cdpd::net::auth
