// The daemon as an operator sees it: start-up, shutdown, embedded
// PostgreSQL, configuration errors, migrations from two processes.
#include <csignal>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

/// The port the embedded PostgreSQL of a state dir listens on (line 4 of
/// postmaster.pid), or 0 when it is not running.
int embedded_port(const std::string& state_dir) {
  std::ifstream in{state_dir + "/postgres/postmaster.pid"};
  std::string line;
  for (int i = 0; i < 4 && std::getline(in, line); ++i) {
  }
  return in ? std::atoi(line.c_str()) : 0;
}

/// How cdpd itself reaches its embedded PostgreSQL: the socket in the data
/// folder, as role cdpd, with the password file of the state dir.
std::string embedded_conninfo(const std::string& state_dir, int port) {
  return "host=" + state_dir + "/postgres port=" + std::to_string(port) +
         " user=cdpd dbname=cdpd passfile=" + state_dir + "/postgres.pgpass";
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of('\n');
  if (end == std::string::npos)
    return {};
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

} // namespace

TEST(Node, EmbeddedPostgresKeepsDataAcrossRestartsAndStopsWithCdpd) {
  temp_state_dir state;
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--state.dir=" + state.path()});
  ASSERT_TRUE(wait_ready_status(port, 200, 60s)) << cdpd->output();
  int pg_port = embedded_port(state.path());
  ASSERT_GT(pg_port, 0);
  ASSERT_LT(pg_port, 32768);
  auto conninfo = embedded_conninfo(state.path(), pg_port);
  EXPECT_THROW(
      pqxx::connection{"host=127.0.0.1 port=" + std::to_string(pg_port) +
                       " user=postgres dbname=cdpd"},
      pqxx::broken_connection)
      << "the embedded PostgreSQL must not listen on TCP";
  {
    pqxx::connection c{conninfo};
    pqxx::work tx{c};
    tx.exec("CREATE TABLE survivor (v text)");
    tx.exec("INSERT INTO survivor VALUES ('still here')");
    tx.commit();
  }
  cdpd->signal(SIGTERM);
  ASSERT_EQ(cdpd->wait(30s), 0) << cdpd->output();
  // The embedded server went down with cdpd.
  EXPECT_EQ(embedded_port(state.path()), 0);
  EXPECT_THROW(pqxx::connection{conninfo}, pqxx::broken_connection);

  auto again = start_cdpd(port, {"--state.dir=" + state.path()});
  ASSERT_TRUE(wait_ready_status(port, 200, 60s)) << again->output();
  pg_port = embedded_port(state.path());
  pqxx::connection c{embedded_conninfo(state.path(), pg_port)};
  pqxx::nontransaction tx{c};
  EXPECT_EQ(tx.exec1("SELECT v FROM survivor")[0].as<std::string>(),
            "still here");
  EXPECT_GE(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 1);
  again->signal(SIGINT);
  EXPECT_EQ(again->wait(30s), 0) << again->output();
  EXPECT_NE(again->output().find("embedded PostgreSQL running: data in " +
                                 state.path()),
            std::string::npos);
}

TEST(Node, UnreachablePostgresFailsStartupWithOneLine) {
  auto cdpd =
      start_cdpd(free_port(), {"--postgres.url=postgresql://127.0.0.1:1/x",
                               "--postgres.startup-timeout=0s"});
  auto code = cdpd->wait(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 1);
  auto line = last_line(cdpd->output());
  auto log = nlohmann::json::parse(line);
  EXPECT_EQ(log["level"], "error");
  EXPECT_NE(log["msg"].get<std::string>().find("127.0.0.1"), std::string::npos)
      << line;
}

TEST(Node, BadConfigurationExitsWithCodeTwoAndNamesTheKey) {
  auto cdpd = start_cdpd(free_port(), {"--postgres.pool-size=0"});
  EXPECT_EQ(cdpd->wait(10s), 2);
  auto out = cdpd->output();
  EXPECT_NE(out.find("postgres.pool-size"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line expected: " << out;

  auto env = start_cdpd(free_port(), {}, {"CDPD_HTTP_IO_THREADS=lots"});
  EXPECT_EQ(env->wait(10s), 2);
  EXPECT_NE(env->output().find("http.io-threads"), std::string::npos);
}

TEST(Node, TwoMigrateProcessesApplyEachMigrationOnce) {
  pg_test_db db;
  std::vector<std::unique_ptr<child_process>> runs;
  for (int i = 0; i < 2; ++i)
    runs.push_back(std::make_unique<child_process>(std::vector<std::string>{
        cdpd_binary(), "migrate", "--postgres.url=" + db.url()}));
  for (auto& run : runs)
    EXPECT_EQ(run->wait(60s), 0) << run->output();
  pqxx::connection c{db.conninfo()};
  pqxx::nontransaction tx{c};
  auto rows = tx.exec("SELECT version, count(*) FROM schema_migrations "
                      "GROUP BY version ORDER BY version");
  ASSERT_GE(rows.size(), 1u);
  for (const auto& row : rows)
    EXPECT_EQ(row[1].as<int>(), 1) << "version " << row[0].as<int>();
}

TEST(Node, ServesHealthMetricsAndProblemBodies) {
  pg_test_db db;
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + db.url()});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();

  auto root = http_call(port, "GET", "/");
  EXPECT_EQ(root.status, 200);
  EXPECT_EQ(nlohmann::json::parse(root.body)["message"],
            "E-commerce CDP Assistant API");

  auto health =
      http_call(port, "GET", "/health", {}, {{"X-Request-ID", "abc-123"}});
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(nlohmann::json::parse(health.body),
            (nlohmann::json{{"status", "healthy"}}));
  EXPECT_EQ(health.headers["x-request-id"], "abc-123");

  auto ready = http_call(port, "GET", "/health/ready");
  auto body = nlohmann::json::parse(ready.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["postgres"]["status"], "up");
  EXPECT_FALSE(body["checks"].contains("redis")) << "Redis is not configured";

  auto missing = http_call(port, "GET", "/no/such/route");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.headers["content-type"], "application/problem+json");
  auto problem = nlohmann::json::parse(missing.body);
  EXPECT_EQ(problem["status"], 404);
  for (auto key : {"type", "title", "detail"})
    EXPECT_TRUE(problem.contains(key)) << key;
  EXPECT_FALSE(missing.headers["x-request-id"].empty());

  auto wrong_method = http_call(port, "POST", "/health");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "GET, HEAD");

  auto metrics = http_call(port, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  for (auto series :
       {"cdpd_http_requests_total{",
        "cdpd_http_request_duration_seconds_bucket{",
        "cdpd_pg_pool_connections{", "process_start_time_seconds"})
    EXPECT_NE(metrics.body.find(series), std::string::npos) << series;
  EXPECT_NE(metrics.body.find("route=\"/health\""), std::string::npos);

  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}
