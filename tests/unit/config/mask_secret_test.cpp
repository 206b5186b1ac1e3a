#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace cdpd::config {
namespace {

TEST(MaskSecret, UrlPassword) {
  EXPECT_EQ(mask_secret("postgresql://cdp:s3cret@db:5432/cdp"),
            "postgresql://cdp:***@db:5432/cdp");
  EXPECT_EQ(mask_secret("redis://:pw@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0");
}

TEST(MaskSecret, UrlPasswordContainingAt) {
  EXPECT_EQ(mask_secret("postgres://u:p@ss@host/db"),
            "postgres://u:***@host/db");
}

TEST(MaskSecret, UrlWithoutPasswordIsUnchanged) {
  for (auto url : {"postgresql://cdp@db/cdp", "postgres://db:5432/cdp",
                   "redis://localhost", "redis://:@host"})
    EXPECT_EQ(mask_secret(url), url);
}

TEST(MaskSecret, UrlQueryPassword) {
  EXPECT_EQ(
      mask_secret("postgresql://db/cdp?user=a&password=x&sslmode=require"),
      "postgresql://db/cdp?user=a&password=***&sslmode=require");
  EXPECT_EQ(mask_secret("postgresql://u:p@db/cdp?password=x#f"),
            "postgresql://u:***@db/cdp?password=***#f");
}

TEST(MaskSecret, ConninfoPassword) {
  EXPECT_EQ(mask_secret("host=db user=cdp password=s3cret dbname=cdp"),
            "host=db user=cdp password=*** dbname=cdp");
  EXPECT_EQ(mask_secret("host=db password = 'a b\\' c' port=5432"),
            "host=db password = *** port=5432");
  EXPECT_EQ(mask_secret("password=x://y@z host=db"), "password=*** host=db");
}

TEST(MaskSecret, ConninfoWithoutPasswordIsUnchanged) {
  std::string conninfo = "host=127.0.0.1 port=25432 user=postgres";
  EXPECT_EQ(mask_secret(conninfo), conninfo);
}

TEST(MaskSecret, UnparseableTextWithPasswordIsHidden) {
  EXPECT_EQ(mask_secret("host=db password='unterminated"), "***");
}

TEST(MaskSecret, PlainTextIsUnchanged) {
  EXPECT_EQ(mask_secret(""), "");
  EXPECT_EQ(mask_secret("/var/lib/cdpd"), "/var/lib/cdpd");
}

} // namespace
} // namespace cdpd::config
