#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "config/settings.hpp"
#include "net/email/message.hpp"

/// Where messages go: the outbox folder, an SMTP server or an HTTP send API.
namespace cdpd::net::email {

/// What a provider reports for an accepted message.
struct send_receipt {
  std::string provider;   ///< "outbox", "smtp" or "http"
  std::string message_id; ///< the Message-ID the message was sent with
  /// Provider-specific evidence: the file written, the SMTP reply code, the
  /// HTTP status and the provider's message id when it returns one.
  std::string detail;
  /// False when the provider recognised the message as already delivered
  /// (the outbox found its file).
  bool first_delivery = true;
};

/// Sends one message at a time. send() blocks, bounded by the settings'
/// timeouts, and is safe to call from several threads at once; callers run
/// it on worker threads, never inside a cooperative actor.
class email_provider {
public:
  virtual ~email_provider() = default;

  /// "outbox", "smtp" or "http".
  virtual std::string_view name() const = 0;

  /// Delivers `msg`. Fails with errc::invalid_message when validate()
  /// refuses it, errc::retryable when trying again later may succeed
  /// (timeouts, refused connections, SMTP 4xx, HTTP 408/429/5xx) and
  /// errc::permanent when it will not (SMTP 5xx, HTTP 400/401/403/422 and
  /// other 4xx); the error's message says what the provider answered.
  virtual caf::expected<send_receipt> send(const email_message& msg) = 0;
};

/// The provider `settings.provider` names (`email.*`; the outbox folder is
/// `settings.outbox_dir` as given: the daemon fills in its default). Fails
/// with errc::invalid_settings naming the key when the provider is unknown,
/// its URL has the wrong scheme, the timeout is not positive, `from` is not
/// a mailbox or the outbox folder is empty or cannot be created.
caf::expected<std::unique_ptr<email_provider>>
make_provider(const config::email_settings& settings);

} // namespace cdpd::net::email
