#include "storage/pg_pool.hpp"

#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <prometheus/registry.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"
#include "tests/support/test_env.hpp"

// libpqxx 6.4 leaks one PGresult (about 2 KB) each time a connection breaks
// in the middle of a query. Builds with CDPD_SANITIZE=ON tell LeakSanitizer
// to ignore it; other builds never call this.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx\n";
}

namespace cdpd::storage {
namespace {

using namespace std::chrono_literals;

/// The value of one series, or -1 when the registry has no such series.
double metric_value(prometheus::Registry& registry, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name)
      continue;
    for (const auto& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& pair : metric.label)
        got[pair.name] = pair.value;
      if (got != labels)
        continue;
      return family.type == prometheus::MetricType::Counter
                 ? metric.counter.value
                 : metric.gauge.value;
    }
  }
  return -1;
}

/// Terminates every other session on `dbname` and waits until they are gone.
void terminate_backends(const std::string& admin_conninfo,
                        const std::string& dbname) {
  pqxx::connection admin{admin_conninfo};
  pqxx::nontransaction tx{admin};
  tx.exec_params("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                 " WHERE datname = $1 AND pid <> pg_backend_pid()",
                 dbname);
}

pg_pool_options options_for(const test::pg_test_db& db, int size = 2) {
  pg_pool_options opts;
  opts.name = "write";
  opts.url = db.url();
  opts.size = size;
  opts.acquire_timeout = 2000ms;
  opts.statement_timeout = 0ms;
  opts.connect_timeout = 5000ms;
  return opts;
}

int select_one(pqxx::connection& conn) {
  pqxx::work tx{conn};
  return tx.exec1("SELECT 1")[0].as<int>();
}

/// Threads that each borrow one pool connection and keep it until release()
/// (or the end of the scope, so a failed assertion never leaves them hanging).
class held_connections {
public:
  held_connections(pg_pool& pool, int count) {
    auto gate = released_.get_future().share();
    for (int i = 0; i < count; ++i)
      threads_.emplace_back([&pool, gate] {
        auto held = pool.run([&](pqxx::connection&) { gate.wait(); });
        EXPECT_TRUE(held) << describe(held.error());
      });
  }

  ~held_connections() { release(); }

  void release() {
    if (threads_.empty())
      return;
    released_.set_value();
    for (auto& t : threads_)
      t.join();
    threads_.clear();
  }

private:
  std::promise<void> released_;
  std::vector<std::thread> threads_;
};

TEST(PgPoolIntegration, RunsWorkAndReusesTheConnection) {
  test::pg_test_db db;
  pg_pool pool{options_for(db), nullptr};
  auto one = pool.run(select_one);
  ASSERT_TRUE(one) << describe(one.error());
  EXPECT_EQ(*one, 1);
  auto none = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    tx.exec("CREATE TABLE t (x int)");
    tx.commit();
  });
  static_assert(std::is_same_v<decltype(none), caf::expected<void>>);
  ASSERT_TRUE(none) << describe(none.error());
  auto s = pool.snapshot();
  EXPECT_EQ(s.open, 1);
  EXPECT_EQ(s.in_use, 0);
}

TEST(PgPoolIntegration, SetsTheStatementTimeoutOnEachConnection) {
  test::pg_test_db db;
  auto opts = options_for(db);
  opts.statement_timeout = 1234ms;
  pg_pool pool{opts, nullptr};
  auto value = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    return tx.exec1("SHOW statement_timeout")[0].as<std::string>();
  });
  ASSERT_TRUE(value) << describe(value.error());
  EXPECT_EQ(*value, "1234ms");
}

TEST(PgPoolIntegration, IdempotentWorkSurvivesTerminatedBackends) {
  test::pg_test_db db;
  prometheus::Registry registry;
  pg_pool pool{options_for(db), &registry};
  ASSERT_TRUE(pool.run(select_one));
  terminate_backends(test::pg_conninfo(), db.name());
  auto again = pool.run(select_one, true);
  ASSERT_TRUE(again) << describe(again.error());
  EXPECT_EQ(*again, 1);
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_reconnects_total",
                         {{"pool", "write"}}),
            1);
}

TEST(PgPoolIntegration, NonIdempotentWorkReportsTheLossOnce) {
  test::pg_test_db db;
  pg_pool pool{options_for(db), nullptr};
  ASSERT_TRUE(pool.run(select_one));
  terminate_backends(test::pg_conninfo(), db.name());
  int calls = 0;
  auto first = pool.run([&](pqxx::connection& conn) {
    ++calls;
    return select_one(conn);
  });
  if (!first) {
    EXPECT_TRUE(first.error() == errc::connection_lost)
        << describe(first.error());
  }
  EXPECT_EQ(calls, 1) << "non-idempotent work must never be retried";
  auto next = pool.run(select_one);
  ASSERT_TRUE(next) << describe(next.error());
}

/// Work whose first run kills its own backend, as a server restart would
/// in the middle of a call.
struct dies_once {
  int* calls;
  int operator()(pqxx::connection& conn) const {
    if (++*calls == 1) {
      pqxx::work tx{conn};
      tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    }
    return select_one(conn);
  }
};

TEST(PgPoolIntegration, LostConnectionRetriesIdempotentWorkOnce) {
  test::pg_test_db db;
  prometheus::Registry registry;
  pg_pool pool{options_for(db), &registry};
  int calls = 0;
  auto result = pool.run(dies_once{&calls}, true);
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_EQ(*result, 1);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_reconnects_total",
                         {{"pool", "write"}}),
            1);
  EXPECT_EQ(pool.snapshot().open, 1);
}

TEST(PgPoolIntegration, LostConnectionFailsNonIdempotentWork) {
  test::pg_test_db db;
  pg_pool pool{options_for(db), nullptr};
  int calls = 0;
  auto result = pool.run(dies_once{&calls});
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::connection_lost)
      << describe(result.error());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(pool.snapshot().open, 0) << "the broken connection is discarded";
  auto next = pool.run(select_one);
  ASSERT_TRUE(next) << describe(next.error());
}

/// Work that reports a lost connection the way repositories do: by
/// returning errc::connection_lost instead of throwing.
struct reports_lost_once {
  int* calls;
  caf::expected<int> operator()(pqxx::connection& conn) const {
    if (++*calls == 1)
      return make_error(errc::connection_lost, "the server closed it");
    return select_one(conn);
  }
};

TEST(PgPoolIntegration, ReturnedLostConnectionIsDiscardedAndRetriedOnce) {
  test::pg_test_db db;
  pg_pool pool{options_for(db), nullptr};
  int calls = 0;
  // The result is flat: caf::expected<int>, not an expected of one.
  caf::expected<int> result = pool.run(reports_lost_once{&calls}, true);
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_EQ(*result, 1);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(pool.snapshot().open, 1) << "the reported connection is gone";
  calls = 0;
  result = pool.run(reports_lost_once{&calls});
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::connection_lost);
  EXPECT_EQ(calls, 1) << "work that is not idempotent runs once";
  EXPECT_EQ(pool.snapshot().open, 0);
}

TEST(PgPoolIntegration, ExhaustedPoolAnswersWithinTheAcquireTimeout) {
  test::pg_test_db db;
  prometheus::Registry registry;
  auto opts = options_for(db, 2);
  opts.acquire_timeout = 300ms;
  pg_pool pool{opts, &registry};
  held_connections holders{pool, 2};
  ASSERT_TRUE(
      test::wait_until([&] { return pool.snapshot().in_use == 2; }, 10s));
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_connections",
                         {{"pool", "write"}, {"state", "in_use"}}),
            2);
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_size", {{"pool", "write"}}),
            2);
  auto start = std::chrono::steady_clock::now();
  auto third = pool.run(select_one);
  auto elapsed = std::chrono::steady_clock::now() - start;
  holders.release();
  ASSERT_FALSE(third);
  EXPECT_TRUE(third.error() == errc::pool_exhausted) << describe(third.error());
  EXPECT_NE(describe(third.error())
                .find("within 300 ms (pool \"write\", size 2, 2 in use); raise "
                      "postgres.pool-size"),
            std::string::npos)
      << describe(third.error());
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 3000ms);
  auto s = pool.snapshot();
  EXPECT_EQ(s.acquire_timeouts, 1u);
  EXPECT_EQ(s.in_use, 0);
  EXPECT_EQ(s.open, 2);
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_acquire_timeouts_total",
                         {{"pool", "write"}}),
            1);
  EXPECT_EQ(metric_value(registry, "cdpd_pg_pool_connections",
                         {{"pool", "write"}, {"state", "idle"}}),
            2);
}

TEST(PgPoolIntegration, CloseWakesWaiters) {
  test::pg_test_db db;
  auto opts = options_for(db, 1);
  opts.acquire_timeout = 60s;
  pg_pool pool{opts, nullptr};
  held_connections holder{pool, 1};
  ASSERT_TRUE(
      test::wait_until([&] { return pool.snapshot().in_use == 1; }, 10s));
  auto waiter =
      std::async(std::launch::async, [&] { return pool.run(select_one); });
  bool waiting =
      test::wait_until([&] { return pool.snapshot().waiting == 1; }, 10s);
  pool.close();
  auto waiter_result = waiter.get();
  holder.release();
  ASSERT_TRUE(waiting);
  ASSERT_FALSE(waiter_result);
  EXPECT_TRUE(waiter_result.error() == errc::closed);
  EXPECT_EQ(pool.snapshot().open, 0) << "returned connections close";
  auto later = pool.run(select_one);
  ASSERT_FALSE(later);
  EXPECT_TRUE(later.error() == errc::closed);
}

TEST(PgPoolIntegration, StatementTimeoutIsItsOwnError) {
  test::pg_test_db db;
  auto opts = options_for(db);
  opts.statement_timeout = 200ms;
  pg_pool pool{opts, nullptr};
  auto slow = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    tx.exec("SELECT pg_sleep(30)");
  });
  ASSERT_FALSE(slow);
  EXPECT_TRUE(slow.error() == errc::statement_timeout)
      << describe(slow.error());
  auto next = pool.run(select_one);
  ASSERT_TRUE(next) << describe(next.error());
  EXPECT_EQ(pool.snapshot().open, 1) << "a timeout keeps the connection";
}

TEST(PgPoolIntegration, SqlErrorsNameTheSqlstate) {
  test::pg_test_db db;
  pg_pool pool{options_for(db), nullptr};
  auto bad = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    tx.exec("SELEC 1");
  });
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error() == errc::query_failed);
  EXPECT_NE(describe(bad.error()).find("SQLSTATE 42601"), std::string::npos)
      << describe(bad.error());
  auto thrown = pool.run(
      [](pqxx::connection&) -> int { throw std::runtime_error("caller bug"); });
  ASSERT_FALSE(thrown);
  EXPECT_TRUE(thrown.error() == errc::query_failed);
  EXPECT_NE(describe(thrown.error()).find("caller bug"), std::string::npos);
  auto next = pool.run(select_one);
  ASSERT_TRUE(next) << describe(next.error());
  EXPECT_EQ(pool.snapshot().open, 1);
}

TEST(PgPoolIntegration, AnOpenTransactionNeverLeaksIntoTheNextCall) {
  test::pg_test_db db;
  pg_pool pool{options_for(db, 1), nullptr};
  auto failed = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    tx.exec("CREATE TABLE leak (x int)");
    tx.exec("SELECT 1/0");
    tx.commit();
  });
  ASSERT_FALSE(failed);
  auto exists = pool.run([](pqxx::connection& conn) {
    pqxx::work tx{conn};
    return tx.exec1("SELECT to_regclass('leak') IS NOT NULL")[0].as<bool>();
  });
  ASSERT_TRUE(exists) << describe(exists.error());
  EXPECT_FALSE(*exists);
}

TEST(PgPoolIntegration, UnreachableServerIsConnectionFailed) {
  auto port = test::free_port();
  pg_pool_options opts;
  opts.url = "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/x";
  opts.size = 2;
  pg_pool pool{opts, nullptr};
  auto result = pool.run(select_one);
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::connection_failed);
  auto text = describe(result.error());
  EXPECT_NE(text.find("host 127.0.0.1 port " + std::to_string(port)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("check postgres.url"), std::string::npos) << text;
  auto s = pool.snapshot();
  EXPECT_EQ(s.in_use, 0);
  EXPECT_EQ(s.open, 0);
}

} // namespace
} // namespace cdpd::storage
