// http.static-dir as an operator sees it: the daemon serves a built
// single-page app next to its API, and a bad folder stops start-up.
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* index_html = "<!doctype html><div id=\"root\"></div>";
constexpr const char* asset_path = "/assets/index-B3x9_kQz.js";

void write(const std::string& path, const std::string& content) {
  std::ofstream{path, std::ios::binary} << content;
}

/// A folder shaped like a Vite build.
void make_site(const std::string& dir) {
  ASSERT_EQ(system(("mkdir -p '" + dir + "/assets'").c_str()), 0);
  write(dir + "/index.html", index_html);
  write(dir + asset_path, "console.log('app')");
}

} // namespace

TEST(NodeStaticDir, ServesTheAppNextToTheApi) {
  temp_state_dir site;
  make_site(site.path());
  pg_test_db db;
  auto port = free_port();
  auto cdpd = start_cdpd(
      port, {"--postgres.url=" + db.url(), "--http.static-dir=" + site.path()});
  ASSERT_TRUE(wait_ready_status(port, 200, 60s)) << cdpd->output();

  auto route = http_call(port, "GET", "/segments/42");
  EXPECT_EQ(route.status, 200);
  EXPECT_EQ(route.body, index_html);
  EXPECT_EQ(route.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(route.header("cache-control"), "no-cache");
  EXPECT_EQ(route.header("x-content-type-options"), "nosniff");

  auto asset = http_call(port, "GET", asset_path);
  EXPECT_EQ(asset.status, 200);
  EXPECT_EQ(asset.body, "console.log('app')");
  EXPECT_EQ(asset.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(asset.header("cache-control"),
            "public, max-age=31536000, immutable");
  auto etag = asset.header("etag");
  ASSERT_FALSE(etag.empty());

  auto again =
      http_call(port, "GET", asset_path, {}, {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.header("etag"), etag);

  raw_connection head{port};
  ASSERT_TRUE(head.send(format_request("HEAD", asset_path)));
  auto head_reply = head.read_reply(10s, true);
  ASSERT_TRUE(head_reply);
  EXPECT_EQ(head_reply->status, 200);
  EXPECT_EQ(head_reply->header("content-length"), "18");
  EXPECT_TRUE(head_reply->body.empty());

  auto missing = http_call(port, "GET", "/assets/index-XXXXXXXX.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "application/problem+json");

  // The API keeps its own answers, and its misses stay JSON.
  auto api_miss = http_call(port, "GET", "/api/nothing-here");
  EXPECT_EQ(api_miss.status, 404);
  EXPECT_EQ(api_miss.header("content-type"), "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(api_miss.body)["detail"],
            "no route for GET /api/nothing-here");
  auto health = http_call(port, "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body)["status"], "healthy");

  // The root is the app for browsers and the API banner for API clients.
  auto root_page = http_call(port, "GET", "/", {},
                             {{"Accept", "text/html,application/xhtml+xml"}});
  EXPECT_EQ(root_page.status, 200);
  EXPECT_EQ(root_page.body, index_html);
  auto root_api = http_call(port, "GET", "/");
  EXPECT_EQ(nlohmann::json::parse(root_api.body)["message"],
            "E-commerce CDP Assistant API");

  // Only GET and HEAD fall back to the app.
  auto post = http_call(port, "POST", "/segments/42", "{}");
  EXPECT_EQ(post.status, 404);
  EXPECT_EQ(post.header("content-type"), "application/problem+json");

  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeStaticDir, BadFolderStopsStartupWithExitCode2) {
  temp_state_dir site;
  write(site.path() + "/app.js", "no index here");
  auto port = free_port();
  for (const auto& dir : {site.path() + "/missing", site.path()}) {
    // The folder is checked before the database: no PostgreSQL is needed.
    auto cdpd = start_cdpd(port, {"--postgres.url=postgresql://127.0.0.1:1/x",
                                  "--http.static-dir=" + dir});
    EXPECT_EQ(cdpd->wait(30s), 2) << cdpd->output();
    auto output = cdpd->output();
    EXPECT_NE(output.find("http.static-dir: '" + dir + "'"), std::string::npos)
        << output;
    EXPECT_EQ(ready_status(port), 0);
  }
}
