#include <chrono>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

using http_server_limits = http_server_fixture;

/// The status line of `GET /ping` sent from `source` (a loopback address
/// other than 127.0.0.1 is another client to the server); empty when the
/// connection failed.
std::string status_line_from(const char* source, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return {};
  sockaddr_in from{};
  from.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
    std::string request =
        "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n = 0;
      while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
        reply.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

void expect_limit_problem(const http_reply& reply, int status,
                          const std::string& slug, const std::string& detail) {
  EXPECT_EQ(reply.status, status);
  EXPECT_EQ(reply.header("content-type"), "application/problem+json");
  EXPECT_EQ(reply.header("connection"), "close");
  EXPECT_FALSE(reply.header("x-request-id").empty());
  auto body = json::parse(reply.body);
  EXPECT_EQ(body["type"], "urn:cdpd:problem:" + slug);
  EXPECT_EQ(body["status"], status);
  EXPECT_EQ(body["detail"], detail);
  EXPECT_EQ(body["request_id"], reply.header("x-request-id"));
}

TEST_F(http_server_limits, body_over_content_length_limit_is_413) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request(
      "POST", "/echo", std::string(5000, 'x'), {{"X-Request-ID", "big-1"}})));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  expect_limit_problem(*reply, 413, "body-too-large",
                       "request body exceeds 1024 bytes (http.max-body-bytes)");
  EXPECT_EQ(reply->header("x-request-id"), "big-1");
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_server_limits, chunked_body_over_the_limit_is_413) {
  start();
  raw_connection connection{port};
  std::string chunk(600, 'y');
  ASSERT_TRUE(connection.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  expect_limit_problem(*reply, 413, "body-too-large",
                       "request body exceeds 1024 bytes (http.max-body-bytes)");
}

TEST_F(http_server_limits, a_transfer_encoding_other_than_chunked_is_400) {
  start();
  // Codings a proxy in front may frame differently: request smuggling.
  for (const char* coding :
       {"gzip, chunked", "chunked, chunked", "identity", "Chunked ",
        "chunked\r\nTransfer-Encoding: chunked"}) {
    raw_connection connection{port};
    ASSERT_TRUE(connection.send(
        std::string{"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "} +
        coding + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
    auto reply = connection.read_reply(10s);
    ASSERT_TRUE(reply) << coding;
    EXPECT_EQ(reply->status, 400) << coding << ": " << reply->body;
  }
  raw_connection plain{port};
  ASSERT_TRUE(plain.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                         "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  auto reply = plain.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200) << reply->body;
}

TEST_F(http_server_limits, oversized_header_is_431) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(
      format_request("GET", "/ping", {}, {{"X-Big", std::string(8000, 'h')}})));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  expect_limit_problem(
      *reply, 431, "header-too-large",
      "request header exceeds 4096 bytes (http.max-header-bytes)");
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_server_limits, stalled_request_is_408) {
  auto settings = test_settings();
  settings.read_timeout = 300ms;
  start(settings);
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("GET /ping HTTP/1.1\r\nHost: x\r\n"));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  expect_limit_problem(*reply, 408, "read-timeout",
                       "request not received within 300 ms "
                       "(http.read-timeout)");
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_server_limits, a_trickled_header_times_out_and_others_are_served) {
  // Slow-loris: a byte now and then must not keep the request alive, since
  // its deadline runs from its first byte, not from the latest one.
  auto settings = test_settings();
  settings.read_timeout = 400ms;
  start(settings);
  raw_connection slow{port};
  std::string header = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  auto started = std::chrono::steady_clock::now();
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    if (!slow.send(i < static_cast<int>(header.size()) ? header.substr(i, 1)
                                                       : std::string{"a"})) {
      refused = true;
      break;
    }
    // Meanwhile another client is answered at once.
    if (i % 10 == 0) {
      EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
    }
    refused = slow.closed_by_peer(50ms);
  }
  EXPECT_TRUE(refused);
  // Far less than the 10 s the trickle would have lasted.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(http_server_limits, idle_connection_is_closed_silently) {
  auto settings = test_settings();
  settings.read_timeout = 300ms;
  start(settings);
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  ASSERT_TRUE(connection.read_reply(10s));
  EXPECT_TRUE(connection.closed_by_peer(10s));
  EXPECT_EQ(connection.pending_bytes(), 0u);
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
}

TEST_F(http_server_limits, connections_over_the_limit_get_503) {
  auto settings = test_settings();
  settings.max_connections = 2;
  start(settings);
  raw_connection first{port};
  raw_connection second{port};
  for (auto* connection : {&first, &second}) {
    ASSERT_TRUE(connection->send(format_request("GET", "/ping")));
    auto reply = connection->read_reply(10s);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
  }
  EXPECT_EQ(server->open_connections(), 2u);
  raw_connection third{port};
  auto refused = third.read_reply(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("retry-after"), "1");
  EXPECT_EQ(refused->header("connection"), "close");
  EXPECT_EQ(json::parse(refused->body)["detail"],
            "server already has 2 connections open (http.max-connections)");
  EXPECT_TRUE(third.closed_by_peer(10s));
  EXPECT_EQ(server->open_connections(), 2u);
  first.close();
  ASSERT_TRUE(eventually([&] { return server->open_connections() == 1; }));
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
}

// One client holding every connection it can open must not lock others
// out: past http.max-connections-per-address its own get 429, while
// another address still gets in.
TEST_F(http_server_limits, connections_over_the_cap_per_address_get_429) {
  auto settings = test_settings();
  settings.max_connections = 16;
  settings.max_connections_per_address = 2;
  start(settings);
  raw_connection first{port};
  raw_connection second{port};
  for (auto* connection : {&first, &second}) {
    ASSERT_TRUE(connection->send(format_request("GET", "/ping")));
    auto reply = connection->read_reply(10s);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
  }
  raw_connection third{port};
  auto refused = third.read_reply(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  EXPECT_EQ(refused->header("retry-after"), "1");
  EXPECT_EQ(json::parse(refused->body)["detail"],
            "your address already has 2 connections open to this server "
            "(http.max-connections-per-address); close some or reuse them");
  EXPECT_TRUE(third.closed_by_peer(10s));
  EXPECT_EQ(status_line_from("127.0.0.2", port), "HTTP/1.1 200 OK");
  first.close();
  ASSERT_TRUE(eventually([&] { return server->open_connections() == 1; }));
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
}

} // namespace
} // namespace cdpd::test
