#pragma once

#include <cstdint>
#include <optional>
#include <string>

/// Standard Webhooks signatures: `webhook-signature: v1,<base64 of
/// HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with
/// the bytes of the endpoint secret (the base64 after "whsec_").
namespace cdpd::actors::webhooks {

/// The key bytes of a "whsec_..." secret; nullopt when it is not one.
std::optional<std::string> secret_key(const std::string& secret);

/// The `webhook-signature` value for one message; empty when the secret is
/// not a "whsec_" secret.
std::string sign_webhook(const std::string& secret, const std::string& id,
                         int64_t timestamp, const std::string& body);

} // namespace cdpd::actors::webhooks
