#pragma once

#include <chrono>
#include <string>

#include <caf/expected.hpp>

#include "actors/domain/credentials_work.hpp"
#include "config/settings.hpp"
#include "net/access/auth_services.hpp"

/// The keys of a node's access tokens and message links, and their
/// rotation. An access-token key comes from the settings (auth.jwt-secret
/// or -file, with auth.jwt-previous-secret or -file accepted beside it while
/// an operator rotates) or, by default, from cluster_secrets, where
/// `cdpctl keys rotate` replaces it: the new key is loaded by every node
/// before any signs with it (activation_delay), and the previous one is
/// accepted until every token it signed has expired (rotation_window).
/// Message links have a key of their own in cluster_secrets, so no
/// rotation breaks a link already sent.
namespace cdpd::net {

/// How long after a rotation its key starts signing: two reloads of every
/// node's credentials (auth.cache-refresh), at least one second.
std::chrono::seconds activation_delay(const config::auth_settings& s);

/// How long the previous key stays accepted once the new one signs: an
/// access token's life (auth.access-ttl) plus the clock leeway.
std::chrono::seconds rotation_window(const config::auth_settings& s);

/// Whether the settings name the access-token key (then cdpd stores none).
bool token_key_configured(const config::auth_settings& s);

/// The ring of stored keys: the current key signs once active, before that
/// the previous one signs and the current is accepted; after activation the
/// previous is accepted for `window`. Nullopt when no key is stored.
std::optional<auth::key_ring> ring_of(const storage::token_key_rows& rows,
                                      std::chrono::seconds window);

/// The ring from the settings (auth.jwt-secret or -file signs,
/// auth.jwt-previous-secret or -file is accepted). Fails like
/// auth::signing_key.
caf::expected<auth::key_ring> configured_ring(const config::auth_settings& s);

/// Gives `tokens` the ring of `rows`, unless the key is configured in `s`
/// or no key is stored.
void use_token_keys(auth::jwt_codec& tokens, const config::auth_settings& s,
                    const storage::token_key_rows& rows);

/// Name of the cluster's message link key in cluster_secrets.
inline constexpr const char* link_key_name = "link-signing-key";

/// The link key to store when the cluster has none yet: the one links were
/// derived from `token_key` with before they had their own (hex), so links
/// sent before stay valid.
std::string first_link_key(const std::string& token_key);

/// The signer for the link key `stored` (as kept in cluster_secrets).
caf::expected<auth::link_signer> link_signer_for(const std::string& stored);

} // namespace cdpd::net
