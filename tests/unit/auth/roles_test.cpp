#include "net/auth/roles.hpp"

#include <gtest/gtest.h>

namespace cdpd::net::auth {
namespace {

TEST(Roles, NamesRoundTrip) {
  for (auto r : {role::viewer, role::manager, role::admin})
    EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_EQ(to_string(role::manager), "manager");
}

TEST(Roles, ParseRefusesOtherText) {
  for (auto text : {"", "none", "Admin", "ADMIN", "root", "viewer ", "admins"})
    EXPECT_FALSE(parse_role(text).has_value()) << text;
}

TEST(Roles, HigherRolesIncludeLowerOnes) {
  EXPECT_TRUE(allows(role::admin, role::admin));
  EXPECT_TRUE(allows(role::admin, role::manager));
  EXPECT_TRUE(allows(role::admin, role::viewer));
  EXPECT_TRUE(allows(role::manager, role::manager));
  EXPECT_TRUE(allows(role::manager, role::viewer));
  EXPECT_FALSE(allows(role::manager, role::admin));
  EXPECT_TRUE(allows(role::viewer, role::viewer));
  EXPECT_FALSE(allows(role::viewer, role::manager));
  EXPECT_FALSE(allows(role::viewer, role::admin));
}

TEST(Roles, AnonymousRoleSetting) {
  EXPECT_FALSE(anonymous_role("none").has_value());
  EXPECT_EQ(anonymous_role("viewer"), role::viewer);
  EXPECT_EQ(anonymous_role("admin"), role::admin);
}

} // namespace
} // namespace cdpd::net::auth
