#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/http/problem.hpp"
#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;

/// What one streamed request's sink saw.
struct stream_log {
  std::mutex mutex;
  std::size_t bytes = 0;
  std::size_t chunks = 0;
  std::size_t largest = 0;
  uint64_t sum = 0; ///< of every byte, to check content and order cheaply
  bool aborted = false;
  bool hold = false; ///< park `more` instead of calling it
  std::vector<std::function<void()>> parked;

  std::size_t chunk_count() {
    std::lock_guard<std::mutex> guard{mutex};
    return chunks;
  }

  bool was_aborted() {
    std::lock_guard<std::mutex> guard{mutex};
    return aborted;
  }

  /// Calls the parked `more` callbacks and stops parking new ones.
  void resume() {
    std::vector<std::function<void()>> ready;
    {
      std::lock_guard<std::mutex> guard{mutex};
      hold = false;
      ready.swap(parked);
    }
    for (auto& more : ready)
      more();
  }
};

uint64_t byte_sum(std::string_view data) {
  uint64_t sum = 0;
  for (unsigned char c : data)
    sum += c;
  return sum;
}

/// A body of `size` bytes that is not all the same byte.
std::string patterned(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    body[i] = static_cast<char>('a' + i % 23);
  return body;
}

class http_stream : public http_server_fixture {
protected:
  http_stream() {
    // POST /stream answers with what arrived once the body is complete.
    routes->add_stream(
        "POST", "/stream", net::access::anyone,
        [this](net::http_request, net::responder reply) -> net::body_sink {
          return
              [this, reply](net::body_chunk chunk, std::function<void()> more) {
                std::unique_lock<std::mutex> guard{log.mutex};
                if (chunk.aborted) {
                  log.aborted = true;
                  return;
                }
                log.bytes += chunk.data.size();
                log.largest = std::max(log.largest, chunk.data.size());
                log.sum += byte_sum(chunk.data);
                ++log.chunks;
                if (chunk.last) {
                  reply(net::json_response(
                      200, {{"bytes", log.bytes}, {"sum", log.sum}}));
                  return;
                }
                if (log.hold) {
                  log.parked.push_back(std::move(more));
                  return;
                }
                guard.unlock();
                more();
              };
        });
    // POST /refuse answers 422 before reading any of the body.
    routes->add_stream(
        "POST", "/refuse", net::access::anyone,
        [](net::http_request, net::responder reply) -> net::body_sink {
          reply(net::problem(422, "not this body"));
          return [](net::body_chunk, std::function<void()> more) {
            if (more)
              more();
          };
        });
  }

  stream_log log;
};

TEST_F(http_stream, large_body_arrives_in_bounded_chunks) {
  start(); // http.max-body-bytes is 1024: streamed bodies are not bound by it
  auto body = patterned(8 * 1024 * 1024);
  auto reply = http_call(port, "POST", "/stream", body, {}, 30s);
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto answer = json::parse(reply.body);
  EXPECT_EQ(answer["bytes"], body.size());
  EXPECT_EQ(answer["sum"], byte_sum(body));
  EXPECT_LE(log.largest, 256u * 1024u);
  EXPECT_GE(log.chunks, 32u);
}

TEST_F(http_stream, chunked_transfer_encoding_is_streamed) {
  start();
  raw_connection connection{port};
  std::string wire =
      "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body;
  for (int i = 0; i < 40; ++i) {
    auto piece = patterned(10'000 + i);
    body += piece;
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    wire += size + piece + "\r\n";
  }
  wire += "0\r\n\r\n";
  ASSERT_TRUE(connection.send(wire));
  auto reply = connection.read_reply(30s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  auto answer = json::parse(reply->body);
  EXPECT_EQ(answer["bytes"], body.size());
  EXPECT_EQ(answer["sum"], byte_sum(body));
}

TEST_F(http_stream, a_slow_sink_holds_the_client_back) {
  start();
  log.hold = true;
  auto body = patterned(16 * 1024 * 1024);
  raw_connection connection{port};
  std::atomic<bool> sent{false};
  std::thread sender{[&] {
    connection.send(format_request("POST", "/stream", body));
    sent = true;
  }};
  ASSERT_TRUE(eventually([&] { return log.chunk_count() == 1; }));
  // Give a server that ignored the sink time to read on; one that honours
  // it stays at one chunk and the sender cannot finish.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(log.chunk_count(), 1u);
  EXPECT_FALSE(sent);
  log.resume();
  sender.join();
  auto reply = connection.read_reply(30s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(json::parse(reply->body)["bytes"], body.size());
}

TEST_F(http_stream, expect_continue_is_answered_before_the_body) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("POST /stream HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 5000\r\n"
                              "Expect: 100-continue\r\n\r\n"));
  auto interim = connection.read_reply(10s, false, true);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(connection.send(std::string(5000, 'z')));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(json::parse(reply->body)["bytes"], 5000);
}

TEST_F(http_stream, connection_is_reused_after_a_streamed_body) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("POST", "/stream", "abc")));
  auto first = connection.read_reply(10s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto second = connection.read_reply(10s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, R"({"pong":true})");
}

TEST_F(http_stream, empty_body_is_one_last_chunk) {
  start();
  auto reply = http_call(port, "POST", "/stream", "");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["bytes"], 0);
  EXPECT_EQ(log.chunks, 1u);
}

TEST_F(http_stream, early_answer_closes_the_connection) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(
      format_request("POST", "/refuse", std::string(600'000, 'q'))));
  auto reply = connection.read_reply(10s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 422);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_EQ(json::parse(reply->body)["detail"], "not this body");
  EXPECT_TRUE(connection.closed_by_peer(10s));
  // The server is fine afterwards.
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
}

TEST_F(http_stream, an_early_answer_skips_100_continue) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("POST /refuse HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 5000000\r\n"
                              "Expect: 100-continue\r\n\r\n"));
  auto reply = connection.read_reply(10s, false, true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 422);
  EXPECT_TRUE(connection.closed_by_peer(10s));
}

TEST_F(http_stream, body_over_the_import_limit_is_413) {
  auto settings = test_settings();
  settings.max_import_bytes = 4096;
  start(settings);
  auto reply = http_call(port, "POST", "/stream", std::string(5000, 'x'));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(json::parse(reply.body)["detail"],
            "request body exceeds 4096 bytes (http.max-import-bytes)");

  raw_connection connection{port};
  std::string piece(3000, 'y');
  ASSERT_TRUE(connection.send(
      "POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "bb8\r\n" +
      piece + "\r\nbb8\r\n" + piece + "\r\n0\r\n\r\n"));
  auto chunked = connection.read_reply(10s);
  ASSERT_TRUE(chunked);
  EXPECT_EQ(chunked->status, 413);
  EXPECT_TRUE(log.was_aborted());
}

TEST_F(http_stream, ordinary_routes_keep_their_body_limit) {
  start();
  auto reply = http_call(port, "POST", "/echo", std::string(5000, 'x'));
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(json::parse(reply.body)["detail"],
            "request body exceeds 1024 bytes (http.max-body-bytes)");
}

TEST_F(http_stream, a_client_that_goes_away_aborts_the_sink) {
  start();
  {
    raw_connection connection{port};
    ASSERT_TRUE(connection.send("POST /stream HTTP/1.1\r\nHost: x\r\n"
                                "Content-Length: 100000\r\n\r\n" +
                                std::string(300, 'a')));
    ASSERT_TRUE(eventually(
        [&] { return http_call(port, "GET", "/ping").status == 200; }));
  }
  EXPECT_TRUE(eventually([&] { return log.was_aborted(); }));
}

} // namespace
} // namespace cdpd::test
