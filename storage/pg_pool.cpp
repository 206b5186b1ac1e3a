#include "storage/pg_pool.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <pqxx/nontransaction>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "storage/pg_conninfo.hpp"

namespace cdpd::storage {

namespace {

std::string pool_size_key(const std::string& pool_name) {
  return pool_name == "read" ? "postgres.read-pool-size" : "postgres.pool-size";
}

std::string connect_timeout_seconds(millis timeout) {
  // libpq takes whole seconds; round up so a short timeout never means "none".
  auto secs = (timeout.count() + 999) / 1000;
  return std::to_string(std::max<long long>(secs, 1));
}

/// Whether an idle connection may still be healthy. An idle connection has
/// nothing to read unless the server sent a FATAL error (terminated backend,
/// shutdown) or closed it; catching that here spares the caller a failed
/// call (and libpqxx 6 a leak on its broken-connection path). Over TLS only
/// a closed socket is recognised; anything else is left to the call.
bool looks_alive(const pqxx::connection& conn) {
  int fd = conn.sock();
  if (fd < 0)
    return false;
  char first = 0;
  auto got = ::recv(fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  // 0: the server closed the socket; 'E': an ErrorResponse while idle is
  // always FATAL. Notices and notifications leave the connection usable.
  return got == 1 && first != 'E';
}

} // namespace

struct pg_pool::metric_handles {
  prometheus::Gauge* in_use = nullptr;
  prometheus::Gauge* idle = nullptr;
  prometheus::Gauge* size = nullptr;
  prometheus::Gauge* waiting = nullptr;
  prometheus::Counter* acquire_timeouts = nullptr;
  prometheus::Counter* reconnects = nullptr;
};

pg_pool_options write_pool_options(const config::postgres_settings& settings,
                                   const std::string& fallback_url) {
  pg_pool_options opts;
  opts.name = "write";
  opts.url = settings.url.empty() ? fallback_url : settings.url;
  opts.size = settings.pool_size;
  opts.acquire_timeout = settings.acquire_timeout;
  opts.statement_timeout = settings.statement_timeout;
  opts.connect_timeout = settings.connect_timeout;
  return opts;
}

pg_pool_options read_pool_options(const config::postgres_settings& settings,
                                  const std::string& fallback_url) {
  auto opts = write_pool_options(settings, fallback_url);
  opts.name = "read";
  if (!settings.read_url.empty())
    opts.url = settings.read_url;
  opts.size = settings.read_pool_size;
  return opts;
}

pg_pool::pg_pool(pg_pool_options options, prometheus::Registry* metrics)
    : options_(std::move(options)) {
  options_.size = std::max(options_.size, 1);
  conninfo_ = with_pg_param(options_.url, "fallback_application_name",
                            "cdpd-" + options_.name);
  if (options_.connect_timeout.count() > 0)
    conninfo_ =
        with_pg_param(conninfo_, "connect_timeout",
                      connect_timeout_seconds(options_.connect_timeout));
  if (metrics == nullptr)
    return;
  // Registries merge families with the same name and help, so a write and a
  // read pool share each family and differ only in the "pool" label.
  try {
    auto handles = std::make_unique<metric_handles>();
    auto& connections = prometheus::BuildGauge()
                            .Name("cdpd_pg_pool_connections")
                            .Help("Open PostgreSQL connections by state")
                            .Register(*metrics);
    handles->in_use =
        &connections.Add({{"pool", options_.name}, {"state", "in_use"}});
    handles->idle =
        &connections.Add({{"pool", options_.name}, {"state", "idle"}});
    handles->size = &prometheus::BuildGauge()
                         .Name("cdpd_pg_pool_size")
                         .Help("Configured maximum PostgreSQL connections")
                         .Register(*metrics)
                         .Add({{"pool", options_.name}});
    handles->waiting = &prometheus::BuildGauge()
                            .Name("cdpd_pg_pool_waiting")
                            .Help("Callers waiting for a PostgreSQL connection")
                            .Register(*metrics)
                            .Add({{"pool", options_.name}});
    handles->acquire_timeouts =
        &prometheus::BuildCounter()
             .Name("cdpd_pg_pool_acquire_timeouts_total")
             .Help("Calls that found no free PostgreSQL connection in time")
             .Register(*metrics)
             .Add({{"pool", options_.name}});
    handles->reconnects =
        &prometheus::BuildCounter()
             .Name("cdpd_pg_pool_reconnects_total")
             .Help("PostgreSQL connections reopened after one was lost")
             .Register(*metrics)
             .Add({{"pool", options_.name}});
    metrics_ = std::move(handles);
    std::lock_guard<std::mutex> guard{mtx_};
    publish_locked();
  } catch (const std::exception& e) {
    spdlog::warn("pg pool {}: metrics disabled, registry refused them: {}",
                 options_.name, e.what());
  }
}

pg_pool::~pg_pool() {
  close();
}

pg_pool::stats pg_pool::snapshot() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return {options_.size, open_, leased_, waiting_, acquire_timeouts_};
}

void pg_pool::close() {
  std::vector<connection_ptr> doomed;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    closed_ = true;
    doomed.swap(idle_);
    open_ -= static_cast<int>(doomed.size());
    publish_locked();
  }
  freed_.notify_all();
}

caf::error pg_pool::acquire(connection_ptr& out) {
  std::unique_lock<std::mutex> lock{mtx_};
  auto closed_error = [this] {
    return make_error(errc::closed, "the PostgreSQL pool \"" + options_.name +
                                        "\" is closed");
  };
  if (closed_)
    return closed_error();
  if (leased_ >= options_.size) {
    ++waiting_;
    publish_locked();
    auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
    bool got_slot = freed_.wait_until(
        lock, deadline, [this] { return closed_ || leased_ < options_.size; });
    --waiting_;
    if (closed_) {
      publish_locked();
      return closed_error();
    }
    if (!got_slot) {
      ++acquire_timeouts_;
      if (metrics_)
        metrics_->acquire_timeouts->Increment();
      publish_locked();
      return make_error(errc::pool_exhausted,
                        "no PostgreSQL connection free within " +
                            std::to_string(options_.acquire_timeout.count()) +
                            " ms (pool \"" + options_.name + "\", size " +
                            std::to_string(options_.size) + ", " +
                            std::to_string(leased_) + " in use); raise " +
                            pool_size_key(options_.name) +
                            " or find the slow queries");
    }
  }
  ++leased_;
  std::vector<connection_ptr> dead;
  while (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    if (looks_alive(*conn)) {
      out = std::move(conn);
      publish_locked();
      lock.unlock();
      return {};
    }
    --open_;
    ++to_replace_;
    dead.push_back(std::move(conn));
  }
  if (!dead.empty())
    spdlog::warn("pg pool {}: the server closed {} idle connection(s); they "
                 "reopen on demand",
                 options_.name, dead.size());
  publish_locked();
  lock.unlock();
  // Connect outside the lock: it may take up to connect_timeout.
  connection_ptr fresh;
  caf::error failure;
  try {
    fresh = open_connection();
  } catch (...) {
    failure = internal::translate_connect_exception(std::current_exception(),
                                                    options_.url);
  }
  lock.lock();
  if (failure) {
    --leased_;
    publish_locked();
    lock.unlock();
    freed_.notify_one();
    return failure;
  }
  ++open_;
  if (to_replace_ > 0) {
    --to_replace_;
    if (metrics_)
      metrics_->reconnects->Increment();
  }
  publish_locked();
  out = std::move(fresh);
  return {};
}

void pg_pool::release(connection_ptr conn, bool broken) noexcept {
  if (!conn)
    return;
  broken = broken || !conn->is_open();
  std::vector<connection_ptr> doomed;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    --leased_;
    if (broken) {
      doomed.swap(idle_);
      doomed.push_back(std::move(conn));
      open_ -= static_cast<int>(doomed.size());
      to_replace_ += static_cast<int>(doomed.size());
    } else if (closed_) {
      --open_;
      doomed.push_back(std::move(conn));
    } else {
      idle_.push_back(std::move(conn));
    }
    publish_locked();
  }
  freed_.notify_one();
  if (broken)
    spdlog::warn("pg pool {}: a connection broke; closed it and {} idle "
                 "connection(s), they reopen on next use",
                 options_.name, doomed.size() - 1);
}

pg_pool::connection_ptr pg_pool::open_connection() const {
  auto conn = std::make_unique<pqxx::connection>(conninfo_);
  // The pool, not libpqxx, decides when to reconnect: a silent reconnect
  // would drop session settings and hide lost work from the caller.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  if (options_.statement_timeout.count() > 0) {
    pqxx::nontransaction tx{*conn};
    tx.exec("SET statement_timeout = " +
            std::to_string(options_.statement_timeout.count()));
  }
  return conn;
}

void pg_pool::publish_locked() noexcept {
  if (!metrics_)
    return;
  metrics_->in_use->Set(leased_);
  metrics_->idle->Set(static_cast<double>(idle_.size()));
  metrics_->size->Set(options_.size);
  metrics_->waiting->Set(waiting_);
}

} // namespace cdpd::storage
