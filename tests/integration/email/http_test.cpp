#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "net/email/errc.hpp"
#include "net/email/http_provider.hpp"
#include "net/email/provider.hpp"
#include "net/http/http_message.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"
#include "tests/integration/email/email_test_support.hpp"

namespace {

using namespace cdpd::net::email;
using cdpd::config::email_settings;
using namespace std::chrono_literals;
using cdpd::test::sample_message;
using nlohmann::json;

/// A SendGrid-style sink built on cdpd's own HTTP server: records every
/// request to /v3/mail/send and answers with `status`; /v3/hold never
/// answers until the sink stops.
class EmailHttp : public ::testing::Test {
protected:
  void SetUp() override {
    auto routes = std::make_shared<cdpd::net::router>();
    routes->add(
        "POST", "/v3/mail/send", cdpd::net::access::anyone,
        [this](cdpd::net::http_request request, cdpd::net::responder reply) {
          {
            std::lock_guard<std::mutex> guard{mutex};
            requests.push_back(request);
          }
          cdpd::net::http_response response;
          response.status = status.load();
          response.content_type = "application/json";
          response.body = response.status < 300
                              ? ""
                              : R"({"errors":[{"message":"refused"}]})";
          response.headers.emplace_back("X-Message-Id",
                                        "sink-" + std::to_string(counter++));
          reply(std::move(response));
        });
    routes->add("POST", "/v3/hold", cdpd::net::access::anyone,
                [this](cdpd::net::http_request, cdpd::net::responder reply) {
                  std::lock_guard<std::mutex> guard{mutex};
                  held.push_back(std::move(reply));
                });
    cdpd::config::http_settings http;
    http.address = "127.0.0.1";
    http.port = 0;
    http.io_threads = 2;
    http.read_timeout = 10s;
    server = std::make_unique<cdpd::net::http_server>(http, routes, nullptr);
    auto bound = server->start();
    ASSERT_TRUE(bound) << caf::to_string(bound.error());
    base = "http://127.0.0.1:" + std::to_string(*bound);
    settings.provider = "http";
    settings.http_url = base + "/v3/mail/send";
    settings.http_api_key = "SG.test-key";
    settings.timeout = 10s;
    auto made = make_provider(settings);
    ASSERT_TRUE(made) << describe(made.error());
    provider = std::move(*made);
  }

  void TearDown() override {
    if (server)
      server->stop();
    std::lock_guard<std::mutex> guard{mutex};
    held.clear();
  }

  std::vector<cdpd::net::http_request> recorded() {
    std::lock_guard<std::mutex> guard{mutex};
    return requests;
  }

  std::unique_ptr<cdpd::net::http_server> server;
  std::string base;
  email_settings settings;
  std::unique_ptr<email_provider> provider;
  std::atomic<int> status{202};
  std::atomic<int> counter{0};
  std::mutex mutex;
  std::vector<cdpd::net::http_request> requests;
  std::vector<cdpd::net::responder> held;
};

TEST_F(EmailHttp, PostsSendGridShapedJsonWithIdempotencyKey) {
  auto msg = sample_message("h1", "Zoë <zoe@example.org>");
  msg.subject = "Grüße";
  msg.html_body = "<p>Hi</p>";
  msg.unsubscribe_mailto = "unsubscribe@shop.example";
  msg.headers = {{"X-Campaign-ID", "9"}};
  auto receipt = provider->send(msg);
  ASSERT_TRUE(receipt) << describe(receipt.error());
  EXPECT_EQ(receipt->provider, "http");
  EXPECT_EQ(receipt->message_id, *effective_message_id(msg));
  EXPECT_EQ(receipt->detail, "HTTP 202 x-message-id sink-0");
  auto seen = recorded();
  ASSERT_EQ(seen.size(), 1u);
  const auto& request = seen[0];
  EXPECT_EQ(request.header("idempotency-key"), msg.idempotency_key);
  EXPECT_EQ(request.header("authorization"), "Bearer SG.test-key");
  EXPECT_EQ(request.header("content-type"), "application/json");
  auto body = json::parse(request.body);
  EXPECT_EQ(body["personalizations"][0]["to"][0]["email"], "zoe@example.org");
  EXPECT_EQ(body["personalizations"][0]["to"][0]["name"], "Zoë");
  EXPECT_EQ(body["from"]["email"], "news@shop.example");
  EXPECT_EQ(body["from"]["name"], "Shop News");
  EXPECT_EQ(body["subject"], "Grüße");
  ASSERT_EQ(body["content"].size(), 2u);
  EXPECT_EQ(body["content"][0]["type"], "text/plain");
  EXPECT_EQ(body["content"][0]["value"], msg.text_body);
  EXPECT_EQ(body["content"][1]["type"], "text/html");
  EXPECT_EQ(body["content"][1]["value"], "<p>Hi</p>");
  EXPECT_EQ(body["headers"]["List-Unsubscribe"],
            "<https://shop.example/u/token-h1>, "
            "<mailto:unsubscribe@shop.example>");
  EXPECT_EQ(body["headers"]["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click");
  EXPECT_EQ(body["headers"]["Message-ID"], *effective_message_id(msg));
  EXPECT_EQ(body["headers"]["X-Campaign-ID"], "9");
}

TEST_F(EmailHttp, RetriesCarryTheSameIdempotencyKey) {
  auto msg = sample_message("h2");
  status = 503;
  auto failed = provider->send(msg);
  ASSERT_FALSE(failed);
  status = 200;
  auto sent = provider->send(msg);
  ASSERT_TRUE(sent) << describe(sent.error());
  auto seen = recorded();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].header("idempotency-key"),
            seen[1].header("idempotency-key"));
  EXPECT_EQ(seen[0].body, seen[1].body);
}

TEST_F(EmailHttp, WithoutApiKeyNoAuthorizationIsSent) {
  settings.http_api_key.clear();
  auto anonymous = make_provider(settings);
  ASSERT_TRUE(anonymous);
  ASSERT_TRUE((*anonymous)->send(sample_message("h3")));
  auto seen = recorded();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].header("authorization").empty());
}

TEST_F(EmailHttp, StatusDecidesRetryableOrPermanent) {
  struct expectation {
    int status;
    failure kind;
  };
  for (auto [code, kind] : {expectation{503, failure::retryable},
                            {500, failure::retryable},
                            {429, failure::retryable},
                            {408, failure::retryable},
                            {400, failure::permanent},
                            {401, failure::permanent},
                            {403, failure::permanent},
                            {422, failure::permanent}}) {
    status = code;
    auto receipt = provider->send(sample_message("s" + std::to_string(code)));
    ASSERT_FALSE(receipt) << code;
    EXPECT_EQ(classify(receipt.error()), kind) << code;
    auto text = describe(receipt.error());
    EXPECT_NE(text.find("HTTP " + std::to_string(code)), std::string::npos)
        << text;
    EXPECT_NE(text.find("refused"), std::string::npos) << text;
  }
  status = 201;
  EXPECT_TRUE(provider->send(sample_message("ok")));
}

TEST_F(EmailHttp, OneProviderServesManyThreads) {
  constexpr int threads = 4;
  constexpr int per_thread = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i)
        if (!provider->send(
                sample_message(std::to_string(t) + "-" + std::to_string(i))))
          ++failures;
    });
  for (auto& w : workers)
    w.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> keys;
  for (const auto& request : recorded())
    keys.insert(request.header("idempotency-key"));
  EXPECT_EQ(keys.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(recorded().size(), static_cast<std::size_t>(threads * per_thread));
}

TEST_F(EmailHttp, InvalidMessageIsNeverPosted) {
  auto msg = sample_message("bad");
  msg.to = "not-an-address";
  auto receipt = provider->send(msg);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error(), errc::invalid_message);
  EXPECT_TRUE(recorded().empty());
}

TEST_F(EmailHttp, UnansweredRequestTimesOutRetryable) {
  settings.http_url = base + "/v3/hold";
  settings.timeout = 300ms;
  auto slow = make_provider(settings);
  ASSERT_TRUE(slow);
  auto receipt = (*slow)->send(sample_message("held"));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::retryable)
      << describe(receipt.error());
}

TEST_F(EmailHttp, StoppedSinkIsRetryable) {
  server->stop();
  auto receipt = provider->send(sample_message("down"));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::retryable)
      << describe(receipt.error());
}

TEST(EmailHttpBody, SendGridBodyWithoutHtmlHasOneContent) {
  auto body = sendgrid_body(sample_message("b", "ada@example.org"));
  ASSERT_TRUE(body);
  ASSERT_EQ((*body)["content"].size(), 1u);
  EXPECT_FALSE((*body)["personalizations"][0]["to"][0].contains("name"));
  EXPECT_EQ((*body)["personalizations"][0]["to"][0]["email"],
            "ada@example.org");
}

} // namespace
