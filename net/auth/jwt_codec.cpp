#include "net/auth/jwt_codec.hpp"

#include <algorithm>

#include <optional>

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>

#include "net/auth/errc.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net::auth {

namespace {

using json = nlohmann::json;

constexpr std::size_t jti_bytes = 16;

caf::error malformed(std::string what) {
  return make_error(errc::token_malformed, "malformed token: " + what);
}

/// An integer NumericDate claim, or nullopt when absent or not an integer.
std::optional<int64_t> seconds_claim(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer())
    return std::nullopt;
  return it->get<int64_t>();
}

/// A non-empty string claim, or nullopt.
std::optional<std::string> text_claim(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_string() ||
      it->get_ref<const std::string&>().empty())
    return std::nullopt;
  return it->get<std::string>();
}

int64_t epoch_seconds(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}

clock::time_point from_epoch(int64_t s) {
  return clock::time_point{std::chrono::seconds{s}};
}

/// The HS256 signature of `signing_input` as unpadded base64url.
std::optional<std::string> hs256(std::string_view key,
                                 std::string_view signing_input) {
  auto [raw, ec] = jwt::HMACSign<jwt::algo::HS256>::sign(key, signing_input);
  if (ec)
    return std::nullopt;
  return base64url(raw);
}

/// The ring's key named `kid`: the signing key for a token without one.
const hs256_key* key_named(const key_ring& ring, const json& header) {
  auto kid = header.find("kid");
  if (kid == header.end())
    return &ring.signing;
  if (!kid->is_string())
    return nullptr;
  const auto& name = kid->get_ref<const std::string&>();
  if (name == ring.signing.kid)
    return &ring.signing;
  for (const auto& key : ring.also_accepted)
    if (name == key.kid)
      return &key;
  return nullptr;
}

} // namespace

hs256_key make_hs256_key(std::string secret) {
  auto kid = sha256_hex(secret).substr(0, 12);
  return {std::move(kid), std::move(secret)};
}

jwt_codec::jwt_codec(std::string key, std::string issuer)
    : jwt_codec(key_ring{make_hs256_key(std::move(key)), {}},
                std::move(issuer)) {}

jwt_codec::jwt_codec(key_ring ring, std::string issuer)
    : ring_(std::make_shared<const key_ring>(std::move(ring))),
      issuer_(std::move(issuer)) {}

void jwt_codec::use(key_ring ring) {
  auto next = std::make_shared<const key_ring>(std::move(ring));
  std::lock_guard guard{mutex_};
  ring_ = std::move(next);
}

std::shared_ptr<const key_ring> jwt_codec::keys() const {
  std::lock_guard guard{mutex_};
  return ring_;
}

bool jwt_codec::accepts(std::string_view kid) const {
  auto ring = keys();
  if (ring->signing.kid == kid)
    return true;
  return std::any_of(ring->also_accepted.begin(), ring->also_accepted.end(),
                     [kid](const hs256_key& key) { return key.kid == kid; });
}

caf::expected<issued_token> jwt_codec::issue(std::string_view subject,
                                             role granted,
                                             std::chrono::seconds ttl,
                                             clock::time_point now) const {
  issued_token out;
  out.jti = random_token(jti_bytes);
  auto issued = epoch_seconds(now);
  out.expires_at = from_epoch(issued + ttl.count());
  auto ring = keys();
  try {
    using namespace jwt::params;
    jwt::jwt_object obj{algorithm("HS256"), secret(ring->signing.secret),
                        headers({{"kid", ring->signing.kid}})};
    obj.add_claim("iss", issuer_)
        .add_claim("sub", std::string(subject))
        .add_claim("role", std::string(to_string(granted)))
        .add_claim("iat", issued)
        .add_claim("exp", epoch_seconds(out.expires_at))
        .add_claim("jti", out.jti);
    std::error_code ec;
    out.token = obj.signature(ec);
    if (ec)
      return make_error(errc::crypto_failed, "signing failed: " + ec.message());
  } catch (const std::exception& e) {
    return make_error(errc::crypto_failed,
                      std::string("signing failed: ") + e.what());
  }
  return out;
}

caf::expected<token_claims> jwt_codec::verify(std::string_view token,
                                              clock::time_point now) const {
  if (token.size() > max_token_bytes)
    return malformed("longer than 8 KiB");
  auto first_dot = token.find('.');
  auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot ||
      token.find('.', first_dot + 1) != last_dot)
    return malformed("not three dot-separated parts");
  // libcpp-jwt indexes its base64 table with each byte as a signed char:
  // a byte outside the alphabet reads far out of bounds (found by
  // tests/fuzz/access_token_fuzz.cpp). Compact JWS is unpadded base64url.
  auto is_base64url = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  };
  if (!std::all_of(token.begin(), token.end(), is_base64url))
    return malformed("a character outside base64url");
  json header;
  json payload;
  try {
    std::error_code ec;
    // Parsing only: libcpp-jwt's own verification reads the system clock
    // and compares signatures with operator==, so both are done below.
    auto obj = jwt::decode(jwt::string_view{token.data(), token.size()},
                           jwt::params::algorithms({"HS256"}), ec,
                           jwt::params::verify(false));
    if (ec)
      return malformed(ec.message());
    header = obj.header().create_json_obj();
    payload = obj.payload().create_json_obj();
  } catch (const std::exception& e) {
    return malformed(e.what());
  }
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string())
    return malformed("no alg in the header");
  const auto& alg_name = alg->get_ref<const std::string&>();
  if (jwt::str_to_alg(alg_name) == jwt::algorithm::NONE)
    return make_error(errc::token_alg_none, "unsigned token (alg none)");
  // RFC 7515 names are case-sensitive: "hs256" is not HS256.
  if (alg_name != "HS256")
    return make_error(errc::token_wrong_algorithm,
                      "token algorithm is not HS256");
  auto ring = keys();
  const auto* key = key_named(*ring, header);
  if (!key)
    return make_error(errc::token_bad_signature,
                      "token signed with a key no longer accepted");
  auto expected = hs256(key->secret, token.substr(0, last_dot));
  if (!expected)
    return make_error(errc::crypto_failed, "HMAC failed");
  if (!equal_constant_time(*expected, token.substr(last_dot + 1)))
    return make_error(errc::token_bad_signature, "bad token signature");

  if (!payload.is_object())
    return malformed("the payload is not a JSON object");
  auto iss = text_claim(payload, "iss");
  if (!iss || *iss != issuer_)
    return make_error(errc::token_wrong_issuer, "token issuer is not ours");
  auto sub = text_claim(payload, "sub");
  auto role_name = text_claim(payload, "role");
  auto jti = text_claim(payload, "jti");
  auto iat = seconds_claim(payload, "iat");
  auto exp = seconds_claim(payload, "exp");
  if (!sub || !role_name || !jti || !iat || !exp)
    return malformed("sub, role, jti, iat and exp are required");
  auto granted = parse_role(*role_name);
  if (!granted)
    return malformed("unknown role");
  auto now_s = epoch_seconds(now);
  if (now_s >= *exp)
    return make_error(errc::token_expired, "token expired");
  auto latest = now_s + clock_leeway.count();
  if (payload.contains("nbf")) {
    auto nbf = seconds_claim(payload, "nbf");
    if (!nbf)
      return malformed("nbf is not an integer");
    if (*nbf > latest)
      return make_error(errc::token_not_yet_valid, "token not yet valid");
  }
  if (*iat > latest)
    return make_error(errc::token_not_yet_valid, "token issued in the future");
  return token_claims{key->kid,        std::move(*sub),  *granted,
                      std::move(*jti), from_epoch(*iat), from_epoch(*exp)};
}

} // namespace cdpd::net::auth
