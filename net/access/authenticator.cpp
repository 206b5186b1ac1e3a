#include "net/access/authenticator.hpp"

#include "config/text.hpp"
#include "net/access/auth_services.hpp"
#include "net/auth/api_key.hpp"
#include "net/auth/errc.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net {

namespace {

constexpr std::string_view realm = "Bearer realm=\"cdpd\"";

/// How long after a token's issue a credential load may miss its account:
/// an account made on another node since this node's last load, and clocks
/// that differ between nodes. Past it, a missing account does not exist.
constexpr auto new_account_grace = std::chrono::seconds{10};

http_response invalid(std::string_view what) {
  auto response = problem(401, std::string{what}, "invalid-credentials");
  // A quoted-string may not hold '"' or '\\' unescaped; our texts use neither,
  // but the header must stay well formed whatever an error says.
  std::string description{what};
  for (auto& c : description)
    if (c == '"' || c == '\\')
      c = '\'';
  response.headers.emplace_back("WWW-Authenticate",
                                std::string{realm} +
                                    ", error=\"invalid_token\", "
                                    "error_description=\"" +
                                    description + "\"");
  return response;
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

} // namespace

std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    auto end = header.find(';');
    auto pair = config::trim(header.substr(0, end));
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return config::trim(pair.substr(eq + 1));
    if (end == std::string_view::npos)
      break;
    header.remove_prefix(end + 1);
  }
  return {};
}

authenticator::authenticator(
    std::shared_ptr<const auth::jwt_codec> tokens,
    std::shared_ptr<const credential_cache> credentials,
    std::optional<auth::role> anonymous)
    : tokens_(std::move(tokens)), credentials_(std::move(credentials)),
      anonymous_(anonymous) {}

http_response authenticator::credentials_required() {
  auto response = problem(
      401,
      "this route needs credentials: an access token from POST "
      "/api/auth/login in 'Authorization: Bearer <token>', or an API key in "
      "'X-API-Key'",
      "credentials-required");
  response.headers.emplace_back("WWW-Authenticate", std::string{realm});
  return response;
}

std::variant<caller, http_response>
authenticator::identify(const http_request& request,
                        auth::clock::time_point now) const {
  if (auto header = request.header("Authorization"); !header.empty()) {
    if (!starts_with_ci(header, "Bearer "))
      return invalid("use 'Authorization: Bearer <token or API key>'");
    auto credential = config::trim(std::string_view{header}.substr(7));
    if (auth::api_key_prefix(credential))
      return from_api_key(credential);
    return from_token(credential, caller::proof::bearer, now);
  }
  if (auto key = request.header("X-API-Key"); !key.empty())
    return from_api_key(config::trim(key));
  if (auto cookies = request.header("Cookie"); !cookies.empty())
    if (auto token = cookie_value(cookies, session_cookie); !token.empty())
      return from_token(token, caller::proof::cookie, now);
  caller anonymous;
  anonymous.via = caller::proof::none;
  anonymous.role = anonymous_;
  return anonymous;
}

std::variant<caller, http_response>
authenticator::from_token(std::string_view token, caller::proof via,
                          auth::clock::time_point now) const {
  auto claims = verified_->find(token, now);
  // Remembered only while its key is accepted: a rotation ends it.
  if (claims && !tokens_->accepts(claims->kid))
    claims.reset();
  if (!claims) {
    auto checked = tokens_->verify(token, now);
    if (!checked)
      return invalid(auth::describe(checked.error()));
    verified_->add(token, *checked);
    claims = std::move(*checked);
  }
  if (credentials_->revoked(claims->jti))
    return invalid("the token was revoked (logged out)");
  caller who;
  who.via = via;
  who.subject = claims->subject;
  who.role = claims->granted;
  who.token_id = claims->jti;
  who.token_expires = claims->expires_at;
  auto account = credentials_->account(claims->subject);
  if (!account) {
    if (claims->issued_at + new_account_grace < credentials_->loaded_at())
      return invalid("the token's account does not exist");
    return who; // made on another node moments ago: its token says its role
  }
  if (!account->active)
    return invalid("the account is disabled");
  // `iat` is in whole seconds: a token of the second the password changed
  // in stays valid, so a login right after the change is never refused.
  if (claims->issued_at < auth::clock::time_point{std::chrono::seconds{
                              account->password_changed_epoch}})
    return invalid("the account's password changed after this token was "
                   "issued; log in again");
  who.role = account->role;
  return who;
}

std::variant<caller, http_response>
authenticator::from_api_key(std::string_view key) const {
  auto prefix = auth::api_key_prefix(key);
  if (!prefix)
    return invalid("malformed API key");
  auto entry = credentials_->api_key(*prefix);
  if (!entry || !auth::api_key_matches(key, entry->hash))
    return invalid("unknown or revoked API key");
  caller who;
  who.via = caller::proof::api_key;
  who.subject = "apikey:" + *prefix;
  who.role = entry->role;
  who.token_id = entry->id;
  return who;
}

} // namespace cdpd::net
