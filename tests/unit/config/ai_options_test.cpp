// [ai]: defaults, the prototype's environment variables as fallbacks, and
// the rules on the provider settings.
#include <gtest/gtest.h>

#include "config/schema.hpp"
#include "tests/unit/config/load_helpers.hpp"

namespace cdpd::config {
namespace {

using namespace std::chrono_literals;
using testing::load_fails;
using testing::loaded;

TEST(AiOptions, WithoutProviderSettingsTheOfflineEngineAnswers) {
  auto s = loaded({}).values.ai;
  EXPECT_EQ(s.base_url, "");
  EXPECT_EQ(s.api_key, "");
  EXPECT_EQ(s.model, ""); // gpt-4o-mini when a provider is asked
  EXPECT_EQ(s.timeout, 20s);
  EXPECT_EQ(s.max_tokens, 1024);
  EXPECT_EQ(s.temperature, "0.7");
  EXPECT_EQ(s.cache_ttl, 1h);
}

TEST(AiOptions, ThePrototypesVariablesFillUnsetKeys) {
  auto s = loaded({}, {{"OPENAI_API_KEY", "sk-a"},
                       {"AI_API_KEY", "sk-b"},
                       {"AI_BASE_URL", "http://127.0.0.1:9/v1"},
                       {"AI_MODEL", "llama3"}})
               .values.ai;
  EXPECT_EQ(s.api_key, "sk-a");
  EXPECT_EQ(s.base_url, "http://127.0.0.1:9/v1");
  EXPECT_EQ(s.model, "llama3");
}

TEST(AiOptions, AKeyAloneMeansOpenAI) {
  auto s = loaded({}, {{"AI_API_KEY", "sk-b"}}).values.ai;
  EXPECT_EQ(s.api_key, "sk-b");
  EXPECT_EQ(s.base_url, "https://api.openai.com/v1");
}

TEST(AiOptions, KeysWinOverTheVariables) {
  auto s = loaded({"--ai.base-url=http://127.0.0.1:8/v1", "--ai.model=m",
                   "--ai.api-key=sk-c"},
                  {{"OPENAI_API_KEY", "sk-a"},
                   {"OPENAI_BASE_URL", "http://127.0.0.1:9/v1"},
                   {"OPENAI_MODEL", "x"}})
               .values.ai;
  EXPECT_EQ(s.api_key, "sk-c");
  EXPECT_EQ(s.base_url, "http://127.0.0.1:8/v1");
  EXPECT_EQ(s.model, "m");
}

TEST(AiOptions, Rules) {
  EXPECT_NE(load_fails({"--ai.temperature=3"}).find("ai.temperature"),
            std::string::npos);
  EXPECT_NE(load_fails({"--ai.temperature=warm"}).find("ai.temperature"),
            std::string::npos);
  EXPECT_EQ(loaded({"--ai.temperature=1.5"}).values.ai.temperature, "1.5");
  EXPECT_NE(load_fails({"--ai.base-url=ftp://x"}).find("ai.base-url"),
            std::string::npos);
  EXPECT_NE(load_fails({"--ai.api-key=k", "--ai.api-key-file=/k"})
                .find("ai.api-key-file"),
            std::string::npos);
  EXPECT_NE(load_fails({"--ai.timeout=10ms"}).find("ai.timeout"),
            std::string::npos);
}

TEST(AiOptions, TheKeyNeverShowsInADump) {
  auto text = dump(loaded({"--ai.api-key=sk-secret-value"}).values);
  EXPECT_EQ(text.find("sk-secret-value"), std::string::npos);
  EXPECT_NE(text.find("api-key = \"***\""), std::string::npos);
}

} // namespace
} // namespace cdpd::config
