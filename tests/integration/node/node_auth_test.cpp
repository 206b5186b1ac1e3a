// Access on the real daemon: the first start makes an admin with a
// generated password in a 0600 file that the first login must replace,
// routes need credentials, the signing key made then is kept
// in the database (a token survives a restart and works on a second node),
// and the served app sends browsers to /login.
#include <csignal>
#include <fstream>
#include <regex>
#include <strings.h>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

/// A generated password: 24 characters of [A-Za-z0-9_-].
const std::regex generated_password{"[A-Za-z0-9_-]{24}"};

/// Whether `output` says it made the first admin.
bool made_an_admin(const std::string& output) {
  return output.find("created the first admin") != std::string::npos;
}

http_reply try_login(uint16_t port, const std::string& password,
                     const std::string& new_password = {}) {
  nlohmann::json body{{"email", "admin@localhost"}, {"password", password}};
  if (!new_password.empty())
    body["new_password"] = new_password;
  return http_call(port, "POST", "/api/auth/login", body.dump(),
                   {{"Content-Type", "application/json"}});
}

std::string login(uint16_t port, const std::string& password,
                  const std::string& new_password = {}) {
  auto reply = try_login(port, password, new_password);
  EXPECT_EQ(reply.status, 200) << reply.body;
  auto body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_object() ? body.value("access_token", "") : "";
}

int get_segments(uint16_t port, const std::string& token) {
  header_list headers;
  if (!token.empty())
    headers.emplace_back("Authorization", "Bearer " + token);
  return http_call(port, "GET", "/api/segments/", {}, headers).status;
}

} // namespace

TEST(NodeAuth, FirstStartMakesAnAdminAndTokensOutliveARestart) {
  pg_test_db db;
  temp_state_dir state;
  auto port = free_port();
  std::vector<std::string> args{
      "--postgres.url=" + db.url(), "--auth.anonymous-role=none",
      "--ratelimit.enabled=true",
      "--auth.bootstrap-password=", "--state.dir=" + state.path()};
  auto first = start_cdpd(port, args);
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << first->output();

  // The password is in a file only its owner may read, not in the output.
  auto file = state.path() + "/first-admin-password";
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0) << first->output();
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  std::string password;
  std::getline(std::ifstream{file}, password);
  ASSERT_TRUE(std::regex_match(password, generated_password)) << password;
  EXPECT_EQ(first->output().find(password), std::string::npos);
  EXPECT_TRUE(made_an_admin(first->output())) << first->output();
  EXPECT_NE(first->output().find(file), std::string::npos);
  EXPECT_EQ(get_segments(port, ""), 401);
  // It opens nothing until it is replaced, and a wrong one is still wrong.
  auto must_change = try_login(port, password);
  EXPECT_EQ(must_change.status, 403) << must_change.body;
  EXPECT_NE(must_change.body.find("password-change-required"),
            std::string::npos);
  EXPECT_EQ(try_login(port, "not-the-password", "new-password-123").status,
            401);
  EXPECT_EQ(try_login(port, password, "short").status, 422);
  auto token = login(port, password, "first-admin-chose-this");
  EXPECT_EQ(try_login(port, password).status, 401);
  EXPECT_FALSE(login(port, "first-admin-chose-this").empty());
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(get_segments(port, token), 200);
  EXPECT_EQ(http_call(port, "GET", "/metrics").status, 200);
  {
    pqxx::connection c{db.conninfo()};
    pqxx::nontransaction tx{c};
    // The token key and the message link key.
    EXPECT_EQ(tx.exec1("SELECT string_agg(name, ',' ORDER BY name) FROM "
                       "cluster_secrets")[0]
                  .as<std::string>(),
              "jwt-signing-key,link-signing-key");
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM accounts")[0].as<int>(), 1);
  }

  // A second node on the same database: no second admin, no password
  // printed, and it accepts the first node's token.
  auto port2 = free_port();
  auto second = start_cdpd(port2, args);
  ASSERT_TRUE(wait_ready_status(port2, 200, 30s)) << second->output();
  EXPECT_FALSE(made_an_admin(second->output())) << second->output();
  std::string still;
  std::getline(std::ifstream{file}, still);
  EXPECT_EQ(still, password);
  EXPECT_EQ(get_segments(port2, token), 200);
  second->signal(SIGTERM);
  EXPECT_EQ(second->wait(30s), 0) << second->output();

  first->signal(SIGTERM);
  EXPECT_EQ(first->wait(30s), 0) << first->output();
  auto again = start_cdpd(port, args);
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << again->output();
  EXPECT_EQ(get_segments(port, token), 200);
  again->signal(SIGTERM);
  EXPECT_EQ(again->wait(30s), 0) << again->output();
}

TEST(NodeAuth, AConfiguredPasswordAndPrivateMetrics) {
  pg_test_db db;
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + db.url(),
                                "--auth.anonymous-role=none",
                                "--auth.bootstrap-password=correct-horse-42",
                                "--auth.public-metrics=false"});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  EXPECT_EQ(cdpd->output().find("first-admin-password"), std::string::npos);
  EXPECT_EQ(cdpd->output().find("correct-horse-42"), std::string::npos);
  EXPECT_EQ(http_call(port, "GET", "/metrics").status, 401);
  auto token = login(port, "correct-horse-42");
  EXPECT_EQ(http_call(port, "GET", "/metrics", {},
                      {{"Authorization", "Bearer " + token}})
                .status,
            200);
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeAuth, BrowsersWithoutASessionAreSentToLogin) {
  pg_test_db db;
  temp_state_dir site;
  {
    std::ofstream{site.path() + "/index.html"} << "<!doctype html><p>app</p>";
    std::ofstream{site.path() + "/app.js"} << "console.log(1)";
  }
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + db.url(),
                                "--auth.anonymous-role=none",
                                "--auth.bootstrap-password=correct-horse-42",
                                "--http.static-dir=" + site.path()});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();
  header_list browser{{"Accept", "text/html,application/xhtml+xml"}};

  auto page = http_call(port, "GET", "/segments?x=1", {}, browser);
  EXPECT_EQ(page.status, 303);
  std::string location;
  for (const auto& [name, value] : page.headers)
    if (strcasecmp(name.c_str(), "Location") == 0)
      location = value;
  EXPECT_EQ(location, "/login?next=/segments%3Fx%3D1");
  auto form = http_call(port, "GET", "/login", {}, browser);
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<form id=\"login\" data-next=\"/\">"),
            std::string::npos);
  EXPECT_EQ(http_call(port, "GET", "/login.js").status, 200);
  // The app's files are public; only page loads are sent away.
  EXPECT_EQ(http_call(port, "GET", "/app.js").status, 200);

  auto token = login(port, "correct-horse-42");
  browser.emplace_back("Cookie", "cdpd_session=" + token);
  auto app = http_call(port, "GET", "/segments", {}, browser);
  EXPECT_EQ(app.status, 200);
  EXPECT_NE(app.body.find("<p>app</p>"), std::string::npos);
  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}
