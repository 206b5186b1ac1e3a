#pragma once

#include <string>

#include "net/email/provider.hpp"

namespace cdpd::net::email {

/// Writes each message to `<dir>/<message-id without brackets>.eml`: first
/// to a temporary file that is flushed to disk, then linked into place, so
/// a reader never sees half a message and a second send of the same
/// message leaves the first file untouched (first_delivery false).
class outbox_provider : public email_provider {
public:
  /// Uses `dir`, which must exist (make_provider creates it).
  explicit outbox_provider(std::string dir);

  std::string_view name() const override;

  /// Fails with errc::invalid_message (see validate()) or errc::retryable
  /// when the file cannot be written (disk full, permissions).
  caf::expected<send_receipt> send(const email_message& msg) override;

  /// The path a message with this Message-ID is written to.
  std::string path_for(const std::string& message_id) const;

private:
  std::string dir_;
};

} // namespace cdpd::net::email
