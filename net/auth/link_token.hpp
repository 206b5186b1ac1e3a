#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// The tokens in campaign messages' links: unsubscribe (/u/{token}), the
/// open pixel (/t/o/{token}) and click redirects (/t/c/{token}?u=URL).
/// A token is "<delivery id>.<expiry>.<MAC>" (expiry in Unix seconds) or,
/// for unsubscribe links only, "<delivery id>.<MAC>" without expiry (a
/// recipient must be able to leave for as long as the message exists, and
/// the link can only unsubscribe them). The MAC (HMAC-SHA256, first 16
/// bytes, base64url) covers the link's kind, the delivery id, the expiry
/// and, for clicks, the target URL. So a token cannot be guessed, moved to
/// another delivery or extended, and a click redirects only to a URL that
/// the message's author wrote (no open redirect). No database row is needed
/// to check one.
namespace cdpd::net::auth {

/// What a link does.
enum class link_kind { unsubscribe, open, click };

class link_signer {
public:
  /// A signer keyed by derive_key(`secret`) (any length).
  explicit link_signer(std::string_view secret);

  /// A signer keyed by the 32 bytes `key` as they are: cdpd keeps the
  /// cluster's link key in its database (net/access/token_keys.hpp), apart
  /// from the access-token key, so rotating that one breaks no link
  /// already sent.
  static link_signer with_key(std::string key);

  /// The 32-byte key derived from `secret` (HMAC-SHA256 of a label), as
  /// links were keyed from the access-token key before they had their own.
  static std::string derive_key(std::string_view secret);

  /// The token of `kind` for delivery `delivery_id`; `url` only for clicks;
  /// valid until `expires` (Unix seconds), or for ever when nullopt.
  std::string sign(link_kind kind, int64_t delivery_id,
                   std::string_view url = {},
                   std::optional<int64_t> expires = std::nullopt) const;

  /// The delivery id when `token` is one this signer made for `kind` (and
  /// `url`) and has not expired; nothing for any other text, and nothing
  /// for a token without expiry unless `kind` is unsubscribe. Compares in
  /// constant time.
  std::optional<int64_t> verify(link_kind kind, std::string_view token,
                                std::string_view url = {}) const;

private:
  struct raw_key {
    std::string bytes;
  };
  explicit link_signer(raw_key key);

  std::string mac(link_kind kind, int64_t delivery_id, std::string_view url,
                  std::optional<int64_t> expires) const;

  std::string key_; ///< 32 bytes
};

} // namespace cdpd::net::auth
