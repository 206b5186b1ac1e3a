#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "net/http/http_metrics.hpp"

namespace cdpd::net {

/// Counts a server's connections and requests in flight, enforces
/// http.max-connections and http.max-connections-per-address, and lets
/// shutdown wait for both to settle.
/// Thread-safe: everything happens under one mutex, which connections also
/// hold while they check liveness() before touching their executor, so that
/// stop() cannot pull the I/O objects away mid-check.
class connection_registry {
public:
  /// What admit_locked() decided for a new connection.
  enum class admission {
    accepted,            ///< counted against the limit
    refused,             ///< over the limit: answer 503 and close; not counted
    refused_for_address, ///< over the address's cap: answer 429 and close
    closed,              ///< draining or stopped: drop it without an answer
  };

  /// One connection's share of the counts. Each share is given back at most
  /// once however many of the paths that close a connection run.
  class membership {
  public:
    membership() = default;
    membership(const membership&) = delete;
    membership& operator=(const membership&) = delete;

    /// True while the connection holds one of http.max-connections.
    bool counted() const { return counted_; }

    /// True while the connection's current request is in flight.
    bool in_flight() const { return in_flight_; }

    /// True while the connection owns its socket and timers.
    bool owns_io() const { return owns_io_; }

  private:
    friend class connection_registry;
    bool counted_ = false;
    bool in_flight_ = false;
    bool owns_io_ = false;
    std::string address_; ///< the client's address group, while counted
  };

  /// `max_connections` of 0 is taken as 1; `per_address` of 0 lifts the
  /// cap per address. `metrics` must outlive this.
  connection_registry(std::size_t max_connections, std::size_t per_address,
                      http_metrics& metrics);

  connection_registry(const connection_registry&) = delete;
  connection_registry& operator=(const connection_registry&) = delete;

  /// Locks the registry; the `_locked` members require it.
  std::unique_lock<std::mutex> lock() const {
    return std::unique_lock<std::mutex>{mutex_};
  }

  /// Takes a new connection from `address` (its group, see
  /// address_group()) in unless the server drains or stopped; an admitted
  /// connection owns I/O even when refused for a limit.
  admission admit_locked(membership& member, const std::string& address);

  /// Counts the member's request as in flight.
  void start_request(membership& member);

  /// Ends the member's request in flight, if it has one.
  void finish_request(membership& member);

  /// finish_request() with the lock held.
  void finish_request_locked(membership& member);

  /// Gives back the member's place among http.max-connections, if it holds
  /// one.
  void release_connection_locked(membership& member);

  /// Records that the member gave up its socket; false when it already had.
  bool release_io_locked(membership& member);

  /// Stops admitting connections; true only for the first call.
  bool begin_drain();

  /// True once begin_drain() or stop_locked() was called.
  bool draining() const { return draining_; }

  /// Refuses all further work: connections and late responses.
  void stop_locked();

  /// False once stop_locked() was called.
  bool liveness_locked() const { return alive_; }

  /// Waits until no request is in flight; false on timeout.
  bool wait_idle(std::chrono::milliseconds timeout);

  /// Waits until no connection owns I/O any more; `guard` holds lock().
  void wait_io_released(std::unique_lock<std::mutex>& guard);

  /// Connections counted against the limit.
  std::size_t open() const;

  /// Requests in flight.
  std::size_t in_flight() const;

  /// The configured limit.
  std::size_t limit() const { return limit_; }

  /// The configured cap per address; 0: none.
  std::size_t per_address_limit() const { return per_address_limit_; }

private:
  const std::size_t limit_;
  const std::size_t per_address_limit_;
  http_metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<bool> draining_{false};
  bool alive_ = true;
  std::size_t open_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t live_io_ = 0;
  /// Counted connections per address group; groups at zero are erased.
  std::unordered_map<std::string, std::size_t> per_address_;
};

} // namespace cdpd::net
