// [auth] and [ratelimit]: defaults, the rules on keys and passwords, and
// that secrets never show in dumps or error messages.
#include <gtest/gtest.h>

#include "config/schema.hpp"
#include "tests/unit/config/load_helpers.hpp"
#include "tests/unit/config/temp_dir.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

constexpr const char* good_secret =
    "4f1c2b8e9d0a7c6b5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";

TEST(AuthOptions, Defaults) {
  const settings s;
  EXPECT_EQ(s.auth.anonymous_role, "none");
  EXPECT_EQ(s.auth.jwt_secret, "");
  EXPECT_EQ(s.auth.jwt_secret_file, "");
  EXPECT_EQ(s.auth.jwt_issuer, "cdpd");
  EXPECT_EQ(s.auth.access_ttl, 15min);
  EXPECT_EQ(s.auth.refresh_ttl, std::chrono::hours{24 * 30});
  EXPECT_EQ(s.auth.bootstrap_email, "admin@localhost");
  EXPECT_EQ(s.auth.bootstrap_password, "");
  EXPECT_EQ(s.auth.login_max_failures, 5);
  EXPECT_EQ(s.auth.login_lockout, 15min);
  EXPECT_TRUE(s.ratelimit.enabled);
  EXPECT_EQ(s.ratelimit.general_per_hour, 1000);
  EXPECT_EQ(s.ratelimit.general_per_minute, 100);
  EXPECT_EQ(s.ratelimit.campaign_create_per_minute, 10);
  EXPECT_EQ(s.ratelimit.segment_evaluate_per_minute, 20);
  EXPECT_EQ(s.ratelimit.ai_generate_per_minute, 5);
}

TEST(AuthOptions, DefaultDumpLines) {
  auto text = dump(settings{});
  for (auto line : {"[auth]\n",
                    "anonymous-role = none  # role, one of none, "
                    "viewer, manager, admin\n",
                    "jwt-secret = \"\"  # key, empty, or at least 32 bytes\n",
                    "refresh-ttl = 720h  # duration, 1m..8760h\n",
                    "[ratelimit]\n", "enabled = true  # switch",
                    "general-per-hour = 1000  # requests/hour, 0..",
                    "ai-generate-per-minute = 5  # requests/minute, 0.."})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

TEST(AuthOptions, FromTheEnvironment) {
  auto s = loaded({}, {{"CDPD_AUTH_ANONYMOUS_ROLE", "manager"},
                       {"CDPD_AUTH_JWT_SECRET", good_secret},
                       {"CDPD_RATELIMIT_ENABLED", "false"},
                       {"CDPD_RATELIMIT_AI_GENERATE_PER_MINUTE", "2"}})
               .values;
  EXPECT_EQ(s.auth.anonymous_role, "manager");
  EXPECT_EQ(s.auth.jwt_secret, good_secret);
  EXPECT_FALSE(s.ratelimit.enabled);
  EXPECT_EQ(s.ratelimit.ai_generate_per_minute, 2);
}

TEST(AuthOptions, ShortJwtSecretIsRefusedWithoutShowingIt) {
  auto message = load_fails({}, {{"CDPD_AUTH_JWT_SECRET", "hunter2-short"}});
  EXPECT_NE(message.find("auth.jwt-secret"), std::string::npos) << message;
  EXPECT_NE(message.find("shorter than 32 bytes"), std::string::npos)
      << message;
  EXPECT_NE(message.find("openssl rand -hex 32"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  // 31 bytes is one too few, 32 is enough.
  load_fails({"--auth.jwt-secret=" + std::string(31, 'k')});
  EXPECT_EQ(loaded({"--auth.jwt-secret=" + std::string(32, 'k')})
                .values.auth.jwt_secret.size(),
            32u);
}

TEST(AuthOptions, CorsOriginsAreOriginsAndNeverAStar) {
  EXPECT_EQ(loaded({"--http.cors-origins=https://a.example, "
                    "http://localhost:5173"})
                .values.http.cors_origins,
            "https://a.example, http://localhost:5173");
  for (const char* bad : {"*", "https://a.example/app", "a.example",
                          "ftp://a.example", "https://*.example"}) {
    auto message = load_fails({std::string{"--http.cors-origins="} + bad});
    EXPECT_NE(message.find("http.cors-origins"), std::string::npos) << bad;
    EXPECT_NE(message.find("no path, no '*'"), std::string::npos) << message;
  }
}

TEST(AuthOptions, ShortBootstrapPasswordIsRefusedWithoutShowingIt) {
  auto message = load_fails({"--auth.bootstrap-password=tiny-pw"});
  EXPECT_NE(message.find("auth.bootstrap-password"), std::string::npos)
      << message;
  EXPECT_EQ(message.find("tiny-pw"), std::string::npos) << message;
}

TEST(AuthOptions, DumpMasksKeyAndPasswordWhole) {
  auto s = loaded({"--auth.jwt-secret=" + std::string(good_secret),
                   "--auth.bootstrap-password=correct horse battery"})
               .values;
  auto text = dump(s);
  EXPECT_EQ(text.find(good_secret), std::string::npos);
  EXPECT_EQ(text.find("4f1c"), std::string::npos);
  EXPECT_EQ(text.find("horse"), std::string::npos);
  EXPECT_NE(text.find("jwt-secret = \"***\""), std::string::npos) << text;
  EXPECT_NE(text.find("bootstrap-password = \"***\""), std::string::npos)
      << text;
}

TEST(AuthOptions, MaskedDumpCannotBeLoadedAsAKey) {
  // A dump never carries the key, and its placeholder is refused rather
  // than signing tokens with "***".
  auto s = loaded({"--auth.jwt-secret=" + std::string(good_secret)}).values;
  test::temp_dir dir;
  auto message = load_fails({"--config", dir.write("masked.ini", dump(s))});
  EXPECT_NE(message.find("auth.jwt-secret"), std::string::npos) << message;
  EXPECT_NE(message.find("openssl rand -hex 32"), std::string::npos) << message;
}

TEST(AuthOptions, SecretAndSecretFileExcludeEachOther) {
  auto message = load_fails({"--auth.jwt-secret=" + std::string(good_secret),
                             "--auth.jwt-secret-file=/run/secrets/jwt"});
  EXPECT_NE(message.find("auth.jwt-secret-file"), std::string::npos) << message;
  EXPECT_EQ(message.find(good_secret), std::string::npos) << message;
}

TEST(AuthOptions, APreviousKeyIsOnlyForAConfiguredKey) {
  auto alone =
      load_fails({"--auth.jwt-previous-secret=" + std::string(good_secret)});
  EXPECT_NE(alone.find("cdpctl keys rotate"), std::string::npos) << alone;
  auto both =
      load_fails({"--auth.jwt-secret=" + std::string(good_secret),
                  "--auth.jwt-previous-secret=" + std::string(good_secret),
                  "--auth.jwt-previous-secret-file=/run/secrets/old"});
  EXPECT_NE(both.find("auth.jwt-previous-secret-file"), std::string::npos)
      << both;
  EXPECT_EQ(both.find(good_secret), std::string::npos) << both;
  auto rotating = loaded({"--auth.jwt-secret=" + std::string(good_secret),
                          "--auth.jwt-previous-secret-file=/run/secrets/old"})
                      .values;
  EXPECT_EQ(rotating.auth.jwt_previous_secret_file, "/run/secrets/old");
}

TEST(AuthOptions, RefusedValues) {
  EXPECT_NE(load_fails({"--auth.anonymous-role=root"})
                .find("is not one of none, viewer, manager, admin"),
            std::string::npos);
  EXPECT_NE(load_fails({"--auth.bootstrap-email=admin"}).find("email"),
            std::string::npos);
  EXPECT_NE(load_fails({"--auth.jwt-issuer="}).find("must not be empty"),
            std::string::npos);
  EXPECT_NE(load_fails({"--auth.access-ttl=1s"}).find("below the minimum 10s"),
            std::string::npos);
  EXPECT_NE(load_fails({"--ratelimit.general-per-minute=-1"})
                .find("below the minimum 0"),
            std::string::npos);
  EXPECT_NE(load_fails({"--auth.login-max-failures=0"}).find("below"),
            std::string::npos);
}

} // namespace
} // namespace cdpd::config
