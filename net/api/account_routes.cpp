#include "net/api/account_routes.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/domain/account_work.hpp"
#include "net/api/caller_account.hpp"
#include "net/api/db_call.hpp"
#include "net/api/paging.hpp"
#include "net/api/validation.hpp"
#include "net/auth/api_key.hpp"
#include "net/auth/password.hpp"

namespace cdpd::net {

namespace {

using nlohmann::json;
using namespace api;
namespace domain = actors::domain;

/// Fewest characters of an account password.
constexpr std::size_t min_password_chars = 12;

/// Longest email address (RFC 5321 path limit).
constexpr std::size_t max_email_bytes = 254;

/// Longest API key name.
constexpr std::size_t max_key_name_bytes = 200;

/// Keys generated before giving up on prefix clashes (36^8 prefixes make a
/// second clash in a row practically impossible).
constexpr int api_key_attempts = 5;

json nullable(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json to_json(const storage::account_record& a) {
  return {{"id", a.id},
          {"email", a.email},
          {"role", a.role},
          {"active", a.active},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at},
          {"last_login_at", nullable(a.last_login_at)}};
}

json to_json(const storage::api_key_record& k) {
  return {{"id", k.id},
          {"prefix", k.prefix},
          {"name", k.name},
          {"role", k.role},
          {"created_by", nullable(k.created_by)},
          {"created_at", k.created_at},
          {"last_used_at", nullable(k.last_used_at)},
          {"revoked_at", nullable(k.revoked_at)}};
}

http_response no_content() {
  http_response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

json body_loc(const char* key) {
  return json::array({"body", key});
}

/// A role member: one of viewer, manager, admin.
std::optional<std::string> read_role(const json& obj, bool required,
                                     issues& found) {
  auto loc = json::array({"body"});
  auto f = read_string(obj, "role", loc, found);
  if (required ? !require(f, loc, "role", found) : !f.value)
    return std::nullopt;
  if (!auth::parse_role(*f.value)) {
    found.add(body_loc("role"),
              "value is not a valid enumeration member; permitted: "
              "'viewer', 'manager', 'admin'",
              "type_error.enum");
    return std::nullopt;
  }
  return f.value;
}

/// A password member, at least 12 characters and at most
/// auth::max_password_bytes bytes.
std::optional<std::string> read_password(const json& obj, bool required,
                                         issues& found) {
  auto loc = json::array({"body"});
  auto f = read_string(obj, "password", loc, found);
  if (required ? !require(f, loc, "password", found) : !f.value)
    return std::nullopt;
  auto chars = std::count_if(f.value->begin(), f.value->end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
  if (static_cast<std::size_t>(chars) < min_password_chars) {
    found.add(body_loc("password"),
              "ensure this value has at least " +
                  std::to_string(min_password_chars) + " characters",
              "value_error.any_str.min_length");
    return std::nullopt;
  }
  if (f.value->size() > auth::max_password_bytes) {
    found.add(body_loc("password"),
              "ensure this value has at most " +
                  std::to_string(auth::max_password_bytes) + " bytes",
              "value_error.any_str.max_length");
    return std::nullopt;
  }
  return f.value;
}

/// An email: one '@' with text on both sides, no spaces or control
/// characters, at most 254 bytes. Deliverability is not our concern here:
/// the address is a login name.
bool plausible_email(const std::string& email) {
  auto at = email.find('@');
  if (email.empty() || email.size() > max_email_bytes || at == 0 ||
      at == std::string::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string::npos)
    return false;
  return std::none_of(email.begin(), email.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

/// Applies an account's current role and state to this node's cache.
void remember(const auth_services& auth, const storage::account_record& a) {
  auth.credentials->put_account(
      a.id, {auth::parse_role(a.role).value_or(auth::role::viewer), a.active,
             a.password_changed_epoch});
}

template <class T, class ToJson>
http_response list_response(storage::page<T>& page, ToJson to) {
  json list = json::array();
  for (const auto& item : page.items)
    list.push_back(to(item));
  auto response = json_response(200, list);
  add_page_headers(response, page);
  return response;
}

void add_user_routes(router& routes, caf::actor_system& sys,
                     std::shared_ptr<const auth_services> auth) {
  routes.add("GET", "/api/admin/users", access::admin,
             [&sys](http_request req, responder reply) {
               issues found;
               auto page = read_page(req, found);
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read, domain::list_accounts(page),
                       std::move(reply),
                       [](storage::page<storage::account_record>& p) {
                         return list_response(
                             p, [](const auto& a) { return to_json(a); });
                       });
             });
  routes.add(
      "POST", "/api/admin/users", access::admin,
      [&sys, auth](http_request req, responder reply) {
        issues found;
        auto body = parse_object(req.body, found);
        std::optional<std::string> email, password, role;
        if (body) {
          auto loc = json::array({"body"});
          auto e = read_string(*body, "email", loc, found);
          if (require(e, loc, "email", found)) {
            if (plausible_email(*e.value))
              email = e.value;
            else
              found.add(body_loc("email"), "value is not a valid email address",
                        "value_error.email");
          }
          password = read_password(*body, true, found);
          role = read_role(*body, true, found);
        }
        if (!found.empty())
          return reply(found.response());
        auto password_text = std::move(*password);
        auto make_hash = [password_text]() -> std::optional<std::string> {
          auto hash = auth::hash_password(password_text);
          return hash ? std::optional<std::string>{std::move(*hash)}
                      : std::nullopt;
        };
        call_db(sys, db_role::write,
                domain::create_account(*email, *role, make_hash),
                std::move(reply), [auth](storage::account_record& a) {
                  remember(*auth, a);
                  return json_response(201, to_json(a));
                });
      });
  routes.add("GET", "/api/admin/users/{id}", access::admin,
             [&sys](http_request req, responder reply) {
               call_db(sys, db_role::read,
                       domain::get_account(req.params.at("id")),
                       std::move(reply), [](storage::account_record& a) {
                         return json_response(200, to_json(a));
                       });
             });
  routes.add(
      "PUT", "/api/admin/users/{id}", access::admin,
      [&sys, auth](http_request req, responder reply) {
        issues found;
        auto body = parse_object(req.body, found);
        storage::account_changes changes;
        std::optional<std::string> password;
        if (body) {
          changes.role = read_role(*body, false, found);
          changes.active =
              read_bool(*body, "active", json::array({"body"}), found).value;
          password = read_password(*body, false, found);
        }
        if (!found.empty())
          return reply(found.response());
        domain::hash_producer make_hash;
        if (password)
          make_hash = [password]() -> std::optional<std::string> {
            auto hash = auth::hash_password(*password);
            return hash ? std::optional<std::string>{std::move(*hash)}
                        : std::nullopt;
          };
        call_db(sys, db_role::write,
                domain::update_account(req.params.at("id"), changes, make_hash),
                std::move(reply), [auth](storage::account_record& a) {
                  remember(*auth, a);
                  return json_response(200, to_json(a));
                });
      });
  routes.add("DELETE", "/api/admin/users/{id}", access::admin,
             [&sys, auth](http_request req, responder reply) {
               storage::account_changes changes;
               changes.active = false;
               call_db(sys, db_role::write,
                       domain::update_account(req.params.at("id"), changes, {}),
                       std::move(reply), [auth](storage::account_record& a) {
                         remember(*auth, a);
                         return no_content();
                       });
             });
}

void add_api_key_routes(router& routes, caf::actor_system& sys,
                        std::shared_ptr<const auth_services> auth) {
  routes.add("GET", "/api/admin/api-keys", access::admin,
             [&sys](http_request req, responder reply) {
               issues found;
               auto page = read_page(req, found);
               if (!found.empty())
                 return reply(found.response());
               call_db(sys, db_role::read, domain::list_api_keys(page),
                       std::move(reply),
                       [](storage::page<storage::api_key_record>& p) {
                         return list_response(
                             p, [](const auto& k) { return to_json(k); });
                       });
             });
  routes.add(
      "POST", "/api/admin/api-keys", access::admin,
      [&sys, auth](http_request req, responder reply) {
        issues found;
        auto body = parse_object(req.body, found);
        std::optional<std::string> name, role;
        if (body) {
          auto loc = json::array({"body"});
          auto n = read_string(*body, "name", loc, found);
          if (require(n, loc, "name", found)) {
            if (n.value->empty() || n.value->size() > max_key_name_bytes)
              found.add(body_loc("name"),
                        "ensure this value has 1 to " +
                            std::to_string(max_key_name_bytes) + " bytes",
                        "value_error.any_str.length");
            else
              name = n.value;
          }
          role = read_role(*body, true, found);
        }
        if (!found.empty())
          return reply(found.response());
        auto created_by = caller_account(req.who);
        auto generate = [name = *name, role = *role, created_by] {
          auto fresh = auth::generate_api_key();
          return domain::generated_api_key{
              fresh.key, {fresh.prefix, fresh.hash, name, role, created_by}};
        };
        call_db(sys, db_role::write,
                domain::create_api_key(generate, api_key_attempts),
                std::move(reply), [auth](domain::created_api_key& made) {
                  const auto& k = made.record;
                  auth->credentials->put_api_key(
                      k.prefix,
                      {k.id, k.key_hash,
                       auth::parse_role(k.role).value_or(auth::role::viewer)});
                  json body{{"id", k.id},
                            {"prefix", k.prefix},
                            {"name", k.name},
                            {"role", k.role},
                            {"created_by", nullable(k.created_by)},
                            {"created_at", k.created_at},
                            {"key", made.key}};
                  auto response = json_response(201, body);
                  response.headers.emplace_back("Cache-Control", "no-store");
                  return response;
                });
      });
  routes.add("DELETE", "/api/admin/api-keys/{id}", access::admin,
             [&sys, auth](http_request req, responder reply) {
               auto id = req.params.at("id");
               call_db(sys, db_role::write, domain::revoke_api_key(id),
                       std::move(reply), [auth, id](bool&) {
                         auth->credentials->remove_api_key_by_id(id);
                         return no_content();
                       });
             });
}

} // namespace

void add_account_routes(router& routes, caf::actor_system& sys,
                        std::shared_ptr<const auth_services> auth) {
  add_user_routes(routes, sys, auth);
  add_api_key_routes(routes, sys, std::move(auth));
}

} // namespace cdpd::net
