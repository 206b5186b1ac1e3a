#include "net/access/token_keys.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "net/auth/errc.hpp"
#include "net/auth/jwt_key.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net {

namespace {

using std::chrono::seconds;

seconds whole_seconds_up(config::millis d) {
  return seconds{(d.count() + 999) / 1000};
}

} // namespace

seconds activation_delay(const config::auth_settings& s) {
  return std::max(seconds{1}, 2 * whole_seconds_up(s.cache_refresh));
}

seconds rotation_window(const config::auth_settings& s) {
  return whole_seconds_up(s.access_ttl) + auth::clock_leeway;
}

bool token_key_configured(const config::auth_settings& s) {
  return !s.jwt_secret.empty() || !s.jwt_secret_file.empty();
}

std::optional<auth::key_ring> ring_of(const storage::token_key_rows& rows,
                                      seconds window) {
  if (!rows.current)
    return std::nullopt;
  auto current = auth::make_hs256_key(rows.current->value);
  if (!rows.previous)
    return auth::key_ring{std::move(current), {}};
  auto previous = auth::make_hs256_key(rows.previous->value);
  if (rows.current->active_in > 0)
    return auth::key_ring{std::move(previous), {std::move(current)}};
  if (-rows.current->active_in < window.count())
    return auth::key_ring{std::move(current), {std::move(previous)}};
  return auth::key_ring{std::move(current), {}};
}

caf::expected<auth::key_ring> configured_ring(const config::auth_settings& s) {
  auto key = auth::signing_key(s);
  if (!key)
    return key.error();
  auth::key_ring ring{auth::make_hs256_key(std::move(*key)), {}};
  auto previous = auth::previous_signing_key(s);
  if (!previous)
    return previous.error();
  if (*previous)
    ring.also_accepted.push_back(auth::make_hs256_key(std::move(**previous)));
  return ring;
}

void use_token_keys(auth::jwt_codec& tokens, const config::auth_settings& s,
                    const storage::token_key_rows& rows) {
  if (token_key_configured(s))
    return;
  auto ring = ring_of(rows, rotation_window(s));
  if (!ring)
    return;
  auto before = tokens.keys();
  if (before->signing.kid != ring->signing.kid)
    spdlog::info("access tokens are signed with key {} from now on",
                 ring->signing.kid);
  tokens.use(std::move(*ring));
}

std::string first_link_key(const std::string& token_key) {
  return auth::to_hex(auth::link_signer::derive_key(token_key));
}

caf::expected<auth::link_signer> link_signer_for(const std::string& stored) {
  auto key = auth::from_hex(stored);
  if (!key || key->size() != 32)
    return caf::make_error(
        caf::sec::runtime_error,
        std::string{"the message link key stored in cluster_secrets ("} +
            link_key_name +
            ") is not 64 hex digits; restore it, or delete the row to make "
            "a new one (links already sent stop working)");
  return auth::link_signer::with_key(std::move(*key));
}

} // namespace cdpd::net
