#include "net/http/static_site.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cdpd::net {
namespace {

namespace fs = std::filesystem;

std::string header_of(const http_response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name)
      return value;
  return {};
}

http_request get(std::string path, std::string method = "GET") {
  http_request request;
  request.method = std::move(method);
  request.target = path;
  request.path = std::move(path);
  return request;
}

/// A fresh folder under the system temp dir, removed with the fixture.
class static_site_test : public ::testing::Test {
protected:
  void SetUp() override {
    auto pattern = (fs::temp_directory_path() / "cdpd-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root = pattern;
    write("index.html", "<!doctype html><div id=root></div>");
    write("assets/index-B3x9_kQz.js", "console.log(1)");
    write("assets/index-Cq1w2e3r.css", "body{}");
    write("vite.svg", "<svg/>");
    write("robots.txt", "User-agent: *");
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  void write(const std::string& rel, const std::string& content) {
    auto p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream{p, std::ios::binary} << content;
  }

  std::shared_ptr<const static_site> site() {
    auto loaded = static_site::load(root.string());
    EXPECT_TRUE(loaded) << static_site::describe(loaded.error());
    return loaded ? *loaded : nullptr;
  }

  fs::path root;
};

void expect_json_404(const http_response& response, const std::string& detail) {
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["detail"], detail);
}

TEST(static_site_names, content_types_by_extension) {
  auto type = [](const char* name) {
    return std::string{static_site::content_type_for(name)};
  };
  EXPECT_EQ(type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(type("a/b.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(type("m.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(type("s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(type("d.json"), "application/json");
  EXPECT_EQ(type("x.js.map"), "application/json");
  EXPECT_EQ(type("i.svg"), "image/svg+xml");
  EXPECT_EQ(type("i.png"), "image/png");
  EXPECT_EQ(type("i.jpg"), "image/jpeg");
  EXPECT_EQ(type("i.JPEG"), "image/jpeg");
  EXPECT_EQ(type("i.gif"), "image/gif");
  EXPECT_EQ(type("i.webp"), "image/webp");
  EXPECT_EQ(type("i.avif"), "image/avif");
  EXPECT_EQ(type("favicon.ico"), "image/x-icon");
  EXPECT_EQ(type("f.woff"), "font/woff");
  EXPECT_EQ(type("f.woff2"), "font/woff2");
  EXPECT_EQ(type("f.ttf"), "font/ttf");
  EXPECT_EQ(type("f.otf"), "font/otf");
  EXPECT_EQ(type("robots.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(type("m.wasm"), "application/wasm");
  EXPECT_EQ(type("site.webmanifest"), "application/manifest+json");
  EXPECT_EQ(type("sitemap.xml"), "application/xml");
  EXPECT_EQ(type("data.bin"), "application/octet-stream");
  EXPECT_EQ(type("LICENSE"), "application/octet-stream");
  EXPECT_EQ(type("dir.js/LICENSE"), "application/octet-stream");
}

TEST(static_site_names, hashed_assets) {
  EXPECT_TRUE(static_site::is_hashed_asset("assets/index-B3x9_kQz.js"));
  EXPECT_TRUE(static_site::is_hashed_asset("assets/vendor-a-b_c-dEf.css"));
  EXPECT_TRUE(static_site::is_hashed_asset("logo-0123456789.svg"));
  EXPECT_FALSE(static_site::is_hashed_asset("assets/index-B3x9kQz.js"));
  EXPECT_FALSE(static_site::is_hashed_asset("index.html"));
  EXPECT_FALSE(static_site::is_hashed_asset("assets/index.B3x9_kQz.js"));
  EXPECT_FALSE(static_site::is_hashed_asset("assets/index-B3x9_kQz"));
  EXPECT_FALSE(static_site::is_hashed_asset("assets-B3x9_kQz1/index.js"));
}

TEST_F(static_site_test, serves_files_with_their_content_type) {
  auto s = site();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->file_count(), 5u);
  auto js = s->serve(get("/assets/index-B3x9_kQz.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(js, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header_of(js, "Content-Security-Policy"), ""); // pages only
  auto svg = s->serve(get("/vite.svg"));
  EXPECT_EQ(svg.status, 200);
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  auto txt = s->serve(get("/robots.txt"));
  EXPECT_EQ(txt.content_type, "text/plain; charset=utf-8");
}

TEST_F(static_site_test, root_and_client_routes_get_index_html) {
  auto s = site();
  ASSERT_TRUE(s);
  for (const char* path :
       {"/", "", "/segments", "/segments/42", "/segments/42/", "//customers",
        "/./flows", "/index.html"}) {
    auto response = s->serve(get(path));
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "<!doctype html><div id=root></div>") << path;
    EXPECT_EQ(response.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(header_of(response, "Cache-Control"), "no-cache") << path;
    EXPECT_EQ(header_of(response, "Content-Security-Policy"),
              static_site::page_security_policy)
        << path;
  }
}

TEST_F(static_site_test, folder_index_is_served) {
  write("docs/index.html", "docs");
  auto s = site();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->serve(get("/docs")).body, "docs");
  EXPECT_EQ(s->serve(get("/docs/")).body, "docs");
}

TEST_F(static_site_test, missing_file_with_extension_is_a_json_404) {
  auto s = site();
  ASSERT_TRUE(s);
  expect_json_404(s->serve(get("/assets/index-XXXXXXXX.js")),
                  "no route for GET /assets/index-XXXXXXXX.js");
  expect_json_404(s->serve(get("/favicon.ico")),
                  "no route for GET /favicon.ico");
}

TEST_F(static_site_test, server_prefixes_stay_json_404) {
  write("api/x", "must not be served");
  write("health.html", "a file, not the health route");
  auto s = site();
  ASSERT_TRUE(s);
  for (const char* path :
       {"/api", "/api/", "/api/x", "/api/users/99", "/admin/nope", "/health/x",
        "/metrics/x", "/u/abc", "/t/abc", "/t"})
    expect_json_404(s->serve(get(path)),
                    std::string{"no route for GET "} + path);
  expect_json_404(s->serve(get("/api/x", "HEAD")), "no route for HEAD /api/x");
  // Only whole segments are prefixes.
  EXPECT_EQ(s->serve(get("/health.html")).body, "a file, not the health route");
  EXPECT_EQ(s->serve(get("/users")).status, 200);
  EXPECT_EQ(s->serve(get("/apis")).status, 200);
  EXPECT_EQ(s->serve(get("/tags")).status, 200);
}

TEST_F(static_site_test, traversal_and_nul_are_refused) {
  auto outside = root.parent_path() / (root.filename().string() + "-secret");
  std::ofstream{outside} << "TOP-SECRET";
  auto s = site();
  ASSERT_TRUE(s);
  auto secret = "/../" + outside.filename().string();
  for (const std::string& path : std::vector<std::string>{
           secret, "/assets/../index.html", std::string{"/..", 3},
           std::string{"/index.html\0.js", 15}, std::string{"/segments\0", 10},
           std::string{"/../../etc/passwd"}, std::string{"/a/../../x"}}) {
    auto response = s->serve(get(path));
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("TOP-SECRET"), std::string::npos) << path;
  }
  fs::remove(outside);
}

TEST_F(static_site_test, cache_headers) {
  auto s = site();
  ASSERT_TRUE(s);
  auto hashed = s->serve(get("/assets/index-Cq1w2e3r.css"));
  EXPECT_EQ(header_of(hashed, "Cache-Control"),
            "public, max-age=31536000, immutable");
  EXPECT_EQ(header_of(s->serve(get("/vite.svg")), "Cache-Control"), "no-cache");
  EXPECT_EQ(header_of(s->serve(get("/")), "Cache-Control"), "no-cache");
}

TEST_F(static_site_test, etag_and_304) {
  auto s = site();
  ASSERT_TRUE(s);
  auto first = s->serve(get("/vite.svg"));
  auto etag = header_of(first, "ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(etag.substr(0, 2) == "W/", false);
  EXPECT_EQ(header_of(s->serve(get("/vite.svg")), "ETag"), etag);
  EXPECT_NE(header_of(s->serve(get("/robots.txt")), "ETag"), etag);

  for (const std::string& value :
       {etag, "\"other\", " + etag, "W/" + etag, std::string{"*"}}) {
    auto request = get("/vite.svg");
    request.headers.emplace_back("If-None-Match", value);
    auto response = s->serve(request);
    EXPECT_EQ(response.status, 304) << value;
    EXPECT_TRUE(response.body.empty()) << value;
    EXPECT_EQ(header_of(response, "ETag"), etag) << value;
    EXPECT_EQ(header_of(response, "Cache-Control"), "no-cache") << value;
  }
  auto request = get("/vite.svg");
  request.headers.emplace_back("if-none-match", "\"stale\"");
  auto response = s->serve(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "<svg/>");

  // A client route revalidates against index.html's tag.
  auto index_tag = header_of(s->serve(get("/")), "ETag");
  auto route = get("/flows");
  route.headers.emplace_back("If-None-Match", index_tag);
  EXPECT_EQ(s->serve(route).status, 304);
}

TEST_F(static_site_test, etag_follows_the_content) {
  auto before = header_of(site()->serve(get("/vite.svg")), "ETag");
  write("vite.svg", "<svg></svg>");
  auto after = header_of(site()->serve(get("/vite.svg")), "ETag");
  EXPECT_NE(before, after);
}

TEST_F(static_site_test, head_gets_the_same_answer) {
  auto s = site();
  ASSERT_TRUE(s);
  auto head = s->serve(get("/assets/index-B3x9_kQz.js", "HEAD"));
  auto body = s->serve(get("/assets/index-B3x9_kQz.js"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, body.content_type);
  EXPECT_EQ(head.headers, body.headers);
  // The server sends Content-Length from the body and leaves it out.
  EXPECT_EQ(head.body.size(), body.body.size());
  EXPECT_EQ(s->serve(get("/segments/1", "HEAD")).status, 200);
}

TEST_F(static_site_test, dotfiles_are_skipped) {
  write(".env", "SECRET=1");
  write(".git/config", "[core]");
  write("assets/.DS_Store", "junk");
  auto s = site();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->file_count(), 5u);
  EXPECT_EQ(s->serve(get("/.env")).status, 404);
  EXPECT_EQ(s->serve(get("/.git/config")).body.find("[core]"),
            std::string::npos);
}

TEST_F(static_site_test, symlinks_out_of_the_folder_are_not_followed) {
  auto outside = root.parent_path() / (root.filename().string() + "-out");
  fs::create_directories(outside);
  std::ofstream{outside / "secret.txt"} << "secret";
  fs::create_symlink(outside / "secret.txt", root / "leak.txt");
  fs::create_directory_symlink(outside, root / "leakdir");
  fs::create_symlink(root / "robots.txt", root / "robots-link.txt");
  auto s = site();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->serve(get("/leak.txt")).status, 404);
  EXPECT_EQ(s->serve(get("/leakdir/secret.txt")).status, 404);
  EXPECT_EQ(s->serve(get("/robots-link.txt")).body, "User-agent: *");
  fs::remove_all(outside);
}

TEST_F(static_site_test, load_refuses_a_missing_folder) {
  auto loaded = static_site::load((root / "nope").string());
  ASSERT_FALSE(loaded);
  auto text = static_site::describe(loaded.error());
  EXPECT_EQ(text.rfind("http.static-dir: ", 0), 0u) << text;
  EXPECT_NE(text.find("does not exist"), std::string::npos) << text;
}

TEST_F(static_site_test, load_refuses_a_file) {
  auto loaded = static_site::load((root / "robots.txt").string());
  ASSERT_FALSE(loaded);
  EXPECT_NE(static_site::describe(loaded.error()).find("is not a folder"),
            std::string::npos);
}

TEST_F(static_site_test, load_refuses_a_folder_without_index_html) {
  fs::remove(root / "index.html");
  write("assets/index.html", "not at the top");
  auto loaded = static_site::load(root.string());
  ASSERT_FALSE(loaded);
  auto text = static_site::describe(loaded.error());
  EXPECT_EQ(text.rfind("http.static-dir: ", 0), 0u) << text;
  EXPECT_NE(text.find("no index.html"), std::string::npos) << text;
}

TEST_F(static_site_test, load_refuses_more_than_256_mib) {
  // A sparse file: the size check comes before any byte is read.
  std::ofstream{root / "big.bin"};
  fs::resize_file(root / "big.bin", static_site::max_total_bytes + 1);
  auto loaded = static_site::load(root.string());
  ASSERT_FALSE(loaded);
  auto text = static_site::describe(loaded.error());
  EXPECT_EQ(text.rfind("http.static-dir: ", 0), 0u) << text;
  EXPECT_NE(text.find("more than 256 MiB"), std::string::npos) << text;
}

} // namespace
} // namespace cdpd::net
