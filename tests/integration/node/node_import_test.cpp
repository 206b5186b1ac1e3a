// `cdpctl import` end to end: a file streamed by the real cdpctl into the
// real daemon, with a bad line reported and a re-import changing nothing.
#include <csignal>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/pg_test_db.hpp"

using namespace cdpd::test;
using namespace std::chrono_literals;

namespace {

std::string cdpctl_binary() {
  auto daemon = cdpd_binary(); // .../apps/cdpd/cdpd
  return daemon.substr(0, daemon.rfind("/cdpd/cdpd")) + "/cdpctl/cdpctl";
}

int run_cdpctl(uint16_t port, const std::string& kind, const std::string& file,
               std::string& output) {
  child_process ctl{{cdpctl_binary(),
                     "--url=http://127.0.0.1:" + std::to_string(port), "import",
                     kind, file}};
  auto code = ctl.wait(120s);
  output = ctl.output();
  return code.value_or(-1);
}

} // namespace

TEST(NodeImport, CdpctlStreamsAFileAndReportsBadLines) {
  pg_test_db db;
  auto port = free_port();
  auto cdpd = start_cdpd(port, {"--postgres.url=" + db.url()});
  ASSERT_TRUE(wait_ready_status(port, 200, 30s)) << cdpd->output();

  temp_state_dir dir;
  auto path = dir.path() + "/customers.ndjson";
  {
    std::ofstream out{path};
    for (int i = 0; i < 5000; ++i)
      out << nlohmann::json{{"external_id", "ext-" + std::to_string(i)},
                            {"email", "u" + std::to_string(i) + "@example.org"},
                            {"first_name", "U"},
                            {"last_name", "L"}}
                 .dump()
          << "\n";
    out << R"({"external_id":"ext-bad","email":"nope"})"
        << "\n";
  }

  std::string output;
  EXPECT_EQ(run_cdpctl(port, "customers", path, output), 3) << output;
  EXPECT_NE(output.find("\"inserted\": 5000"), std::string::npos) << output;
  EXPECT_NE(output.find("\"line\": 5001"), std::string::npos) << output;
  {
    pqxx::connection c{db.conninfo()};
    pqxx::nontransaction tx{c};
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM customers")[0].as<int>(), 5000);
  }

  EXPECT_EQ(run_cdpctl(port, "customers", path, output), 3) << output;
  EXPECT_NE(output.find("\"unchanged\": 5000"), std::string::npos) << output;

  EXPECT_EQ(run_cdpctl(port, "nonsense", path, output), 2) << output;

  cdpd->signal(SIGTERM);
  EXPECT_EQ(cdpd->wait(30s), 0) << cdpd->output();
}

TEST(NodeImport, CdpctlSaysWhenNothingListens) {
  std::string output;
  auto port = free_port();
  EXPECT_EQ(run_cdpctl(port, "customers", "/dev/null", output), 1) << output;
  EXPECT_NE(output.find("CDPD_URL"), std::string::npos) << output;
}
