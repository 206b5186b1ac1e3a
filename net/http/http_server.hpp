#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace cdpd::net {

class router;

/// The asynchronous HTTP/1.1 server (Boost.Beast, kept out of this header).
/// Each connection reads one request at a time within the limits of
/// config::http_settings, dispatches it through the router and writes the
/// handler's response; limit violations are answered with problem+json
/// (413, 431, 408, 503, 400) and Connection: close. Every response carries
/// X-Request-ID and Server: cdpd.
///
/// Lifecycle: start(), then on shutdown begin_drain(), wait_drained(), stop().
/// None of these may be called from a request handler.
class http_server {
public:
  /// Prepares a server; nothing is bound before start(). `routes` nullptr
  /// answers every request with 404. `metrics` may be nullptr (no metrics)
  /// and must outlive the server.
  http_server(const config::http_settings& settings,
              std::shared_ptr<const router> routes,
              prometheus::Registry* metrics);

  /// Stops the server (see stop()).
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and listens on settings.address:settings.port (port 0: any free
  /// port) and starts settings.io_threads threads. Returns the bound port, or
  /// caf::sec::cannot_open_port with a message naming address:port and the
  /// operating system's reason; caf::sec::runtime_error when called twice.
  caf::expected<uint16_t> start();

  /// Stops accepting (the port is closed once this returns) and closes idle
  /// connections; requests in flight finish and their responses carry
  /// Connection: close.
  void begin_drain();

  /// Blocks until no request is in flight (true) or the timeout passes
  /// (false).
  bool wait_drained(std::chrono::milliseconds timeout);

  /// Closes every connection and joins the I/O threads; responses delivered
  /// afterwards are dropped. Idempotent.
  void stop();

  /// Requests received and not yet answered.
  std::size_t in_flight() const;

  /// Connections accepted and not yet closed (not counting the ones refused
  /// with 503 for exceeding http.max-connections).
  std::size_t open_connections() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace cdpd::net
