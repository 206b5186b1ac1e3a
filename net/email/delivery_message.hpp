#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "net/auth/link_token.hpp"
#include "net/email/message.hpp"
#include "storage/repositories/delivery_repository.hpp"

/// The message of one claimed delivery: its subject and body rendered with
/// the customer's fields, its links signed and tracked.
namespace cdpd::net::email {

/// Where a delivery's links point: `public_url` (delivery.public-url)
/// followed by /u/, /t/c/ and a token `signer` made for that delivery.
struct message_links {
  std::string public_url;
  std::shared_ptr<const auth::link_signer> signer;
  /// How long click links work after the message is rendered
  /// (delivery.link-ttl); unsubscribe links do not expire.
  std::chrono::seconds link_ttl{std::chrono::hours{24 * 90}};

  /// The one-click unsubscribe URL.
  std::string unsubscribe(int64_t delivery_id) const;

  /// `text` with every http(s) URL replaced by its click-tracking link,
  /// which redirects to it until `expires` (Unix seconds); the unsubscribe
  /// link is left as it is.
  std::string track_clicks(const std::string& text, int64_t delivery_id,
                           int64_t expires) const;
};

/// The message for claimed delivery `d` from `from`: subject and text body
/// rendered with the customer's fields and {{unsubscribe_url}}, the body's
/// links tracked, the signed one-click unsubscribe URL, X-Campaign-ID (or
/// X-Flow-Run-ID) and X-Delivery-Step headers, and the delivery's
/// idempotency key. Fails with the template's error.
caf::expected<email_message> render_delivery(const storage::claimed_delivery& d,
                                             const std::string& from,
                                             const message_links& links);

} // namespace cdpd::net::email
