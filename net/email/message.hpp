#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

/// One email as cdpd sends it, and its RFC 5322 / MIME form.
namespace cdpd::net::email {

struct email_message {
  /// Sender mailbox: "news@shop.example" or "Shop <news@shop.example>".
  std::string from;
  /// Recipient mailbox, in the same forms.
  std::string to;
  /// Subject in UTF-8; encoded as RFC 2047 words when not ASCII.
  std::string subject;
  /// The text/plain part (UTF-8).
  std::string text_body;
  /// The text/html part (UTF-8); with it the message is
  /// multipart/alternative.
  std::optional<std::string> html_body;
  /// "<id@domain>"; empty: deterministic_message_id(idempotency_key, the
  /// sender's domain).
  std::string message_id;
  /// The one-click unsubscribe link (http:// or https://; RFC 8058 wants
  /// https:// in production).
  std::string unsubscribe_url;
  /// An address for unsubscribe requests by mail ("unsubscribe@shop.example",
  /// "mailto:" optional).
  std::optional<std::string> unsubscribe_mailto;
  /// Unique per recipient and step; the same key always yields the same
  /// message id and the same provider-side deduplication.
  std::string idempotency_key;
  /// Extra headers (name, value), e.g. X-Campaign-ID. Bcc and the names of
  /// the headers to_mime writes itself are refused.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// "<h@domain>" where h is the first 32 hex digits of SHA-256(key): the same
/// key gives the same id, so a retried send is recognisable as the same
/// message.
std::string deterministic_message_id(std::string_view idempotency_key,
                                     std::string_view domain);

/// A mailbox split into its parts.
struct mailbox {
  std::string display_name; ///< may be empty
  std::string address;      ///< "local@domain"
};

/// Parses "local@domain", "<local@domain>" or "Name <local@domain>" (the
/// name optionally in double quotes). Fails with errc::invalid_message when
/// there is no single '@' with text on both sides, or the address holds
/// blanks, controls, non-ASCII or any of "<>()[],;:\\\"".
caf::expected<mailbox> parse_mailbox(std::string_view text);

/// The Message-ID a message is sent with: its message_id, or the
/// deterministic id from its idempotency key and the sender's domain.
/// Fails with errc::invalid_message when both are empty, or message_id is
/// not of the form "<left@right>" without blanks.
caf::expected<std::string> effective_message_id(const email_message& msg);

/// Checks everything to_mime needs: parsable from and to, a non-empty
/// idempotency key, a message id, an http(s) unsubscribe URL, and no CR, LF
/// or NUL in any header value or name (header injection). Fails with
/// errc::invalid_message naming the field.
caf::expected<void> validate(const email_message& msg);

/// The message in RFC 5322 form with CRLF line ends: Date, From, To,
/// Subject, Message-ID, MIME-Version, List-Unsubscribe,
/// List-Unsubscribe-Post (RFC 8058 one-click), the extra headers, then a
/// quoted-printable text/plain body, or a multipart/alternative of text and
/// HTML. Fails like validate().
caf::expected<std::string> to_mime(const email_message& msg,
                                   std::chrono::system_clock::time_point date =
                                       std::chrono::system_clock::now());

/// The List-Unsubscribe value: "<url>" and ", <mailto:...>" when given.
std::string list_unsubscribe_value(const email_message& msg);

/// The RFC 5322 date of a time in UTC ("Thu, 26 Nov 2026 15:40:51 +0000").
std::string rfc5322_date(std::chrono::system_clock::time_point when);

} // namespace cdpd::net::email
