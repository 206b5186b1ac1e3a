// Streamed response bodies (http_response::producer) through a real server
// on loopback: chunked framing, backpressure, a producer that fails
// mid-way, a client that goes away, HEAD and HTTP/1.0.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "net/http/problem.hpp"
#include "tests/integration/net/http_server_fixture.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {
namespace {

/// What the producers of one test saw; shared with them, so it outlives
/// the server's last call.
struct producer_log {
  std::atomic<std::size_t> pulls{0};
  std::atomic<std::size_t> releases{0}; ///< calls with an empty `next`
};

/// Runs jobs on a thread of its own, so pieces come from another thread
/// than the server's.
class worker {
public:
  worker() : thread_([this] { run(); }) {}

  ~worker() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  void post(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      jobs_.push_back(std::move(job));
    }
    changed_.notify_all();
  }

private:
  void run() {
    std::unique_lock<std::mutex> guard{mutex_};
    for (;;) {
      changed_.wait(guard, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_)
        return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      guard.unlock();
      job();
      guard.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

/// The text of piece `i` of /pieces.
std::string piece_text(std::size_t i) {
  return "piece " + std::to_string(i) + " " +
         std::string(i % 97, static_cast<char>('a' + i % 26)) + "\n";
}

/// Every piece of /pieces?n=count, concatenated.
std::string all_pieces(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i)
    out += piece_text(i);
  return out;
}

constexpr std::size_t piece_count = 500;

class http_response_stream : public http_server_fixture {
protected:
  http_response_stream() {
    using net::body_chunk;
    using net::http_request;
    using net::http_response;
    using net::piece_sink;
    using net::responder;
    // GET /pieces: piece_count pieces made on the worker, the last one
    // flagged with its data.
    routes->add(
        "GET", "/pieces", net::access::anyone,
        [log = log, pump = pump](http_request, responder reply) {
          auto at = std::make_shared<std::size_t>(0);
          http_response response;
          response.content_type = "text/plain";
          response.headers.emplace_back("X-Pieces",
                                        std::to_string(piece_count));
          response.producer = [log, pump, at](piece_sink next) {
            if (!next) {
              ++log->releases;
              return;
            }
            ++log->pulls;
            pump->post([at, next] {
              auto i = (*at)++;
              next(body_chunk{piece_text(i), i + 1 == piece_count, false});
            });
          };
          reply(std::move(response));
        });
    // GET /broken: three pieces, then the producer fails.
    routes->add("GET", "/broken", net::access::anyone,
                [log = log, pump = pump](http_request, responder reply) {
                  auto at = std::make_shared<std::size_t>(0);
                  http_response response;
                  response.content_type = "text/plain";
                  response.producer = [log, pump, at](piece_sink next) {
                    if (!next) {
                      ++log->releases;
                      return;
                    }
                    ++log->pulls;
                    pump->post([at, next] {
                      if ((*at)++ < 3)
                        next(body_chunk{piece_text(*at), false, false});
                      else
                        next(body_chunk{{}, false, true});
                    });
                  };
                  reply(std::move(response));
                });
    // GET /endless: 256 KB pieces until nothing more is wanted.
    routes->add(
        "GET", "/endless", net::access::anyone,
        [log = log, pump = pump](http_request, responder reply) {
          http_response response;
          response.content_type = "application/octet-stream";
          response.producer = [log, pump](piece_sink next) {
            if (!next) {
              ++log->releases;
              return;
            }
            ++log->pulls;
            pump->post([next] {
              next(body_chunk{std::string(256 * 1024, 'e'), false, false});
            });
          };
          reply(std::move(response));
        });
    // GET /empty-stream: one empty last piece, answered in the call.
    routes->add("GET", "/empty-stream", net::access::anyone,
                [log = log](http_request, responder reply) {
                  http_response response;
                  response.producer = [log](piece_sink next) {
                    if (!next) {
                      ++log->releases;
                      return;
                    }
                    ++log->pulls;
                    next(body_chunk{{}, true, false});
                  };
                  reply(std::move(response));
                });
  }

  ~http_response_stream() override {
    // Before the worker goes: no producer is called after this.
    if (server)
      server->stop();
  }

  std::shared_ptr<producer_log> log = std::make_shared<producer_log>();
  std::shared_ptr<worker> pump = std::make_shared<worker>();
};

TEST_F(http_response_stream, pieces_arrive_chunked_and_whole) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(
      format_request("GET", "/pieces", {}, {{"X-Request-ID", "stream-1"}})));
  auto reply = connection.read_reply(30s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("transfer-encoding"), "chunked");
  EXPECT_FALSE(reply->has_header("content-length"));
  EXPECT_EQ(reply->header("content-type"), "text/plain");
  EXPECT_EQ(reply->header("x-pieces"), std::to_string(piece_count));
  EXPECT_EQ(reply->header("x-request-id"), "stream-1");
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply->body, all_pieces(piece_count));
  EXPECT_EQ(log->pulls, piece_count);
  EXPECT_EQ(log->releases, 0u);

  // The connection is kept alive and serves the next request.
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto next = connection.read_reply(10s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, R"({"pong":true})");
  ASSERT_TRUE(connection.send(format_request("GET", "/pieces")));
  auto again = connection.read_reply(30s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, all_pieces(piece_count));

  EXPECT_TRUE(eventually([&] { return server->in_flight() == 0; }));
  auto metrics = scrape();
  EXPECT_NE(metrics.find(R"(method="GET",route="/pieces",status="200"} 2)"),
            std::string::npos)
      << metrics;
}

TEST_F(http_response_stream, an_empty_streamed_body_ends_at_once) {
  start();
  auto reply = http_call(port, "GET", "/empty-stream");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("transfer-encoding"), "chunked");
  EXPECT_EQ(reply.body, "");
  EXPECT_EQ(log->pulls, 1u);
}

TEST_F(http_response_stream, cors_headers_apply_to_streamed_answers) {
  auto settings = test_settings();
  settings.cors_origins = "https://app.example.com";
  start(settings);
  auto reply = http_call(port, "GET", "/pieces", {},
                         {{"Origin", "https://app.example.com"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("access-control-allow-origin"),
            "https://app.example.com");
  EXPECT_EQ(reply.body, all_pieces(piece_count));
}

TEST_F(http_response_stream, a_failing_producer_truncates_the_transfer) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/broken")));
  // The server closes without the terminating chunk: what arrived is no
  // complete response.
  EXPECT_TRUE(connection.closed_by_peer(10s));
  EXPECT_GT(connection.pending_bytes(), 0u);
  EXPECT_FALSE(connection.read_reply(1s));
  EXPECT_EQ(log->pulls, 4u);
  EXPECT_EQ(log->releases, 0u) << "a producer that failed is not told";

  // The server is fine afterwards.
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/pieces").body, all_pieces(piece_count));
  EXPECT_TRUE(eventually([&] { return server->in_flight() == 0; }));
}

TEST_F(http_response_stream, a_slow_client_holds_the_producer_back) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/endless")));
  ASSERT_TRUE(eventually([&] { return log->pulls >= 2; }));
  // The client reads nothing: once the socket buffers are full the server
  // must stop pulling. Give a server that ignored that time to pull on; one
  // that honours it stays within the buffers (a few MB, 256 KB a piece).
  std::this_thread::sleep_for(300ms);
  auto pulled = log->pulls.load();
  EXPECT_LT(pulled, 200u);
  EXPECT_EQ(log->releases, 0u);

  // The client goes away: the server stops pulling and tells the producer.
  connection.close();
  EXPECT_TRUE(eventually([&] { return log->releases == 1; }));
  auto final_pulls = log->pulls.load();
  EXPECT_TRUE(eventually([&] { return server->in_flight() == 0; }));
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
  EXPECT_EQ(http_call(port, "GET", "/ping").status, 200);
  EXPECT_EQ(log->pulls, final_pulls);
  EXPECT_EQ(log->releases, 1u);
}

TEST_F(http_response_stream, stopping_the_server_releases_the_producer) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("GET", "/endless")));
  ASSERT_TRUE(eventually([&] { return log->pulls >= 2; }));
  server->stop();
  EXPECT_EQ(log->releases, 1u);
}

TEST_F(http_response_stream, head_sends_the_header_without_pulling) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send(format_request("HEAD", "/pieces")));
  auto reply = connection.read_reply(10s, true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("transfer-encoding"), "chunked");
  EXPECT_EQ(log->pulls, 0u);
  EXPECT_EQ(log->releases, 1u);
  // Nothing but the header came: the next answer follows directly.
  ASSERT_TRUE(connection.send(format_request("GET", "/ping")));
  auto next = connection.read_reply(10s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(http_response_stream, http_1_0_gets_the_body_until_the_close) {
  start();
  raw_connection connection{port};
  ASSERT_TRUE(connection.send("GET /pieces HTTP/1.0\r\n\r\n"));
  auto reply = connection.read_reply(30s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_FALSE(reply->has_header("transfer-encoding"));
  EXPECT_EQ(reply->body, all_pieces(piece_count));
}

} // namespace
} // namespace cdpd::test
