#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "config/settings.hpp"
#include "net/http/http_message.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"

namespace cdpd::test {

using namespace std::chrono_literals;

/// Settings small enough to hit every limit quickly.
config::http_settings test_settings();

/// Waits for a condition, checking it every few milliseconds, up to a
/// deadline; returns its last value.
template <class Predicate>
bool eventually(Predicate predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds{2});
  }
  return true;
}

/// An in-process server on a free port with test routes:
///   GET  /ping          200 {"pong":true}
///   POST /echo          200 with the request body and content type
///   GET  /users/{id}    200 with the decoded id, path, query and route
///   GET  /request-id    200 with the request id the handler saw
///   GET  /slow          200 "slow", answered from another thread after 200 ms
///   GET  /hold          answered when the test calls release()
///   GET  /throw         the handler throws
///   GET  /drop          the handler drops its responder
///   GET  /twice         the handler responds twice ("first", "second")
class http_server_fixture : public ::testing::Test {
protected:
  http_server_fixture();
  ~http_server_fixture() override;

  /// Starts the server; the port is in `port`. Throws when it cannot.
  void start(const config::http_settings& settings = test_settings());

  /// Waits until `count` /hold requests are parked.
  bool wait_held(std::size_t count, std::chrono::milliseconds timeout = 10s);

  /// Answers every parked /hold request with 200 "held".
  void release();

  /// The registry in Prometheus text format.
  std::string scrape();

  prometheus::Registry registry;
  std::shared_ptr<net::router> routes;
  std::unique_ptr<net::http_server> server;
  uint16_t port = 0;

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<net::responder> held_;
  std::vector<std::thread> workers_;
};

} // namespace cdpd::test
