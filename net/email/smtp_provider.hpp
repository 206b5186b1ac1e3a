#pragma once

#include "config/settings.hpp"
#include "net/email/provider.hpp"

namespace cdpd::net::email {

/// Sends through an SMTP server with libcurl, one connection per message.
/// `smtp://` upgrades with STARTTLS when the server offers it, `smtps://`
/// speaks TLS from the start; user and password in the URL enable AUTH.
class smtp_provider : public email_provider {
public:
  /// Uses settings.smtp_url and timeout.
  explicit smtp_provider(const config::email_settings& settings);

  std::string_view name() const override;

  /// Fails with errc::retryable (connection refused or lost, timeouts, 4xx
  /// replies), errc::permanent (5xx replies, failed login, a server that
  /// refuses TLS on smtps://) or errc::invalid_message.
  caf::expected<send_receipt> send(const email_message& msg) override;

private:
  config::email_settings settings_;
};

} // namespace cdpd::net::email
