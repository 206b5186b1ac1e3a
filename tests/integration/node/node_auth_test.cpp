// Access on the real daemon: the first start makes an admin and prints its
// password once, routes need credentials, the signing key made then is kept
// in the database (a token survives a restart and works on a second node),
// and the served app sends browsers to /login.
#include <csignal>
#include <fstream>
#include <regex>
#include <strings.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

std::string printed_password(const std::string& output) {
  std::smatch m;
  static const std::regex re{"password: ([A-Za-z0-9_-]{24})"};
  return std::regex_search(output, m, re) ? m[1].str() : std::string{};
}

std::string login(uint16_t port, const std::string& password) {
  auto reply = http_call(
      port, "POST", "/api/auth/login",
      nlohmann::json{{"email", "admin@localhost"}, {"password", password}}
          .dump(),
      {{"Content-Type", "application/json"}});
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
  auto port = free_port();
  std::vector<std::string> args{"--postgres.url=" + db.url(),
                                "--auth.anonymous-role=none",
                                "--ratelimit.enabled=true"};
  auto first = start_cdpd(port, args);
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << first->output();

  auto password = printed_password(first->output());
  ASSERT_FALSE(password.empty()) << first->output();
  EXPECT_EQ(get_segments(port, ""), 401);
  auto token = login(port, password);
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
  EXPECT_TRUE(printed_password(second->output()).empty());
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
  EXPECT_TRUE(printed_password(cdpd->output()).empty());
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
