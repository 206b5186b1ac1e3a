// Webhook signatures against the example of the Standard Webhooks
// specification, and secrets that are not "whsec_" secrets.
#include "actors/webhooks/webhook_signature.hpp"

#include <gtest/gtest.h>

using namespace cdpd::actors::webhooks;

namespace {

TEST(WebhookSignature, MatchesTheSpecificationsExample) {
  EXPECT_EQ(sign_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                         "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                         R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, EveryPartIsSigned) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto base = sign_webhook(secret, "msg_1", 1000, "{}");
  EXPECT_NE(sign_webhook(secret, "msg_2", 1000, "{}"), base);
  EXPECT_NE(sign_webhook(secret, "msg_1", 1001, "{}"), base);
  EXPECT_NE(sign_webhook(secret, "msg_1", 1000, "{ }"), base);
  EXPECT_NE(sign_webhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "msg_1",
                         1000, "{}"),
            base);
}

TEST(WebhookSignature, SecretKeys) {
  auto key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->size(), 24u);
  auto padded = secret_key("whsec_YWJjZA==");
  ASSERT_TRUE(padded);
  EXPECT_EQ(*padded, "abcd");
  EXPECT_FALSE(secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(secret_key("whsec_"));
  EXPECT_FALSE(secret_key("whsec_abc"));
  EXPECT_EQ(sign_webhook("not a secret", "msg_1", 1, "{}"), "");
}

} // namespace
