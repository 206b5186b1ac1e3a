// `cdpctl login` and `cdpctl users ...` through the real binary against an
// in-process server with the access guard.
#include <gtest/gtest.h>

#include "tests/integration/access/auth_fixture.hpp"
#include "tests/support/child_process.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;

class CdpctlUsers : public auth_fixture {
protected:
  CdpctlUsers() {
    make_account("root@example.org", "admin");
    admin = session("root@example.org")["access_token"].get<std::string>();
  }

  /// Runs cdpctl with `args` against the fixture's server; returns the exit
  /// code and sets `output` to what it printed (stdout and stderr).
  int cdpctl(std::vector<std::string> args, const std::string& token,
             std::vector<std::string> env = {}) {
    std::vector<std::string> argv{CDPCTL_BINARY, "--url=http://127.0.0.1:" +
                                                     std::to_string(port)};
    if (!token.empty())
      argv.push_back("--token=" + token);
    argv.insert(argv.end(), args.begin(), args.end());
    child_process ctl{argv, env};
    auto code = ctl.wait(60s);
    output = ctl.output();
    return code.value_or(-1);
  }

  std::string admin;
  std::string output;
};

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

TEST_F(CdpctlUsers, LoginPrintsTheAccessToken) {
  ASSERT_EQ(cdpctl({"login", "--email", "root@example.org"}, {},
                   {"CDPD_PASSWORD=" + fixture_password}),
            0)
      << output;
  auto token = first_line(output);
  EXPECT_EQ(output, token + "\n");
  EXPECT_EQ(call("GET", "/api/auth/me", nullptr, token).status, 200);

  EXPECT_EQ(cdpctl({"login", "--email=root@example.org"}, {},
                   {"CDPD_PASSWORD=not the password"}),
            1);
  EXPECT_NE(output.find("wrong email or password"), std::string::npos)
      << output;
  EXPECT_EQ(cdpctl({"login"}, {}), 2) << output;
}

TEST_F(CdpctlUsers, AddListSetRoleAndDisable) {
  ASSERT_EQ(cdpctl({"users", "add", "gen@example.org", "viewer", "--generate"},
                   admin),
            0)
      << output;
  auto at = output.find("password: ");
  ASSERT_NE(at, std::string::npos) << output;
  auto generated = first_line(output.substr(at + 10));
  EXPECT_EQ(generated.size(), 24u);
  EXPECT_EQ(login("gen@example.org", generated).status, 200);

  ASSERT_EQ(cdpctl({"users", "add", "env@example.org", "manager"}, admin,
                   {"CDPD_PASSWORD=a long enough password"}),
            0)
      << output;
  EXPECT_EQ(output.find("password: "), std::string::npos) << output;
  EXPECT_EQ(login("env@example.org", "a long enough password").status, 200);

  ASSERT_EQ(cdpctl({"users", "list"}, admin), 0) << output;
  for (const auto* email :
       {"root@example.org", "gen@example.org", "env@example.org"})
    EXPECT_NE(output.find(email), std::string::npos) << output;

  ASSERT_EQ(cdpctl({"users", "set-role", "GEN@example.org", "manager"}, admin),
            0)
      << output;
  auto gen = body_of(call("GET", "/api/admin/users?limit=10", nullptr, admin));
  std::string gen_id;
  for (const auto& a : gen)
    if (a["email"] == "gen@example.org") {
      EXPECT_EQ(a["role"], "manager");
      gen_id = a["id"];
    }
  ASSERT_FALSE(gen_id.empty());

  ASSERT_EQ(cdpctl({"users", "disable", gen_id}, admin), 0) << output;
  EXPECT_EQ(login("gen@example.org", generated).status, 401);
  ASSERT_EQ(cdpctl({"users", "disable", "env@example.org"}, admin), 0)
      << output;
  EXPECT_EQ(login("env@example.org", "a long enough password").status, 401);

  EXPECT_EQ(cdpctl({"users", "disable", "root@example.org"}, admin), 1);
  EXPECT_NE(output.find("409"), std::string::npos) << output;
  EXPECT_EQ(cdpctl({"users", "disable", "nobody@example.org"}, admin), 1);
  EXPECT_NE(output.find("no account has the email"), std::string::npos)
      << output;
}

TEST_F(CdpctlUsers, ExplainsMissingAndInsufficientCredentials) {
  EXPECT_EQ(cdpctl({"users", "list"}, {}), 1);
  EXPECT_NE(output.find("HTTP 401"), std::string::npos) << output;
  EXPECT_NE(output.find("cdpctl login"), std::string::npos) << output;

  make_account("v@example.org", "viewer");
  auto viewer = session("v@example.org")["access_token"].get<std::string>();
  EXPECT_EQ(cdpctl({"users", "list"}, viewer), 1);
  EXPECT_NE(output.find("HTTP 403"), std::string::npos) << output;
  EXPECT_NE(output.find("permission denied"), std::string::npos) << output;

  EXPECT_EQ(
      cdpctl({"users", "add", "x@example.org", "root", "--generate"}, admin),
      2);
  EXPECT_EQ(cdpctl({"users", "frobnicate"}, admin), 2);
}

} // namespace
} // namespace cdpd::test
