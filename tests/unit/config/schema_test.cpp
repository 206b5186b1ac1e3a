#include <gtest/gtest.h>

#include <set>

#include "config/schema.hpp"
#include "config/sources.hpp"
#include "config/url_rules.hpp"

namespace cdpd::config {
namespace {

std::string problem_of(std::string_view key, std::string_view text) {
  const auto* opt = find_option(options(), key);
  if (opt == nullptr) {
    ADD_FAILURE() << "no option " << key;
    return {};
  }
  auto parsed = parse_value(*opt, text);
  if (auto* p = std::get_if<problem>(&parsed))
    return p->text;
  return {};
}

std::string format_bound(const option& opt, std::int64_t n) {
  switch (opt.kind) {
  case value_kind::duration:
    return format_duration(n);
  case value_kind::size:
    return format_size(n);
  default:
    return std::to_string(n);
  }
}

bool is_numeric(const option& opt) {
  return opt.kind == value_kind::integer || opt.kind == value_kind::duration ||
         opt.kind == value_kind::size;
}

TEST(Schema, KeysAreUniqueAndComplete) {
  std::set<std::string_view> keys;
  for (const auto& opt : options()) {
    EXPECT_TRUE(keys.insert(opt.key).second) << opt.key;
    EXPECT_NE(opt.key.find('.'), std::string_view::npos) << opt.key;
    EXPECT_EQ(opt.section().find('_'), std::string_view::npos) << opt.key;
    EXPECT_FALSE(opt.help.empty()) << opt.key;
    EXPECT_FALSE(opt.unit.empty()) << opt.key;
    EXPECT_NE(opt.get, nullptr) << opt.key;
    EXPECT_NE(opt.set, nullptr) << opt.key;
  }
  EXPECT_EQ(keys.size(), 120u + 4u * 20u);
}

TEST(Schema, SectionsInTableOrder) {
  std::vector<std::string_view> expected{"http",
                                         "postgres",
                                         "redis",
                                         "state",
                                         "log",
                                         "scheduler",
                                         "middleman",
                                         "cluster",
                                         "supervision.default",
                                         "supervision.storage",
                                         "supervision.connector",
                                         "supervision.edge",
                                         "admin",
                                         "auth",
                                         "ratelimit",
                                         "import",
                                         "email",
                                         "delivery",
                                         "segments",
                                         "campaigns",
                                         "seed",
                                         "ai",
                                         "webhooks"};
  EXPECT_EQ(sections(), expected);
}

TEST(Schema, SectionsAreContiguous) {
  // dump() prints one block per section, so a section must not reappear.
  std::set<std::string_view> closed;
  std::string_view current;
  for (const auto& opt : options()) {
    if (opt.section() == current)
      continue;
    EXPECT_TRUE(closed.insert(opt.section()).second) << opt.key;
    current = opt.section();
  }
}

TEST(Schema, DefaultsSatisfyTheirOwnBounds) {
  const settings defaults;
  for (const auto& opt : options()) {
    auto text = format_value(opt, opt.get(defaults), false);
    if (opt.kind == value_kind::string)
      text = std::get<std::string>(opt.get(defaults));
    auto parsed = parse_value(opt, text);
    ASSERT_TRUE(std::holds_alternative<value>(parsed))
        << opt.key << ": " << std::get<problem>(parsed).text;
    EXPECT_EQ(std::get<value>(parsed), opt.get(defaults)) << opt.key;
  }
}

TEST(Schema, EveryNumericOptionAcceptsItsBoundsAndRejectsBeyond) {
  for (const auto& opt : options()) {
    if (!is_numeric(opt))
      continue;
    SCOPED_TRACE(std::string(opt.key));
    EXPECT_TRUE(std::holds_alternative<value>(
        parse_value(opt, format_bound(opt, opt.min))));
    EXPECT_TRUE(std::holds_alternative<value>(
        parse_value(opt, format_bound(opt, opt.max))));
    if (opt.min > 0 || opt.kind == value_kind::integer) {
      auto below = format_bound(opt, opt.min - 1);
      auto parsed = parse_value(opt, below);
      ASSERT_TRUE(std::holds_alternative<problem>(parsed));
      EXPECT_EQ(std::get<problem>(parsed).text,
                below + " is below the minimum " + format_bound(opt, opt.min));
    }
    auto above = format_bound(opt, opt.max + 1);
    auto parsed = parse_value(opt, above);
    ASSERT_TRUE(std::holds_alternative<problem>(parsed));
    EXPECT_EQ(std::get<problem>(parsed).text,
              above + " is above the maximum " + format_bound(opt, opt.max));
  }
}

TEST(Schema, BoundMessagesShowTheGivenText) {
  EXPECT_EQ(problem_of("postgres.pool-size", "0"), "0 is below the minimum 1");
  EXPECT_EQ(problem_of("http.port", "70000"),
            "70000 is above the maximum 65535");
  EXPECT_EQ(problem_of("http.port", "-1"), "-1 is below the minimum 0");
  EXPECT_EQ(problem_of("http.port", "99999999999999999999"),
            "99999999999999999999 is above the maximum 65535");
  EXPECT_EQ(problem_of("http.read-timeout", "50ms"),
            "50ms is below the minimum 100ms");
  EXPECT_EQ(problem_of("http.read-timeout", "11m"),
            "11m is above the maximum 10m");
  EXPECT_EQ(problem_of("http.max-body-bytes", "2GiB"),
            "2GiB is above the maximum 1GiB");
  EXPECT_EQ(problem_of("http.max-header-bytes", "1000"),
            "1000 is below the minimum 1KiB");
}

TEST(Schema, KindErrorsNameTheText) {
  EXPECT_EQ(problem_of("http.io-threads", "two"), "\"two\" is not an integer");
  EXPECT_EQ(problem_of("http.read-timeout", "5"),
            "\"5\" needs a unit (ms, s, m, h)");
  EXPECT_EQ(problem_of("log.level", "loud"),
            "\"loud\" is not one of trace, debug, info, warn, error, off");
  EXPECT_EQ(problem_of("log.level", "INFO"),
            "\"INFO\" is not one of trace, debug, info, warn, error, off");
}

TEST(Schema, ValuesAreTrimmedExceptStrings) {
  EXPECT_EQ(problem_of("http.port", " 80 "), "");
  EXPECT_EQ(problem_of("log.level", " warn"), "");
  const auto* dir = find_option(options(), "state.dir");
  ASSERT_NE(dir, nullptr);
  EXPECT_EQ(std::get<value>(parse_value(*dir, " /x ")), value{" /x "});
}

TEST(Schema, AddressMustNotBeEmpty) {
  EXPECT_EQ(problem_of("http.address", ""), "\"\" must not be empty");
  EXPECT_EQ(problem_of("http.address", "0.0.0.0"), "");
}

TEST(Schema, PostgresUrlRule) {
  for (auto key : {"postgres.url", "postgres.read-url"}) {
    EXPECT_EQ(problem_of(key, ""), "");
    EXPECT_EQ(problem_of(key, "postgresql://u:p@db/cdp"), "");
    EXPECT_EQ(problem_of(key, "postgres://db"), "");
    EXPECT_EQ(problem_of(key, "host=db dbname=cdp"), "");
    EXPECT_EQ(problem_of(key, "mysql://db"),
              "\"mysql://db\" is not a postgresql:// or postgres:// URL or a "
              "key=value conninfo");
  }
}

TEST(Schema, SecretsAreMaskedInProblems) {
  auto text = problem_of("redis.url", "redis://u:hunter2@h:0");
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("redis://u:***@h:0"), std::string::npos) << text;
}

TEST(Schema, RedisUrlRule) {
  for (auto url : {"", "redis://localhost", "redis://127.0.0.1:6379",
                   "redis://:pw@h:1/0", "redis://user:pw@h/15",
                   "redis://[::1]:6379/2", "redis://a:b@c@h:65535"})
    EXPECT_EQ(check_redis_url(url), "") << url;
  for (auto url : {"localhost:6379", "rediss://h", "redis://", "redis://:6379",
                   "redis://h:", "redis://h:0", "redis://h:65536",
                   "redis://h:port", "redis://h/", "redis://h/db",
                   "redis://user@h", "redis://[::1", "redis://[::1]x"})
    EXPECT_NE(check_redis_url(url), "") << url;
  EXPECT_EQ(problem_of("redis.url", "redis://h:99999"),
            "\"redis://h:99999\" is not redis://[[user]:password@]host[:port]"
            "[/db] (the port must be in 1..65535)");
}

TEST(Schema, EnvNames) {
  auto name = [](std::string_view key) {
    return internal::env_name(*find_option(options(), key));
  };
  EXPECT_EQ(name("http.port"), "CDPD_HTTP_PORT");
  EXPECT_EQ(name("http.io-threads"), "CDPD_HTTP_IO_THREADS");
  EXPECT_EQ(name("postgres.read-url"), "CDPD_POSTGRES_READ_URL");
  EXPECT_EQ(name("middleman.heartbeat-interval"),
            "CDPD_MIDDLEMAN_HEARTBEAT_INTERVAL");
  EXPECT_EQ(name("delivery.campaign-speed"), "CDPD_DELIVERY_CAMPAIGN_SPEED");
}

TEST(Schema, BoundsText) {
  auto text = [](std::string_view key) {
    return bounds_text(*find_option(options(), key));
  };
  EXPECT_EQ(text("http.port"), "0..65535");
  EXPECT_EQ(text("http.read-timeout"), "100ms..10m");
  EXPECT_EQ(text("http.max-header-bytes"), "1KiB..1MiB");
  EXPECT_EQ(text("log.level"), "one of trace, debug, info, warn, error, off");
  EXPECT_EQ(text("http.address"), "non-empty");
  EXPECT_EQ(text("state.dir"), "");
}

} // namespace
} // namespace cdpd::config
