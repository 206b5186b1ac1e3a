#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "storage/redis_reply.hpp"
#include "storage/redis_url.hpp"

struct redisContext;

namespace cdpd::storage {

/// A synchronous Redis connection (hiredis). Not thread-safe: one client per
/// owning thread or detached actor. Calls block for at most `timeout` each
/// (connect, and each command's round trip).
///
/// Connects lazily on the first call, sends AUTH and SELECT when the endpoint
/// asks for them, and on a connection error frees the connection so the next
/// call reconnects. A failed connect is not retried within 100 ms: calls in
/// that window fail fast with errc::redis_unavailable instead of hammering a
/// dead server. Creating a client makes the process ignore SIGPIPE (if it
/// had the default action), because hiredis writes with plain write(2).
class redis_client {
public:
  /// The shortest gap between two connect attempts after one failed.
  static constexpr std::chrono::milliseconds reconnect_interval{100};

  /// Creates an unconnected client; never fails.
  redis_client(redis_endpoint endpoint, std::chrono::milliseconds timeout);

  ~redis_client();

  redis_client(redis_client&&) noexcept;
  redis_client& operator=(redis_client&&) noexcept;
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  /// Sends PING; returns the status text ("PONG"). Fails like command().
  caf::expected<std::string> ping();

  /// Sends one command, binary-safe (each argument may hold any bytes).
  /// An error reply at the top level becomes errc::redis_error (the
  /// connection stays usable); errors nested in arrays (EXEC) stay in the
  /// reply. Fails with errc::redis_unavailable when Redis cannot be reached
  /// or the connection broke or timed out, errc::redis_error when AUTH or
  /// SELECT is refused or `argv` is empty.
  caf::expected<redis_reply> command(const std::vector<std::string>& argv);

  /// Whether a connection is open right now (as far as the client knows).
  bool connected() const noexcept { return ctx_ != nullptr; }

  /// The server this client talks to.
  const redis_endpoint& endpoint() const noexcept { return endpoint_; }

private:
  struct context_deleter {
    void operator()(redisContext* ctx) const noexcept;
  };

  /// Connects (with AUTH/SELECT) unless connected or inside the back-off.
  caf::error ensure_connected();

  /// Sends argv on the open context without any reconnect logic.
  caf::expected<redis_reply> send(const std::vector<std::string>& argv);

  /// "127.0.0.1:26379" for messages.
  std::string where() const;

  redis_endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<redisContext, context_deleter> ctx_;
  std::optional<std::chrono::steady_clock::time_point> last_failed_connect_;
  std::string last_failure_;
};

} // namespace cdpd::storage
