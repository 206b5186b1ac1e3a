#pragma once

#include <chrono>
#include <cstdint>
#include <string>

/// The effective configuration of one cdpd node. Every field has a default
/// here; units and bounds live in the option schema (config/schema.cpp).
/// Immutable once loaded.
namespace cdpd::config {

using millis = std::chrono::milliseconds;

struct http_settings {
  std::string address = "127.0.0.1";
  uint16_t port = 8000; ///< 0 binds a free port (tests)
  int io_threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  millis read_timeout{30'000};
  int max_connections = 1024;
  millis drain_timeout{10'000};
};

struct postgres_settings {
  std::string url;      ///< empty: start the embedded PostgreSQL
  std::string read_url; ///< empty: reads use the primary
  int pool_size = 8;
  int read_pool_size = 8;
  millis acquire_timeout{2'000};
  millis statement_timeout{30'000};
  millis connect_timeout{5'000};
  millis startup_timeout{15'000}; ///< how long start-up waits for PostgreSQL
  uint16_t embedded_port = 0;     ///< 0: pick a free port below 32768
};

struct redis_settings {
  std::string url; ///< empty: Redis is not used
  millis timeout{1'000};
};

struct state_settings {
  std::string dir; ///< empty: /var/lib/cdpd as root, else ~/.local/state/cdpd
};

struct log_settings {
  std::string level = "info"; ///< trace|debug|info|warn|error|off
};

/// CAF's own settings, applied to caf::actor_system_config.
struct scheduler_settings {
  int max_threads = 0; ///< 0: one per core
};

struct middleman_settings {
  millis heartbeat_interval{1'000};
  millis connection_timeout{5'000};
};

struct settings {
  http_settings http;
  postgres_settings postgres;
  redis_settings redis;
  state_settings state;
  log_settings log;
  scheduler_settings scheduler;
  middleman_settings middleman;
};

} // namespace cdpd::config
