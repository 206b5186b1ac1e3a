#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "config/schema.hpp"
#include "config/values.hpp"
#include "tests/unit/config/load_helpers.hpp"
#include "tests/unit/config/temp_dir.hpp"

namespace cdpd::config {
namespace {

using testing::loaded;

/// The keys whose values differ between two settings.
std::vector<std::string_view> differences(const settings& a,
                                          const settings& b) {
  std::vector<std::string_view> out;
  for (const auto& opt : options())
    if (opt.get(a) != opt.get(b))
      out.push_back(opt.key);
  return out;
}

/// Replaces the one occurrence of `from` in `text` by `to`.
void replace(std::string& text, const std::string& from,
             const std::string& to) {
  auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

/// Flags that move every key of [supervision.NAME] away from its default.
std::vector<std::string> policy_changed(const std::string& name) {
  auto key = "--supervision." + name + ".";
  return {key + "strategy=rest_for_one",
          key + "intensity=9",
          key + "period=7s",
          key + "backoff-min=20ms",
          key + "backoff-max=3s",
          key + "backoff-factor=150",
          key + "backoff-jitter=5",
          key + "backoff-reset-after=1m",
          key + "buffer=17",
          key + "breaker=" + (name == "connector" ? "false" : "true"),
          key + "max-failures=4",
          key + "call-timeout=750ms",
          key + "reset-timeout=2s",
          key + "half-open-calls=3",
          key + "reset-factor=300",
          key + "max-reset-timeout=90s",
          key + "retry-attempts=4",
          key + "retry-per-try-timeout=400ms",
          key + "retry-deadline=9s",
          key + "retry-backoff=25ms"};
}

constexpr std::string_view jwt_secret =
    "0123456789abcdef0123456789abcdef-fixture";
constexpr std::string_view bootstrap_password = "fixture-password-1";
constexpr std::string_view email_api_key = "SG.fixture-email-key";

constexpr std::string_view jwt_previous_secret =
    "fedcba9876543210fedcba9876543210-previous";

/// The options everything_changed() leaves alone: a key file cannot be set
/// together with its key (the AI key is set as a file).
constexpr std::array<std::string_view, 3> unchanged_in_fixture{
    "auth.jwt-secret-file", "auth.jwt-previous-secret-file", "ai.api-key"};

/// Settings with every option but unchanged_in_fixture away from its default.
settings everything_changed() {
  std::vector<std::string> args{
      "--http.address=::1",
      "--http.port=18080",
      "--http.io-threads=3",
      "--http.max-header-bytes=1500",
      "--http.max-body-bytes=2GiB",
      "--http.max-body-bytes=512MiB",
      "--http.read-timeout=1500ms",
      "--http.max-connections=77",
      "--http.max-connections-per-address=9",
      "--http.drain-timeout=0",
      "--postgres.url=host=db user=cdp",
      "--postgres.read-url=postgres://replica:5432/cdp",
      "--postgres.pool-size=3",
      "--postgres.read-pool-size=4",
      "--postgres.acquire-timeout=10ms",
      "--postgres.statement-timeout=1h",
      "--postgres.connect-timeout=90s",
      "--postgres.startup-timeout=2m",
      "--postgres.embedded-port=25999",
      "--redis.url=redis://cache:6380/2",
      "--redis.timeout=250ms",
      "--state.dir=/srv/cdpd \"state\" \\ # x",
      "--log.level=trace",
      "--scheduler.max-threads=7",
      "--scheduler.moderate-poll-attempts=9",
      "--scheduler.relaxed-sleep=3ms",
      "--middleman.heartbeat-interval=2s",
      "--middleman.connection-timeout=10m",
      "--cluster.port=7001",
      "--cluster.address=10.0.0.5",
      "--cluster.name=node-a",
      "--cluster.seeds=10.0.0.6:7001, 10.0.0.7:7001",
      "--cluster.lease=6s",
      "--http.policy=connector",
      "--postgres.policy=edge",
      "--redis.policy=default",
      "--admin.enabled",
      "--http.static-dir=/srv/cdpd/app",
      "--http.max-import-bytes=2GiB",
      "--http.cors-origins=https://app.example.com",
      "--http.tls-cert=/etc/cdpd/cert.pem",
      "--http.tls-key=/etc/cdpd/key.pem",
      "--auth.anonymous-role=viewer",
      "--auth.jwt-secret=" + std::string(jwt_secret),
      "--auth.jwt-previous-secret=" + std::string(jwt_previous_secret),
      "--auth.jwt-issuer=cdpd-test",
      "--auth.access-ttl=5m",
      "--auth.refresh-ttl=48h",
      "--auth.bootstrap-email=root@example.org",
      "--auth.bootstrap-password=" + std::string(bootstrap_password),
      "--auth.login-max-failures=3",
      "--auth.login-lockout=90s",
      "--auth.cache-refresh=5s",
      "--auth.public-metrics=false",
      "--ratelimit.enabled=false",
      "--ratelimit.general-per-hour=2000",
      "--ratelimit.general-per-minute=0",
      "--ratelimit.campaign-create-per-minute=11",
      "--ratelimit.segment-evaluate-per-minute=21",
      "--ratelimit.ai-generate-per-minute=6",
      "--ratelimit.hosts=3",
      "--ratelimit.idle-timeout=2m",
      "--import.batch-lines=250",
      "--import.max-errors=5",
      "--email.provider=http",
      "--email.smtp-url=smtps://mail.example.com:465",
      "--email.smtp-allow-plaintext=true",
      "--email.http-url=https://api.example.com/v3/mail/send",
      "--email.http-api-key=" + std::string(email_api_key),
      "--email.outbox-dir=/srv/cdpd/outbox",
      "--email.from=Shop <news@shop.example>",
      "--email.rate-per-second=7",
      "--email.timeout=20s",
      "--delivery.dispatchers=3",
      "--delivery.batch-size=40",
      "--delivery.poll-interval=250ms",
      "--delivery.lease=2m",
      "--delivery.max-attempts=9",
      "--delivery.retry-backoff=10s",
      "--delivery.max-age=48h",
      "--delivery.pause-failures=0",
      "--delivery.campaign-speed=120",
      "--delivery.timezone=Europe/Berlin",
      "--delivery.public-url=https://shop.example.com",
      "--delivery.link-ttl=720h",
      "--delivery.wait-day=1m",
      "--delivery.flow-exit-on-leave=false",
      "--segments.shards=32",
      "--segments.reevaluate-interval=30s",
      "--segments.read-barrier-timeout=500ms",
      "--campaigns.poll-interval=3s",
      "--campaigns.settle=500ms",
      "--campaigns.recheck=1m",
      "--campaigns.retry=2s",
      "--seed.customers=5000",
      "--seed.orders=9000",
      "--seed.products=70",
      "--seed.force",
      "--ai.max-prompt-chars=500",
      "--ai.base-url=https://llm.example.com/v1",
      "--ai.api-key-file=/run/secrets/ai-key",
      "--ai.model=test-model",
      "--ai.timeout=15s",
      "--ai.max-tokens=800",
      "--ai.temperature=0.2",
      "--ai.prompts-dir=/srv/cdpd/prompts",
      "--ai.cache-ttl=30m",
      "--webhooks.allow-http",
      "--webhooks.allow-private",
      "--webhooks.retry-for=48h",
      "--webhooks.disable-after=96h",
      "--webhooks.timeout=5s",
      "--webhooks.retry-backoff=2s",
      "--webhooks.max-backoff=30m",
      "--webhooks.poll-interval=250ms",
      "--webhooks.lease=2m",
      "--webhooks.workers=3",
      "--webhooks.batch-size=20"};
  for (auto name : {"default", "storage", "connector", "edge"})
    for (auto& flag : policy_changed(name))
      args.push_back(flag);
  return loaded(args).values;
}

TEST(Dump, DefaultLines) {
  auto text = dump(settings{});
  for (auto line :
       {"[http]\n", "address = \"127.0.0.1\"  # address, non-empty\n",
        "port = 8000  # port, 0..65535\n",
        "max-header-bytes = 16KiB  # bytes, 1KiB..1MiB\n",
        "read-timeout = 30s  # duration, 100ms..10m\n", "[postgres]\n",
        "url = \"\"  # URL, empty, a postgresql://",
        "statement-timeout = 30s  # duration, 0s..1h\n", "[state]\n",
        "dir = \"\"  # path\n",
        "level = info  # level, one of trace, debug, info, warn, "
        "error, off\n",
        "[middleman]\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  for (const auto& opt : options())
    EXPECT_NE(text.find("\n" + std::string(opt.name()) + " = "),
              std::string::npos)
        << opt.key;
}

TEST(Dump, RoundTripsThroughTheLoader) {
  test::temp_dir dir;
  for (const auto& original : {settings{}, everything_changed()}) {
    // A dump masks keys and passwords whole and the loader refuses the
    // mask, so the operator puts them back, as this does.
    auto text = dump(original);
    for (auto [key, secret] :
         {std::pair{"jwt-secret", original.auth.jwt_secret},
          std::pair{"jwt-previous-secret", original.auth.jwt_previous_secret},
          std::pair{"bootstrap-password", original.auth.bootstrap_password},
          std::pair{"http-api-key", original.email.http_api_key}})
      if (!secret.empty())
        replace(text, std::string(key) + " = \"***\"",
                std::string(key) + " = " + quote(secret));
    auto reloaded = loaded({"--config", dir.write("dump.ini", text)}).values;
    EXPECT_TRUE(differences(original, reloaded).empty())
        << "differ: " << differences(original, reloaded).size() << "\n"
        << dump(original);
    EXPECT_EQ(dump(reloaded), dump(original));
  }
}

TEST(Dump, EveryOptionChangedInRoundTripFixture) {
  auto changed = differences(settings{}, everything_changed());
  EXPECT_EQ(changed.size() + unchanged_in_fixture.size(), options().size());
  for (auto key : unchanged_in_fixture)
    EXPECT_EQ(std::find(changed.begin(), changed.end(), key), changed.end())
        << key;
}

TEST(Dump, RoundTripsTheSecretFile) {
  test::temp_dir dir;
  auto original =
      loaded({"--auth.jwt-secret-file=/run/secrets/cdpd-jwt"}).values;
  auto reloaded =
      loaded({"--config", dir.write("dump.ini", dump(original))}).values;
  EXPECT_EQ(reloaded.auth.jwt_secret_file, "/run/secrets/cdpd-jwt");
  EXPECT_EQ(dump(reloaded), dump(original));
}

TEST(Dump, MasksSecretsAndReloadsTheMaskedText) {
  auto s = loaded({"--postgres.url=postgresql://cdp:pg-secret@db/cdp",
                   "--postgres.read-url=host=r password=ro-secret",
                   "--redis.url=redis://:redis-secret@cache:6379/0",
                   "--email.http-url=https://mailer:http-secret@api.example/"})
               .values;
  auto text = dump(s);
  for (auto secret : {"pg-secret", "ro-secret", "redis-secret", "http-secret"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  EXPECT_NE(text.find("url = \"postgresql://cdp:***@db/cdp\""),
            std::string::npos);
  EXPECT_NE(text.find("read-url = \"host=r password=***\""), std::string::npos);
  EXPECT_NE(text.find("url = \"redis://:***@cache:6379/0\""),
            std::string::npos);

  test::temp_dir dir;
  auto reloaded = loaded({"--config", dir.write("masked.ini", text)}).values;
  std::vector<std::string_view> secrets{"postgres.url", "postgres.read-url",
                                        "redis.url", "email.http-url"};
  EXPECT_EQ(differences(s, reloaded), secrets);
  EXPECT_EQ(reloaded.postgres.url, mask_secret(s.postgres.url));
  EXPECT_EQ(reloaded.postgres.read_url, mask_secret(s.postgres.read_url));
  EXPECT_EQ(reloaded.redis.url, mask_secret(s.redis.url));
}

TEST(Usage, ListsCommandsFlagsAndEveryOption) {
  auto text = usage();
  for (auto part : {"Usage: cdpd", "run", "migrate", "--config PATH",
                    "--dump-config", "-h, --help"})
    EXPECT_NE(text.find(part), std::string::npos) << part;
  const settings defaults;
  for (const auto& opt : options()) {
    SCOPED_TRACE(std::string(opt.key));
    EXPECT_NE(text.find("--" + std::string(opt.key) + "="), std::string::npos);
    EXPECT_NE(text.find(std::string(opt.help)), std::string::npos);
    EXPECT_NE(
        text.find("default " + format_value(opt, opt.get(defaults), true)),
        std::string::npos);
    EXPECT_NE(text.find(bounds_text(opt)), std::string::npos);
  }
  EXPECT_NE(text.find("--http.port=PORT\n"), std::string::npos);
  EXPECT_NE(text.find("default 8000; 0..65535; env CDPD_HTTP_PORT\n"),
            std::string::npos);
  EXPECT_NE(text.find("--http.read-timeout=DURATION\n"), std::string::npos);
  EXPECT_NE(text.find("default 30s; 100ms..10m; env CDPD_HTTP_READ_TIMEOUT\n"),
            std::string::npos);
}

} // namespace
} // namespace cdpd::config
