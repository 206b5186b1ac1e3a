#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

class http_server_basics : public http_server_fixture {
protected:
  void SetUp() override { start(); }
};

bool is_hex_id(const std::string& id) {
  if (id.size() != 32)
    return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

TEST_F(http_server_basics, serves_two_requests_on_one_connection) {
  raw_connection connection{port};
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
    auto reply = connection.read_reply(10s);
    ASSERT_TRUE(reply) << "request " << i;
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(json::parse(reply->body), (json{{"pong", true}}));
    EXPECT_EQ(reply->header("content-type"), "application/json");
    EXPECT_EQ(reply->header("content-length"),
              std::to_string(reply->body.size()));
    EXPECT_EQ(reply->header("server"), "cdpd");
    EXPECT_NE(reply->header("connection"), "close");
  }
  EXPECT_EQ(server->open_connections(), 1u);
}

TEST_F(http_server_basics, every_answer_carries_the_security_headers) {
  start();
  for (auto reply :
       {http_call(port, "GET", "/ping"),
        http_call(port, "GET", "/no-such-route"),
        http_call(port, "POST", "/echo", std::string(5000, 'x'))}) {
    EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(reply.header("x-frame-options"), "DENY");
    EXPECT_EQ(reply.header("referrer-policy"), "no-referrer");
  }
}

TEST_F(http_server_basics, closes_when_the_client_asks) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(
      format_request("GET", "/ping", {}, {{"Connection", "close"}})));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_server_basics, http_1_0_closes_after_the_response) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("GET /ping HTTP/1.0\r\n\r\n"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_server_basics, echoes_the_client_request_id) {
  auto reply =
      http_call(port, "GET", "/request-id", {}, {{"X-Request-ID", "abc-123"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-request-id"), "abc-123");
  EXPECT_EQ(reply.body, "abc-123");
}

TEST_F(http_server_basics, generates_a_request_id_when_missing_or_insane) {
  auto missing = http_call(port, "GET", "/request-id");
  EXPECT_TRUE(is_hex_id(missing.header("x-request-id")))
      << missing.header("x-request-id");
  EXPECT_EQ(missing.body, missing.header("x-request-id"));
  auto too_long = http_call(port, "GET", "/request-id", {},
                            {{"X-Request-ID", std::string(129, 'a')}});
  EXPECT_TRUE(is_hex_id(too_long.header("x-request-id")));
  auto other = http_call(port, "GET", "/request-id");
  EXPECT_NE(other.header("x-request-id"), missing.header("x-request-id"));
}

TEST_F(http_server_basics, unknown_route_is_a_404_problem) {
  auto reply =
      http_call(port, "GET", "/nope", {}, {{"X-Request-ID", "trace-404"}});
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["detail"], "no route for GET /nope");
  EXPECT_EQ(body["request_id"], "trace-404");
  EXPECT_EQ(reply.header("x-request-id"), "trace-404");
}

TEST_F(http_server_basics, wrong_method_is_a_405_with_allow) {
  auto reply = http_call(port, "DELETE", "/ping");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("allow"), "GET, HEAD");
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["status"], 405);
  EXPECT_EQ(body["request_id"], reply.header("x-request-id"));
}

TEST_F(http_server_basics, head_sends_the_length_but_no_body) {
  auto get = http_call(port, "GET", "/ping");
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("HEAD", "/ping")));
  auto head = connection.read_reply(10s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), get.header("content-length"));
  EXPECT_TRUE(head->body.empty());
  // Nothing of a body may follow: the next response parses cleanly.
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto next = connection.read_reply(10s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, get.body);
}

TEST_F(http_server_basics, decodes_path_parameters_and_query) {
  auto reply = http_call(port, "GET", "/users/a%20b%2Fc/?x=1%2B2&y=a+b&flag");
  ASSERT_EQ(reply.status, 200);
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["id"], "a b/c");
  EXPECT_EQ(body["path"], "/users/a b/c/");
  EXPECT_EQ(body["route"], "/users/{id}");
  EXPECT_EQ(body["query"]["x"], "1+2");
  EXPECT_EQ(body["query"]["y"], "a b");
  EXPECT_EQ(body["query"]["flag"], "");
}

TEST_F(http_server_basics, malformed_escape_in_the_target_is_a_400) {
  auto reply = http_call(port, "GET", "/users/%zz");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
}

TEST_F(http_server_basics, posts_a_body) {
  auto reply = http_call(port, "POST", "/echo", "hello there",
                         {{"Content-Type", "text/plain"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "hello there");
  EXPECT_EQ(reply.header("content-type"), "text/plain");
}

TEST_F(http_server_basics, accepts_a_chunked_body_within_the_limit) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello world");
}

TEST_F(http_server_basics, answers_expect_100_continue) {
  raw_connection connection{port};
  ASSERT_TRUE(
      connection.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                      "Expect: 100-continue\r\n\r\n"));
  auto interim = connection.read_reply(10s, false, true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection.send("hello"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello");
}

TEST_F(http_server_basics, responder_may_answer_from_another_thread) {
  auto reply = http_call(port, "GET", "/slow");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "slow");
}

TEST_F(http_server_basics, throwing_handler_is_a_500_and_keeps_the_connection) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/throw")));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->header("content-type"), "application/problem+json");
  EXPECT_EQ(json::parse(reply->body)["status"], 500);
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto next = connection.read_reply(10s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(http_server_basics, dropped_responder_is_a_500) {
  auto reply = http_call(port, "GET", "/drop");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(json::parse(reply.body)["status"], 500);
}

TEST_F(http_server_basics, only_the_first_response_counts) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/twice")));
  auto first = connection.read_reply(10s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "first");
  // Were "second" sent too, it would arrive before the answer to /ping.
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto next = connection.read_reply(10s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(json::parse(next->body), (json{{"pong", true}}));
}

TEST_F(http_server_basics, response_after_the_client_left_is_dropped) {
  {
    raw_connection connection{port};
    ASSERT_TRUE(connection.send(format_request("GET", "/hold")));
    ASSERT_TRUE(wait_held(1));
  }
  EXPECT_EQ(server->in_flight(), 1u);
  release();
  EXPECT_TRUE(eventually([&] { return server->in_flight() == 0; }));
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
}

TEST_F(http_server_basics, malformed_request_is_a_400) {
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("NOT A REQUEST\r\n\r\n"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->header("content-type"), "application/problem+json");
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_TRUE(is_hex_id(reply->header("x-request-id")));
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

} // namespace
} // namespace cdpd::test
