#pragma once

#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "net/email/provider.hpp"

namespace cdpd::net::email {

/// Sends through a JSON API shaped like SendGrid's v3 `/v3/mail/send`:
/// POST settings.http_url with `Idempotency-Key: <key>` and, when an API
/// key is set, `Authorization: Bearer <key>`. Any 2xx is success.
class http_provider : public email_provider {
public:
  /// Uses settings.http_url, http_api_key and timeout.
  explicit http_provider(const config::email_settings& settings);

  std::string_view name() const override;

  /// Fails with errc::retryable (connection refused or lost, timeouts, HTTP
  /// 408, 429 and 5xx), errc::permanent (other 4xx, e.g. 400, 401, 403,
  /// 422; redirects) or errc::invalid_message.
  caf::expected<send_receipt> send(const email_message& msg) override;

private:
  config::email_settings settings_;
};

/// The request body for `msg`: personalizations[0].to, from, subject,
/// content (text/plain, then text/html when present) and headers
/// (Message-ID, List-Unsubscribe, List-Unsubscribe-Post and the extra
/// headers). Fails like validate().
caf::expected<nlohmann::json> sendgrid_body(const email_message& msg);

} // namespace cdpd::net::email
