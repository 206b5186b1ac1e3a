#include "net/api/token_key_routes.hpp"

#include <nlohmann/json.hpp>

#include "actors/domain/credentials_work.hpp"
#include "net/access/token_keys.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net {

namespace {

using namespace api;
using nlohmann::json;
using std::chrono::seconds;
namespace domain = actors::domain;

json ring_json(const auth_services& auth) {
  auto ring = auth.tokens->keys();
  json accepted = json::array();
  for (const auto& key : ring->also_accepted)
    accepted.push_back(key.kid);
  return {
      {"source", token_key_configured(auth.settings) ? "settings" : "database"},
      {"signing", ring->signing.kid},
      {"accepted", accepted}};
}

std::string utc_after(seconds from_now) {
  auto at = std::chrono::system_clock::now() + from_now;
  return rfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(
                     at.time_since_epoch())
                     .count());
}

http_response rotated(const auth_services& auth,
                      const storage::token_key_rotation& result) {
  if (!result.rotated) {
    if (result.settling_for < 0)
      return problem(409, "no access-token key is stored; restart cdpd",
                     "conflict");
    auto response = problem(
        409,
        "the last rotation settles in " + std::to_string(result.settling_for) +
            " s: tokens signed with the key before it are still in use. Try "
            "again then, or rotate with {\"immediate\": true} to refuse them "
            "now",
        "rotation-settling");
    response.headers.emplace_back("Retry-After",
                                  std::to_string(result.settling_for));
    return response;
  }
  use_token_keys(*auth.tokens, auth.settings, result.keys);
  const auto& current = *result.keys.current;
  json body{{"new_key", auth::make_hs256_key(current.value).kid},
            {"active_from", utc_after(seconds{current.active_in})},
            {"previous_key", nullptr},
            {"previous_accepted_until", nullptr}};
  if (result.keys.previous) {
    body["previous_key"] =
        auth::make_hs256_key(result.keys.previous->value).kid;
    body["previous_accepted_until"] =
        utc_after(seconds{current.active_in} + rotation_window(auth.settings));
  }
  return json_response(200, body);
}

} // namespace

void add_token_key_routes(router& routes, caf::actor_system& sys,
                          std::shared_ptr<const auth_services> auth) {
  routes.add("GET", "/api/admin/token-keys", access::admin,
             [auth](http_request, responder reply) {
               reply(json_response(200, ring_json(*auth)));
             });
  routes.add(
      "POST", "/api/admin/token-keys/rotate", access::admin,
      [&sys, auth](http_request req, responder reply) {
        issues found;
        bool immediate = false;
        if (!req.body.empty()) {
          auto body = parse_object(req.body, found);
          if (body) {
            auto loc = json::array({"body"});
            auto flag = read_bool(*body, "immediate", loc, found);
            immediate = flag.value.value_or(false);
          }
        }
        if (!found.empty())
          return reply(found.response());
        if (token_key_configured(auth->settings))
          return reply(problem(
              409,
              "the access-token key comes from auth.jwt-secret or "
              "auth.jwt-secret-file: rotate it there (the new key in "
              "auth.jwt-secret, the old one in auth.jwt-previous-secret until "
              "auth.access-ttl has passed) and restart each node",
              "key-configured"));
        auto job = domain::rotate_token_key(
            auth::random_token(32), activation_delay(auth->settings).count(),
            rotation_window(auth->settings).count(), immediate);
        call_db(sys, db_role::write, std::move(job), std::move(reply),
                [auth](storage::token_key_rotation& result) {
                  return rotated(*auth, result);
                });
      });
}

} // namespace cdpd::net
