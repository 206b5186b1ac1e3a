#pragma once

#include <chrono>
#include <string>

/// How cdpd sends email. Filled from the config keys `email.provider`,
/// `email.smtp-url`, `email.http-url`, `email.outbox-dir` and `email.from`.
namespace cdpd::net::email {

struct email_settings {
  /// "outbox" (one .eml file per message in outbox_dir), "smtp" or "http".
  std::string provider = "outbox";

  /// smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the
  /// start); user and password may be given in the URL
  /// ("smtp://user:pass@host:587").
  std::string smtp_url = "smtp://127.0.0.1:2525";

  /// The full URL of a SendGrid-v3-style send endpoint
  /// ("https://api.example.com/v3/mail/send").
  std::string http_url;

  /// Sent as `Authorization: Bearer <key>` when not empty.
  std::string http_api_key;

  /// Folder of the outbox provider; created when missing.
  std::string outbox_dir = "outbox";

  /// The sender of campaign messages ("Shop <news@shop.example>").
  std::string from = "cdpd <noreply@localhost>";

  /// Upper bound of one send, connection included.
  std::chrono::milliseconds timeout{std::chrono::seconds{30}};

  /// Upper bound of establishing the connection (TCP and TLS).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
};

} // namespace cdpd::net::email
