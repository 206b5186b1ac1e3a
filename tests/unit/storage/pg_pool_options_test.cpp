#include "storage/pg_pool.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

namespace cdpd::storage {
namespace {

using namespace std::chrono_literals;

config::postgres_settings sample_settings() {
  config::postgres_settings s;
  s.url = "postgresql://primary/cdpd";
  s.pool_size = 12;
  s.read_pool_size = 4;
  s.acquire_timeout = 1500ms;
  s.statement_timeout = 20000ms;
  s.connect_timeout = 3000ms;
  return s;
}

TEST(PgPoolOptions, WritePoolUsesUrlAndPoolSize) {
  auto opts = write_pool_options(sample_settings());
  EXPECT_EQ(opts.name, "write");
  EXPECT_EQ(opts.url, "postgresql://primary/cdpd");
  EXPECT_EQ(opts.size, 12);
  EXPECT_EQ(opts.acquire_timeout, 1500ms);
  EXPECT_EQ(opts.statement_timeout, 20000ms);
  EXPECT_EQ(opts.connect_timeout, 3000ms);
}

TEST(PgPoolOptions, ReadPoolPrefersReadUrl) {
  auto s = sample_settings();
  auto without_replica = read_pool_options(s);
  EXPECT_EQ(without_replica.name, "read");
  EXPECT_EQ(without_replica.url, "postgresql://primary/cdpd");
  EXPECT_EQ(without_replica.size, 4);
  s.read_url = "postgresql://replica/cdpd";
  EXPECT_EQ(read_pool_options(s).url, "postgresql://replica/cdpd");
}

TEST(PgPoolOptions, FallbackUrlFillsAnEmptyUrl) {
  config::postgres_settings s;
  auto embedded = "postgresql://postgres@127.0.0.1:23456/cdpd";
  EXPECT_EQ(write_pool_options(s, embedded).url, embedded);
  EXPECT_EQ(read_pool_options(s, embedded).url, embedded);
  s.url = "postgresql://primary/cdpd";
  EXPECT_EQ(write_pool_options(s, embedded).url, s.url);
}

TEST(PgPool, ConstructingNeverConnects) {
  // Nothing listens on port 1; the pool must still come up.
  pg_pool pool{
      {"write", "postgresql://postgres@127.0.0.1:1/x", 3, 100ms, 0ms, 1000ms},
      nullptr};
  auto s = pool.snapshot();
  EXPECT_EQ(s.size, 3);
  EXPECT_EQ(s.open, 0);
  EXPECT_EQ(s.in_use, 0);
}

TEST(PgPool, ClosedPoolRefusesWork) {
  prometheus::Registry registry;
  pg_pool pool{
      {"write", "postgresql://postgres@127.0.0.1:1/x", 2, 100ms, 0ms, 1000ms},
      &registry};
  pool.close();
  bool called = false;
  auto result = pool.run([&](pqxx::connection&) { called = true; });
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error() == errc::closed);
  EXPECT_FALSE(called);
  pool.close(); // idempotent
}

TEST(PgPool, TwoPoolsShareOneRegistry) {
  prometheus::Registry registry;
  pg_pool write{{"write", "postgresql://h/x", 2, 100ms, 0ms, 1000ms},
                &registry};
  pg_pool read{{"read", "postgresql://h/x", 5, 100ms, 0ms, 1000ms}, &registry};
  int size_series = 0;
  for (const auto& family : registry.Collect())
    if (family.name == "cdpd_pg_pool_size")
      size_series = static_cast<int>(family.metric.size());
  EXPECT_EQ(size_series, 2);
}

} // namespace
} // namespace cdpd::storage
