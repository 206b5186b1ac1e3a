#include <gtest/gtest.h>

#include "config/sources.hpp"
#include "tests/unit/config/load_helpers.hpp"
#include "tests/unit/config/temp_dir.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

TEST(Flags, NoArgumentsGiveDefaults) {
  auto inv = loaded({});
  EXPECT_EQ(inv.cmd, command::run);
  EXPECT_FALSE(inv.help);
  EXPECT_FALSE(inv.dump_config);
  EXPECT_EQ(inv.config_path, "");
  EXPECT_EQ(dump(inv.values), dump(settings{}));
}

TEST(Flags, Commands) {
  EXPECT_EQ(loaded({"run"}).cmd, command::run);
  EXPECT_EQ(loaded({"migrate"}).cmd, command::migrate);
  EXPECT_EQ(loaded({"--http.port=1", "migrate", "--log.level", "warn"}).cmd,
            command::migrate);
  auto seed = loaded({"seed", "--customers", "10", "--orders=20", "--force"});
  EXPECT_EQ(seed.cmd, command::seed);
  EXPECT_EQ(seed.values.seed.customers, 10);
  EXPECT_EQ(seed.values.seed.orders, 20);
  EXPECT_TRUE(seed.values.seed.force);
  EXPECT_EQ(load_fails({"seed", "--customers", "0"}),
            "seed.customers: 0 is below the minimum 1 (from --seed.customers)");
}

TEST(Flags, UnknownOrRepeatedCommand) {
  EXPECT_EQ(load_fails({"serve"}),
            "\"serve\": unknown command (expected run, migrate or seed)");
  EXPECT_EQ(load_fails({"run", "migrate"}),
            "\"migrate\": only one command may be given (\"run\" came first)");
}

TEST(Flags, HelpAndDumpConfig) {
  EXPECT_TRUE(loaded({"--help"}).help);
  EXPECT_TRUE(loaded({"-h"}).help);
  auto inv = loaded({"migrate", "--dump-config"});
  EXPECT_TRUE(inv.dump_config);
  EXPECT_FALSE(inv.help);
  EXPECT_EQ(inv.cmd, command::migrate);
  EXPECT_EQ(load_fails({"--dump-config=yes"}), "--dump-config: takes no value");
  EXPECT_EQ(load_fails({"--help=1"}), "--help: takes no value");
}

TEST(Flags, HelpSkipsFileAndEnvironment) {
  auto inv = loaded({"--help", "--config", "/nonexistent/cdpd.ini"},
                    {{"CDPD_HTTP_PORT", "nope"}});
  EXPECT_TRUE(inv.help);
}

TEST(Flags, HelpStillRejectsBadFlags) {
  EXPECT_EQ(load_fails({"--help", "--bogus"}),
            "--bogus: unknown flag (see --help)");
}

TEST(Flags, ValueWithEqualsOrNextArgument) {
  auto inv = loaded({"--http.port=8080", "--http.address", "0.0.0.0",
                     "--http.read-timeout", "250ms", "--postgres.url=host=db",
                     "--http.max-body-bytes=4MiB"});
  EXPECT_EQ(inv.values.http.port, 8080);
  EXPECT_EQ(inv.values.http.address, "0.0.0.0");
  EXPECT_EQ(inv.values.http.read_timeout, 250ms);
  EXPECT_EQ(inv.values.postgres.url, "host=db");
  EXPECT_EQ(inv.values.http.max_body_bytes, 4u * 1024 * 1024);
}

TEST(Flags, EmptyValueAfterEquals) {
  EXPECT_EQ(loaded({"--redis.url="}).values.redis.url, "");
  EXPECT_EQ(load_fails({"--http.port="}),
            "http.port: \"\" is not an integer (from --http.port)");
}

TEST(Flags, MissingValue) {
  EXPECT_EQ(load_fails({"--http.port"}),
            "http.port: missing value (from --http.port)");
  EXPECT_EQ(load_fails({"--http.port", "--dump-config"}),
            "http.port: missing value (from --http.port)");
  EXPECT_EQ(load_fails({"--config"}),
            "--config: missing value (a config file path)");
  EXPECT_EQ(load_fails({"--config="}),
            "--config: missing value (a config file path)");
}

TEST(Flags, NegativeNumberIsAValue) {
  EXPECT_EQ(load_fails({"--http.port", "-5"}),
            "http.port: -5 is below the minimum 0 (from --http.port)");
}

TEST(Flags, UnknownFlags) {
  EXPECT_EQ(load_fails({"--http.prot=1"}),
            "http.prot: unknown option (from --http.prot)");
  EXPECT_EQ(load_fails({"--nosuch.key", "1"}),
            "nosuch.key: unknown option (from --nosuch.key)");
  EXPECT_EQ(load_fails({"--verbose"}), "--verbose: unknown flag (see --help)");
  EXPECT_EQ(load_fails({"-v"}), "-v: unknown flag (see --help)");
  EXPECT_EQ(load_fails({"--"}), "--: unknown flag (see --help)");
}

TEST(Flags, ValueErrorsNameTheFlag) {
  EXPECT_EQ(
      load_fails({"--http.io-threads=two"}),
      "http.io-threads: \"two\" is not an integer (from --http.io-threads)");
  EXPECT_EQ(load_fails({"--log.level=loud"}),
            "log.level: \"loud\" is not one of trace, debug, info, warn, "
            "error, off (from --log.level)");
  EXPECT_EQ(load_fails({"--http.read-timeout=5"}),
            "http.read-timeout: \"5\" needs a unit (ms, s, m, h) (from "
            "--http.read-timeout)");
}

TEST(Flags, LastOccurrenceWinsAndIsTheOnlyOneChecked) {
  auto inv = loaded({"--http.port=abc", "--http.port=81"});
  EXPECT_EQ(inv.values.http.port, 81);
  EXPECT_EQ(load_fails({"--http.port=81", "--http.port=abc"}),
            "http.port: \"abc\" is not an integer (from --http.port)");
}

TEST(Env, SetsOptions) {
  auto inv = loaded({}, {{"CDPD_HTTP_PORT", "9000"},
                         {"CDPD_POSTGRES_READ_URL", "postgres://replica/cdp"},
                         {"CDPD_HTTP_IO_THREADS", "4"},
                         {"CDPD_MIDDLEMAN_CONNECTION_TIMEOUT", "1m"}});
  EXPECT_EQ(inv.values.http.port, 9000);
  EXPECT_EQ(inv.values.postgres.read_url, "postgres://replica/cdp");
  EXPECT_EQ(inv.values.http.io_threads, 4);
  EXPECT_EQ(inv.values.middleman.connection_timeout, 1min);
}

TEST(Env, UnknownKeyOfKnownSectionIsAnError) {
  EXPECT_EQ(load_fails({}, {{"CDPD_HTTP_PROT", "1"}}),
            "http.prot: unknown option (from CDPD_HTTP_PROT)");
  EXPECT_EQ(
      load_fails({}, {{"CDPD_POSTGRES_READ_URLS", "x"}}),
      "postgres.read-urls: unknown option (from CDPD_POSTGRES_READ_URLS)");
}

TEST(Env, OtherVariablesAreIgnored) {
  auto inv = loaded({}, {{"CDPD_TEST_PG", "host=127.0.0.1"},
                         {"CDPD_TEST_REDIS_PORT", "26379"},
                         {"CDPD_HTTP", "x"},
                         {"CDPD_HTTPX_PORT", "x"},
                         {"HTTP_PORT", "x"},
                         {"cdpd_http_port", "x"},
                         {"PATH", "/usr/bin"}});
  EXPECT_EQ(inv.values.http.port, 8000);
}

TEST(Env, ValueErrorsNameTheVariable) {
  EXPECT_EQ(
      load_fails({}, {{"CDPD_HTTP_PORT", "70000"}}),
      "http.port: 70000 is above the maximum 65535 (from CDPD_HTTP_PORT)");
}

TEST(Env, ConfigPath) {
  test::temp_dir dir;
  auto file = dir.write("a.ini", "[http]\nport = 7001\n");
  auto inv = loaded({}, {{"CDPD_CONFIG", file}});
  EXPECT_EQ(inv.config_path, file);
  EXPECT_EQ(inv.values.http.port, 7001);
  EXPECT_EQ(loaded({}, {{"CDPD_CONFIG", ""}}).config_path, "");
}

TEST(Precedence, FileThenEnvThenFlags) {
  test::temp_dir dir;
  auto file = dir.write("cdpd.ini", "[http]\n"
                                    "port = 1001\n"
                                    "io-threads = 3\n"
                                    "address = 10.0.0.1\n"
                                    "[log]\n"
                                    "level = debug\n");
  auto inv =
      loaded({"--config", file, "--http.port=1003"},
             {{"CDPD_HTTP_PORT", "1002"}, {"CDPD_HTTP_IO_THREADS", "5"}});
  EXPECT_EQ(inv.values.http.port, 1003);          // flag over env and file
  EXPECT_EQ(inv.values.http.io_threads, 5);       // env over file
  EXPECT_EQ(inv.values.http.address, "10.0.0.1"); // file over default
  EXPECT_EQ(inv.values.log.level, "debug");
  EXPECT_EQ(inv.values.http.max_connections, 1024); // default
}

TEST(Precedence, ConfigFlagOverConfigVariable) {
  test::temp_dir dir;
  auto from_env = dir.write("env.ini", "[http]\nport = 1\n");
  auto from_flag = dir.write("flag.ini", "[http]\nport = 2\n");
  auto inv = loaded({"--config=" + from_flag}, {{"CDPD_CONFIG", from_env}});
  EXPECT_EQ(inv.config_path, from_flag);
  EXPECT_EQ(inv.values.http.port, 2);
}

TEST(Precedence, LaterSourceRepairsNothing) {
  // Each source is checked as it is applied, so a bad file value is an error
  // even when a flag would override it.
  test::temp_dir dir;
  auto file = dir.write("bad.ini", "[http]\nport = 70000\n");
  EXPECT_EQ(load_fails({"--config", file, "--http.port=1"}),
            "http.port: 70000 is above the maximum 65535 (from " + file +
                ":2)");
}

TEST(CrossCheck, ConnectionTimeoutMustExceedHeartbeat) {
  EXPECT_EQ(load_fails({"--middleman.heartbeat-interval=5s"}),
            "middleman.connection-timeout: 5s must exceed "
            "middleman.heartbeat-interval (5s)");
  EXPECT_EQ(load_fails({"--middleman.connection-timeout=500ms"}),
            "middleman.connection-timeout: 500ms must exceed "
            "middleman.heartbeat-interval (1s)");
  EXPECT_EQ(load_fails({}, {{"CDPD_MIDDLEMAN_HEARTBEAT_INTERVAL", "1m"},
                            {"CDPD_MIDDLEMAN_CONNECTION_TIMEOUT", "59s"}}),
            "middleman.connection-timeout: 59s must exceed "
            "middleman.heartbeat-interval (1m)");
}

TEST(CrossCheck, ZeroTurnsTheCheckOff) {
  EXPECT_EQ(loaded({"--middleman.heartbeat-interval=0s",
                    "--middleman.connection-timeout=1s"})
                .values.middleman.heartbeat_interval,
            0ms);
  EXPECT_EQ(loaded({"--middleman.heartbeat-interval=1m",
                    "--middleman.connection-timeout=0"})
                .values.middleman.connection_timeout,
            0ms);
  EXPECT_EQ(loaded({"--middleman.connection-timeout=1001ms"})
                .values.middleman.connection_timeout,
            1001ms);
}

// The real table has no boolean option yet, so booleans are checked against a
// table of their own whose option stores into a variable of this test.
bool test_flag = false;

constexpr option bool_table[] = {
    {.key = "test.flag",
     .kind = value_kind::boolean,
     .unit = "switch",
     .help = "A boolean for tests.",
     .get = [](const settings&) { return value{test_flag}; },
     .set = [](settings&, const value& v) { test_flag = std::get<bool>(v); }},
};

std::variant<invocation, load_error>
load_bool(const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env = {}) {
  test_flag = false;
  return internal::load_with(bool_table, args, env);
}

TEST(BoolOption, BareFlagMeansTrue) {
  ASSERT_TRUE(std::holds_alternative<invocation>(load_bool({"--test.flag"})));
  EXPECT_TRUE(test_flag);
}

TEST(BoolOption, ExplicitValues) {
  ASSERT_TRUE(
      std::holds_alternative<invocation>(load_bool({"--test.flag=off"})));
  EXPECT_FALSE(test_flag);
  ASSERT_TRUE(std::holds_alternative<invocation>(
      load_bool({}, {{"CDPD_TEST_FLAG", "yes"}})));
  EXPECT_TRUE(test_flag);
}

TEST(BoolOption, NeverConsumesTheNextArgument) {
  auto result = load_bool({"--test.flag", "migrate"});
  ASSERT_TRUE(std::holds_alternative<invocation>(result));
  EXPECT_TRUE(test_flag);
  EXPECT_EQ(std::get<invocation>(result).cmd, command::migrate);
}

TEST(BoolOption, BadWord) {
  auto result = load_bool({"--test.flag=maybe"});
  ASSERT_TRUE(std::holds_alternative<load_error>(result));
  EXPECT_EQ(std::get<load_error>(result).message,
            "test.flag: \"maybe\" is not a boolean (true, false, yes, no, on, "
            "off, 1, 0) (from --test.flag)");
}

TEST(EnvironmentMap, SplitsAtFirstEquals) {
  char a[] = "CDPD_POSTGRES_URL=host=db port=1";
  char b[] = "EMPTY=";
  char c[] = "NOEQUALS";
  char* envp[] = {a, b, c, nullptr};
  auto env = environment_map(envp);
  EXPECT_EQ(env.size(), 2u);
  EXPECT_EQ(env["CDPD_POSTGRES_URL"], "host=db port=1");
  EXPECT_EQ(env["EMPTY"], "");
  EXPECT_TRUE(environment_map(nullptr).empty());
}

TEST(ClusterOptions, SeedsNamesAndPortsAreChecked) {
  EXPECT_EQ(load_fails({"--cluster.seeds=10.0.0.1:7001,10.0.0.2"}),
            "cluster.seeds: \"10.0.0.1:7001,10.0.0.2\" has '10.0.0.2', which "
            "is not host:port (port 1..65535) (from --cluster.seeds)");
  EXPECT_EQ(load_fails({"--cluster.name=node a"}),
            "cluster.name: \"node a\" has ' '; use letters, digits, '.', '-', "
            "'_' and ':' (from --cluster.name)");
  EXPECT_EQ(load_fails({"--cluster.port=8000"}),
            "cluster.port: 8000 is also http.port; give the cluster agent a "
            "port of its own");
  EXPECT_EQ(load_fails({"--cluster.lease=1s"}),
            "cluster.lease: 1s is below the minimum 2s (from --cluster.lease)");
}

} // namespace
} // namespace cdpd::config
