// The sign-in page's `next`: after a real login the browser goes there, so
// anything a browser would read as another origin must become "/".
#include <gtest/gtest.h>

#include "net/access/login_page.hpp"

namespace cdpd::net {
namespace {

TEST(LoginNext, PathsThatBrowsersReadAsAnotherOriginBecomeTheRoot) {
  for (const char* attack :
       {"/\\evil.example", "/\t/evil.example", "/\n/evil.example",
        "//evil.example", "https://evil.example", "javascript:alert(1)",
        "\\\\evil.example", "", "evil.example", "/\r/evil.example"})
    EXPECT_EQ(local_next(attack), "/") << attack;
}

TEST(LoginNext, LocalPathsStay) {
  for (const char* path :
       {"/", "/campaigns", "/segments/7?tab=rules#top", "/%2F/x", "/a//b"})
    EXPECT_EQ(local_next(path), path);
}

TEST(LoginNext, ThePageCarriesTheVettedPathEscaped) {
  auto attacked = login_page_for("/\\evil.example");
  EXPECT_NE(attacked.find(R"(data-next="/")"), std::string::npos);
  EXPECT_EQ(attacked.find("evil"), std::string::npos);
  auto quoted = login_page_for(R"(/x?q="><script>)");
  EXPECT_NE(quoted.find(R"(data-next="/x?q=&quot;&gt;&lt;script&gt;")"),
            std::string::npos);
}

} // namespace
} // namespace cdpd::net
