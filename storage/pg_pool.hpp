#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/unit.hpp>
#include <pqxx/connection>

#include "config/settings.hpp"
#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"

namespace prometheus {
class Registry;
} // namespace prometheus

namespace cdpd::storage {

namespace internal {

template <class T> struct is_expected : std::false_type {};
template <class T> struct is_expected<caf::expected<T>> : std::true_type {};
template <class T> inline constexpr bool is_expected_v = is_expected<T>::value;

/// What pg_pool::run returns for work that returns `T`: `caf::expected<T>`,
/// but not nested when `T` is an expected already.
template <class T> struct flat_expected { using type = caf::expected<T>; };
template <class T> struct flat_expected<caf::expected<T>> {
  using type = caf::expected<T>;
};
template <class T> using flat_expected_t = typename flat_expected<T>::type;

} // namespace internal

using millis = std::chrono::milliseconds;

/// How one pool connects and how long callers wait.
struct pg_pool_options {
  std::string name = "write";    ///< "write" or "read": metric label, logs
  std::string url;               ///< libpq URL or keyword conninfo
  int size = 8;                  ///< most connections open at once
  millis acquire_timeout{2'000}; ///< longest wait for a free connection
  millis statement_timeout{0};   ///< per statement; 0 = no limit
  millis connect_timeout{5'000}; ///< per connection attempt (whole seconds)
};

/// The write pool's options: `postgres.url` (or `fallback_url`, e.g. the
/// embedded PostgreSQL's URL, when `postgres.url` is empty) and
/// `postgres.pool-size`.
pg_pool_options write_pool_options(const config::postgres_settings& settings,
                                   const std::string& fallback_url = {});

/// The read pool's options: `postgres.read-url` if set, else the write URL
/// (as in write_pool_options), and `postgres.read-pool-size`.
pg_pool_options read_pool_options(const config::postgres_settings& settings,
                                  const std::string& fallback_url = {});

/// A bounded, thread-safe pool of blocking libpqxx connections.
///
/// Connections open lazily on first use, so constructing a pool never fails,
/// even while PostgreSQL is down. Each connection gets `statement_timeout`
/// when it opens. Calls block: run them on detached actors or worker threads.
///
/// When a call finds its connection broken, the pool discards it and also
/// closes its idle connections (a broken connection usually means the server
/// restarted or terminated backends); all of them reopen on next use.
class pg_pool {
public:
  /// A consistent view of the pool for /admin and tests.
  struct stats {
    int size = 0;                  ///< configured maximum
    int open = 0;                  ///< connections open now (idle + busy)
    int in_use = 0;                ///< connections lent to callers
    int waiting = 0;               ///< callers waiting for a connection
    uint64_t acquire_timeouts = 0; ///< calls that gave up waiting
  };

  /// Creates the pool; opens nothing. With a registry, it publishes
  /// cdpd_pg_pool_connections{pool,state}, cdpd_pg_pool_size{pool},
  /// cdpd_pg_pool_waiting{pool}, cdpd_pg_pool_acquire_timeouts_total{pool}
  /// and cdpd_pg_pool_reconnects_total{pool}; a write and a read pool share
  /// one registry through these label sets. `metrics` may be null and must
  /// outlive the pool otherwise.
  pg_pool(pg_pool_options options, prometheus::Registry* metrics);

  /// Closes the pool. No run() may still be in progress.
  ~pg_pool();

  pg_pool(const pg_pool&) = delete;
  pg_pool& operator=(const pg_pool&) = delete;

  /// Runs `fn(pqxx::connection&)` on a pooled connection and returns its
  /// result as one flat expected: caf::expected<void> when `fn` returns
  /// void, `fn`'s own caf::expected<T> when it returns one, else
  /// caf::expected of what it returns.
  ///
  /// Fails with errc::pool_exhausted when no connection frees up within
  /// acquire_timeout, errc::closed after close(), errc::connection_failed when
  /// a new connection cannot be opened, errc::connection_lost when the
  /// connection broke during `fn` (thrown, or returned by `fn` as
  /// errc::connection_lost: either way the connection is discarded),
  /// errc::statement_timeout when PostgreSQL
  /// cancelled a statement, errc::query_failed for any other exception from
  /// `fn`. With `idempotent`, a lost connection is retried once on a fresh
  /// connection; never pass true for work that must not run twice.
  /// `fn` must keep its transactions local: they roll back when it throws.
  template <class F>
  auto run(F&& fn, bool idempotent = false) -> internal::flat_expected_t<
      std::remove_cvref_t<std::invoke_result_t<F&, pqxx::connection&>>>;

  /// Current counts, taken under the pool's lock.
  stats snapshot() const;

  /// Closes idle connections, wakes every waiter with errc::closed and makes
  /// later run() calls fail with errc::closed. Busy connections close when
  /// their callers hand them back. Idempotent.
  void close();

  /// The options this pool was built with.
  const pg_pool_options& options() const noexcept { return options_; }

private:
  struct metric_handles;
  using connection_ptr = std::unique_ptr<pqxx::connection>;

  /// Waits for a slot and hands out an idle or newly opened connection.
  caf::error acquire(connection_ptr& out);

  /// Takes a connection back; discards it (and all idle ones) if `broken`.
  void release(connection_ptr conn, bool broken) noexcept;

  /// Opens one connection and applies the session settings; throws.
  connection_ptr open_connection() const;

  /// Pushes the counters into the Prometheus gauges; needs the lock.
  void publish_locked() noexcept;

  pg_pool_options options_;
  std::string conninfo_;
  std::unique_ptr<metric_handles> metrics_;

  mutable std::mutex mtx_;
  std::condition_variable freed_;
  std::vector<connection_ptr> idle_;
  int leased_ = 0;
  int open_ = 0;
  int waiting_ = 0;
  int to_replace_ = 0;
  uint64_t acquire_timeouts_ = 0;
  bool closed_ = false;
};

template <class F>
auto pg_pool::run(F&& fn, bool idempotent) -> internal::flat_expected_t<
    std::remove_cvref_t<std::invoke_result_t<F&, pqxx::connection&>>> {
  using result_type =
      std::remove_cvref_t<std::invoke_result_t<F&, pqxx::connection&>>;
  for (int attempt = 1;; ++attempt) {
    connection_ptr conn;
    if (auto err = acquire(conn))
      return err;
    internal::pg_failure failure;
    try {
      if constexpr (std::is_void_v<result_type>) {
        fn(*conn);
        release(std::move(conn), false);
        return caf::unit;
      } else if constexpr (internal::is_expected_v<result_type>) {
        result_type result = fn(*conn);
        // A repository reports a broken connection as connection_lost: the
        // connection goes, and idempotent work gets a fresh one.
        if (result || result.error() != errc::connection_lost) {
          release(std::move(conn), false);
          return result;
        }
        failure = {std::move(result.error()), true};
      } else {
        result_type result = fn(*conn);
        release(std::move(conn), false);
        return result;
      }
    } catch (...) {
      failure = internal::translate_pg_exception(std::current_exception());
    }
    release(std::move(conn), failure.discard_connection);
    bool retry =
        idempotent && attempt == 1 && failure.error == errc::connection_lost;
    if (!retry)
      return std::move(failure.error);
  }
}

} // namespace cdpd::storage
