// Contract tests of /api/webhooks: create with a secret shown once, list,
// get, update, delete, and the refusals of URLs cdpd must not send to.
#include <nlohmann/json.hpp>

#include "net/api/webhook_routes.hpp"
#include "tests/integration/api/api_fixture.hpp"

using namespace cdpd;
using namespace cdpd::test;
using nlohmann::json;

namespace {

const std::string missing_id = "00000000-0000-4000-8000-000000000000";

/// The webhook routes under `settings` on a server of their own, beside
/// the fixture's, sharing its db actors.
class webhook_server {
public:
  webhook_server(caf::actor_system& sys, config::webhooks_settings settings) {
    routes_ = std::make_shared<net::router>(nullptr);
    net::api::add_webhook_routes(*routes_, sys, settings);
    config::http_settings http;
    http.address = "127.0.0.1";
    http.port = 0;
    http.io_threads = 2;
    server_ = std::make_unique<net::http_server>(http, routes_, nullptr);
    auto bound = server_->start();
    EXPECT_TRUE(bound);
    port_ = bound ? *bound : 0;
  }
  ~webhook_server() { server_->stop(); }

  http_reply call(const std::string& method, const std::string& target,
                  const json& body = nullptr) {
    header_list headers;
    if (!body.is_null())
      headers.emplace_back("Content-Type", "application/json");
    return http_call(port_, method, target, body.is_null() ? "" : body.dump(),
                     headers);
  }

private:
  std::shared_ptr<net::router> routes_;
  std::unique_ptr<net::http_server> server_;
  uint16_t port_ = 0;
};

class webhooks_api : public api_fixture {};

/// The first problem's message of a 422 answer.
std::string first_msg(const http_reply& reply) {
  auto body = json::parse(reply.body, nullptr, false);
  if (body.is_discarded() || !body["detail"].is_array() ||
      body["detail"].empty())
    return reply.body;
  return body["detail"][0]["msg"].get<std::string>();
}

TEST_F(webhooks_api, CreateShowsTheSecretOnceThenListGetUpdateDelete) {
  webhook_server hooks{*sys, {.allow_http = true, .allow_private = true}};
  auto made = hooks.call(
      "POST", "/api/webhooks",
      {{"url", "http://127.0.0.1:9/in"},
       {"event_types",
        json::array({"email.sent", "campaign.created", "email.sent"})},
       {"description", "shop"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.header("cache-control"), "no-store");
  auto w = json::parse(made.body);
  auto id = w["id"].get<std::string>();
  EXPECT_TRUE(looks_like_uuid(id));
  auto secret = w["secret"].get<std::string>();
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  EXPECT_EQ(secret.size(), 6u + 44u); // base64 of 32 bytes
  EXPECT_EQ(w["event_types"], json::array({"email.sent", "campaign.created"}));
  EXPECT_EQ(w["enabled"], true);
  EXPECT_EQ(w["description"], "shop");
  EXPECT_TRUE(w["disabled_reason"].is_null());
  EXPECT_TRUE(looks_like_naive_iso(w["created_at"].get<std::string>()));

  auto got = hooks.call("GET", "/api/webhooks/" + id);
  ASSERT_EQ(got.status, 200);
  auto g = json::parse(got.body);
  EXPECT_FALSE(g.contains("secret"));
  EXPECT_EQ(g["url"], "http://127.0.0.1:9/in");
  EXPECT_EQ(sql_value("SELECT secret FROM webhook_endpoints"), secret);

  auto second =
      hooks.call("POST", "/api/webhooks",
                 {{"url", "https://localhost/x"}, {"enabled", false}});
  ASSERT_EQ(second.status, 201) << second.body;
  auto other = json::parse(second.body);
  EXPECT_NE(other["secret"], w["secret"]);
  EXPECT_TRUE(other["event_types"].is_null());
  EXPECT_EQ(other["enabled"], false);

  auto page = hooks.call("GET", "/api/webhooks?limit=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("x-total-count"), "2");
  EXPECT_FALSE(page.header("x-next-cursor").empty());
  auto first = json::parse(page.body);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["id"], id);
  EXPECT_FALSE(first[0].contains("secret"));

  auto changed = hooks.call(
      "PUT", "/api/webhooks/" + id,
      {{"event_types", nullptr}, {"enabled", false}, {"description", "x"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto c = json::parse(changed.body);
  EXPECT_TRUE(c["event_types"].is_null());
  EXPECT_EQ(c["enabled"], false);
  EXPECT_EQ(c["url"], "http://127.0.0.1:9/in");
  EXPECT_EQ(c["description"], "x");

  EXPECT_EQ(hooks.call("DELETE", "/api/webhooks/" + id).status, 204);
  EXPECT_EQ(hooks.call("GET", "/api/webhooks/" + id).status, 404);
  EXPECT_EQ(hooks.call("DELETE", "/api/webhooks/" + id).status, 404);
  EXPECT_EQ(hooks.call("GET", "/api/webhooks/not-a-uuid").status, 404);
  auto missing =
      hooks.call("PUT", "/api/webhooks/" + missing_id, {{"enabled", true}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["detail"], "Webhook not found");
}

TEST_F(webhooks_api, RefusesHttpAndNonPublicHostsByDefault) {
  webhook_server hooks{*sys, {}};
  struct refusal {
    std::string url;
    std::string says;
  };
  for (const auto& r : std::vector<refusal>{
           {"http://hooks.example.com/in", "webhooks.allow-http"},
           {"https://127.0.0.1/in", "loopback"},
           {"https://10.0.0.7/in", "private"},
           {"https://192.168.1.20:8443/in", "private"},
           {"https://169.254.169.254/latest/meta-data", "link-local"},
           {"https://[::1]:8443/in", "loopback"},
           {"https://localhost:8443/in", "resolves to"},
           {"ftp://hooks.example.com/in", "https://"},
           {"https://u:p@hooks.example.com/in", "credentials"},
           {"not a url", "URL"}}) {
    auto reply = hooks.call("POST", "/api/webhooks", {{"url", r.url}});
    EXPECT_EQ(reply.status, 422) << r.url << ": " << reply.body;
    EXPECT_EQ(reply.header("content-type"), "application/problem+json");
    auto msg = first_msg(reply);
    EXPECT_NE(msg.find(r.says), std::string::npos) << r.url << ": " << msg;
    EXPECT_EQ(json::parse(reply.body)["detail"][0]["loc"],
              json::array({"body", "url"}));
  }
  EXPECT_EQ(sql_value("SELECT count(*) FROM webhook_endpoints"), "0");

  // http alone does not open private hosts.
  webhook_server http_only{*sys, {.allow_http = true}};
  auto local = http_only.call("POST", "/api/webhooks",
                              {{"url", "http://localhost:9/in"}});
  EXPECT_EQ(local.status, 422);
  EXPECT_NE(first_msg(local).find("webhooks.allow-private"), std::string::npos);

  // An update is checked as a create is.
  webhook_server open{*sys, {.allow_http = true, .allow_private = true}};
  auto made = open.call("POST", "/api/webhooks", {{"url", "https://[::1]/in"}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto id = json::parse(made.body)["id"].get<std::string>();
  auto moved = hooks.call("PUT", "/api/webhooks/" + id,
                          {{"url", "https://localhost/in"}});
  EXPECT_EQ(moved.status, 422);
  EXPECT_EQ(sql_value("SELECT url FROM webhook_endpoints"), "https://[::1]/in");
}

TEST_F(webhooks_api, ValidatesTheBody) {
  webhook_server hooks{*sys, {.allow_http = true, .allow_private = true}};
  auto missing = hooks.call("POST", "/api/webhooks", json::object());
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(first_msg(missing), "field required");
  auto types = hooks.call(
      "POST", "/api/webhooks",
      {{"url", "https://localhost/in"},
       {"event_types", json::array({"email.sent", "email.bounced", 3})},
       {"description", std::string(1001, 'd')},
       {"enabled", "maybe"}});
  EXPECT_EQ(types.status, 422);
  auto detail = json::parse(types.body)["detail"];
  ASSERT_EQ(detail.size(), 4u) << detail;
  EXPECT_EQ(detail[0]["loc"], json::array({"body", "event_types", 1}));
  EXPECT_NE(detail[0]["msg"].get<std::string>().find("email.bounced"),
            std::string::npos);
  EXPECT_EQ(detail[1]["loc"], json::array({"body", "event_types", 2}));
  auto empty = hooks.call(
      "POST", "/api/webhooks",
      {{"url", "https://localhost/in"}, {"event_types", json::array()}});
  EXPECT_EQ(empty.status, 422);
  auto null_url =
      hooks.call("PUT", "/api/webhooks/" + missing_id, {{"url", nullptr}});
  EXPECT_EQ(null_url.status, 422);
  EXPECT_EQ(sql_value("SELECT count(*) FROM webhook_endpoints"), "0");
}

} // namespace

namespace {

TEST_F(webhooks_api, DeliveryLogReplayAndPing) {
  webhook_server hooks{*sys, {.allow_http = true, .allow_private = true}};
  auto made = hooks.call("POST", "/api/webhooks",
                         {{"url", "http://127.0.0.1:9/in"},
                          {"event_types", json::array({"segment.created"})}});
  ASSERT_EQ(made.status, 201) << made.body;
  auto id = json::parse(made.body)["id"].get<std::string>();
  auto base = "/api/webhooks/" + id;

  auto ping = hooks.call("POST", base + "/ping");
  ASSERT_EQ(ping.status, 202) << ping.body;
  auto p = json::parse(ping.body);
  EXPECT_EQ(p["event_type"], "webhook.ping");
  EXPECT_EQ(p["status"], "pending");
  EXPECT_EQ(p["attempts"], 0);
  EXPECT_TRUE(p["last_status"].is_null());

  make_segment("one");
  make_segment("two");
  auto replayed =
      hooks.call("POST", base + "/replay", {{"since", "2000-01-01T00:00:00Z"}});
  ASSERT_EQ(replayed.status, 202) << replayed.body;
  EXPECT_EQ(json::parse(replayed.body)["queued"], 2);

  auto log = hooks.call("GET", base + "/deliveries?limit=2");
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(log.header("x-total-count"), "3");
  auto rows = json::parse(log.body);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["event_type"], "segment.created"); // newest first
  EXPECT_GT(rows[0]["id"].get<int64_t>(), rows[1]["id"].get<int64_t>());

  auto again = hooks.call("POST", base + "/deliveries/" +
                                      std::to_string(p["id"].get<int64_t>()) +
                                      "/replay");
  ASSERT_EQ(again.status, 202) << again.body;
  auto a = json::parse(again.body);
  EXPECT_EQ(a["event_id"], p["event_id"]);
  EXPECT_EQ(a["replay_of"], p["id"]);
  EXPECT_EQ(hooks.call("GET", base + "/deliveries?status=pending")
                .header("x-total-count"),
            "4");

  EXPECT_EQ(hooks.call("GET", base + "/deliveries?status=lost").status, 422);
  EXPECT_EQ(
      hooks.call("POST", base + "/replay", {{"since", "yesterday"}}).status,
      422);
  EXPECT_EQ(hooks.call("POST", base + "/replay", json::object()).status, 422);
  EXPECT_EQ(hooks.call("POST", base + "/deliveries/999999/replay").status, 404);
  EXPECT_EQ(hooks.call("POST", base + "/deliveries/x1/replay").status, 404);
  for (auto path : {"/deliveries", "/ping"}) {
    auto method = std::string(path) == "/ping" ? "POST" : "GET";
    EXPECT_EQ(hooks.call(method, "/api/webhooks/" + missing_id + path).status,
              404)
        << path;
  }
  EXPECT_EQ(hooks
                .call("POST", "/api/webhooks/" + missing_id + "/replay",
                      {{"since", "2000-01-01"}})
                .status,
            404);
}

} // namespace
