#include "net/api/auth_routes.hpp"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>

#include "actors/domain/account_work.hpp"
#include "net/access/access_guard.hpp"
#include "net/access/address_group.hpp"
#include "net/access/password_hasher.hpp"
#include "net/api/caller_account.hpp"
#include "net/api/db_call.hpp"
#include "net/api/validation.hpp"
#include "net/auth/password.hpp"
#include "net/auth/secrets.hpp"

namespace cdpd::net {

namespace {

using nlohmann::json;
using namespace api;
namespace domain = actors::domain;
namespace limits = actors::limits;
using std::chrono::duration_cast;
using std::chrono::seconds;

/// Fewest characters of a new password.
constexpr std::size_t min_password_chars = 12;

/// Random bytes of a refresh token (256 bits).
constexpr std::size_t refresh_token_bytes = 32;

/// The rate that throttles failed logins; its name must outlive requests.
constexpr const char* login_failures_rate = "login-failures";

/// Characters (UTF-8 code points) in `text`.
std::size_t utf8_length(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
}

int64_t whole_seconds(std::chrono::milliseconds d) {
  return std::max<int64_t>(1, duration_cast<seconds>(d).count());
}

std::string session_cookie_header(const std::string& value, int64_t max_age) {
  return std::string{session_cookie} + "=" + value +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" +
         std::to_string(max_age);
}

http_response no_content() {
  http_response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

http_response unauthorized(std::string detail) {
  // Refusals of credentials in a body answer in the problem shape with the
  // plain detail text login forms show.
  auto response = problem(401, std::move(detail), "unauthorized");
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"cdpd\"");
  return response;
}

/// Reads a required string member; records 422 issues.
std::optional<std::string> required_string(const json& obj, const char* key,
                                           issues& found) {
  auto loc = json::array({"body"});
  auto f = read_string(obj, key, loc, found);
  if (!require(f, loc, key, found))
    return std::nullopt;
  return f.value;
}

/// Checks a new password's length; records a 422 issue.
void check_new_password(const std::string& password, const char* key,
                        issues& found) {
  auto loc = json::array({"body", key});
  if (utf8_length(password) < min_password_chars)
    found.add(loc,
              "ensure this value has at least " +
                  std::to_string(min_password_chars) + " characters",
              "value_error.any_str.min_length");
  else if (password.size() > auth::max_password_bytes)
    found.add(loc,
              "ensure this value has at most " +
                  std::to_string(auth::max_password_bytes) + " bytes",
              "value_error.any_str.max_length");
}

/// What a reservation of one failure per key found.
struct reservation {
  int64_t retry_after = 0;  ///< > 0: some key has used up its failures
  bool unavailable = false; ///< no limiter answered: refuse (fail closed)
};

/// The login-failure throttle: a GCRA of auth.login-max-failures per
/// auth.login-lockout on each key. Every attempt reserves one failure on
/// its keys before the password is checked, and a success refunds it, so
/// parallel attempts cannot all slip through between a check and a charge.
class failure_throttle {
public:
  explicit failure_throttle(const auth_services& auth)
      : limiter_(auth.limiter), limit_(auth.settings.login_max_failures),
        period_(auth.settings.login_lockout) {}

  /// Charges one failure to every key and calls `then` on an actor thread
  /// (at once when nothing throttles). A refused or unanswered reservation
  /// refunds the keys it did charge.
  void reserve(std::vector<std::string> keys,
               std::function<void(reservation)> then) const {
    if (!active() || keys.empty()) {
      then({});
      return;
    }
    struct pending {
      std::mutex mutex;
      std::size_t left;
      reservation found;
      std::vector<std::string> charged;
      std::function<void(reservation)> then;
    };
    auto state = std::make_shared<pending>();
    state->left = keys.size();
    state->then = std::move(then);
    for (auto& key : keys) {
      auto request = make_request(key, 1);
      request.done = [state, key, self = *this](const limits::verdict& v) {
        std::unique_lock<std::mutex> lock{state->mutex};
        if (v.rate_name.empty()) // the fail-open verdict: nobody answered
          state->found.unavailable = true;
        else if (!v.allowed)
          state->found.retry_after = std::max<int64_t>(
              {state->found.retry_after, v.retry_after_seconds, 1});
        else
          state->charged.push_back(key);
        if (--state->left > 0)
          return;
        auto found = state->found;
        lock.unlock();
        if (found.unavailable || found.retry_after > 0)
          self.refund(std::move(state->charged));
        state->then(found);
      };
      limiter_->check(std::move(request));
    }
  }

  /// Gives back the failure reserved on every key.
  void refund(std::vector<std::string> keys) const {
    if (!active())
      return;
    for (auto& key : keys) {
      auto request = make_request(std::move(key), -1);
      request.done = [](const limits::verdict&) {};
      limiter_->check(std::move(request));
    }
  }

private:
  bool active() const { return limiter_ && limit_ > 0; }

  limits::limit_request make_request(std::string key, int64_t cost) const {
    limits::limit_request request;
    request.key = std::move(key);
    request.rates = {{login_failures_rate, limit_, period_}};
    request.cost = cost;
    return request;
  }

  std::shared_ptr<const limits::limiter_region> limiter_;
  int64_t limit_;
  std::chrono::milliseconds period_;
};

/// The answer when the throttle's limiter did not answer.
http_response throttle_unavailable() {
  auto response = problem(503,
                          "logins are paused: the login throttle did not "
                          "answer; try again shortly",
                          "throttle-unavailable");
  response.headers.emplace_back("Retry-After", "5");
  return response;
}

http_response too_many_failures(int64_t retry_after) {
  auto response = problem(429,
                          "too many failed attempts; try again in " +
                              std::to_string(retry_after) + " seconds",
                          "too-many-failures");
  response.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return response;
}

/// A password check for the db worker: the presented password against a
/// stored hash, or against the dummy hash when there is none.
domain::password_verifier verifier_for(std::string password) {
  return [password = std::move(password)](
             const std::optional<std::string>& stored_hash) {
    if (!stored_hash)
      return auth::verify_against_dummy(password);
    return auth::verify_password(password, *stored_hash);
  };
}

domain::hash_producer hash_of(std::string password) {
  return [password = std::move(password)]() -> std::optional<std::string> {
    auto hash = auth::hash_password(password);
    if (!hash)
      return std::nullopt;
    return std::move(*hash);
  };
}

/// The answer when the password hasher is overloaded or not running.
http_response hasher_busy() {
  auto response =
      problem(503, "password checks are busy; try again in a second",
              "password-checks-busy");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

/// The 200 answer of login and refresh: a new access token for `account`
/// with its current role, the refresh token, and the session cookie.
http_response session_response(const auth_services& auth,
                               const storage::account_record& account,
                               const std::string& refresh_token) {
  auto granted = auth::parse_role(account.role).value_or(auth::role::viewer);
  auto ttl = whole_seconds(auth.settings.access_ttl);
  auto issued =
      auth.tokens->issue(account.id, granted, seconds{ttl}, auth::clock::now());
  if (!issued)
    return problem(500, "could not sign an access token", "internal-error");
  // This node's cache learns the account at once, also when it was created
  // on another node since the cache's last load.
  auth.credentials->put_account(
      account.id, {granted, account.active, account.password_changed_epoch});
  auto response = json_response(200, {{"access_token", issued->token},
                                      {"token_type", "bearer"},
                                      {"expires_in", ttl},
                                      {"refresh_token", refresh_token},
                                      {"role", account.role}});
  response.headers.emplace_back("Set-Cookie",
                                session_cookie_header(issued->token, ttl));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

const char* proof_name(caller::proof via) {
  switch (via) {
  case caller::proof::none:
    return "none";
  case caller::proof::bearer:
    return "bearer";
  case caller::proof::cookie:
    return "cookie";
  case caller::proof::api_key:
    return "api_key";
  case caller::proof::unchecked:
    return "unchecked";
  }
  return "none";
}

/// One login request, checked for shape.
struct login_attempt {
  std::string email;
  std::string password;
  /// Only for an account whose generated password must change.
  std::optional<std::string> new_password;
  std::string address_key; ///< the throttle key of the client's address
};

/// Stores a login whose password matched `account`'s hash (a new hash
/// first, when the password must change or was hashed under old limits;
/// both hashed on the hasher) and answers with the session. A success
/// refunds the failures reserved on `keys`.
void finish_login(caf::actor_system& sys,
                  std::shared_ptr<const auth_services> auth,
                  const login_attempt& attempt,
                  const storage::account_record& account,
                  std::vector<std::string> keys, responder reply) {
  failure_throttle throttle{*auth};
  // The password was right: what follows is no failed guess.
  throttle.refund(keys);
  if (account.must_change_password && !attempt.new_password)
    return reply(problem(
        403,
        "this account's password was generated at first start and must be "
        "changed: send the login again with \"new_password\" (at least " +
            std::to_string(min_password_chars) + " characters)",
        "password-change-required"));
  if (!account.must_change_password && attempt.new_password)
    return reply(problem(422,
                         "\"new_password\" is only taken when a generated "
                         "password must change; change a password with "
                         "POST /api/auth/password",
                         "unprocessable-entity"));
  auto refresh = auth::random_token(refresh_token_bytes);
  domain::verified_login login;
  login.account_id = account.id;
  login.verified_hash = account.password_hash;
  login.refresh_hash = auth::sha256_hex(refresh);
  login.refresh_ttl_seconds = whole_seconds(auth->settings.refresh_ttl);
  auto store = [&sys, auth, refresh, reply](domain::verified_login login) {
    run_db(
        sys, db_role::write, domain::complete_login(std::move(login)),
        [auth, refresh, reply](domain::login_outcome& out) {
          if (!out.accepted) // disabled or changed since the check
            return reply(unauthorized("wrong email or password"));
          reply(session_response(*auth, out.account, refresh));
        },
        [reply](caf::error& err) { reply(problem_from_error(err)); });
  };
  if (account.must_change_password) {
    hash_on_hasher(sys, *attempt.new_password,
                   [login, store, reply](std::optional<std::string> hash) {
                     if (!hash)
                       return reply(hasher_busy());
                     auto changed = login;
                     changed.new_hash = std::move(hash);
                     changed.password_changed = true;
                     store(std::move(changed));
                   });
    return;
  }
  if (!auth::needs_rehash(account.password_hash))
    return store(std::move(login));
  hash_on_hasher(sys, attempt.password,
                 [login, store](std::optional<std::string> hash) {
                   auto rehashed = login;
                   rehashed.new_hash = std::move(hash); // none: next time
                   store(std::move(rehashed));
                 });
}

/// Checks the password on the hasher (against the dummy hash for an
/// unknown or disabled account, so every refusal costs the same); the
/// failures reserved on `keys` stay charged unless it matches.
void check_password(caf::actor_system& sys,
                    std::shared_ptr<const auth_services> auth,
                    login_attempt attempt, storage::account_record account,
                    std::vector<std::string> keys, responder reply) {
  bool usable = !account.id.empty() && account.active;
  std::optional<std::string> hash;
  if (usable)
    hash = account.password_hash;
  auto password = attempt.password;
  verify_on_hasher(sys, std::move(password), std::move(hash),
                   [&sys, auth, attempt = std::move(attempt),
                    account = std::move(account), keys, usable,
                    reply](hash_verdict verdict) {
                     if (verdict == hash_verdict::busy) {
                       failure_throttle{*auth}.refund(keys);
                       return reply(hasher_busy());
                     }
                     if (verdict != hash_verdict::match || !usable)
                       return reply(unauthorized("wrong email or password"));
                     finish_login(sys, auth, attempt, account, keys, reply);
                   });
}

/// The part of login after the address's failure is reserved: the
/// account, a failure reserved on it, then the password check.
void login_known_address(caf::actor_system& sys,
                         std::shared_ptr<const auth_services> auth,
                         login_attempt attempt, responder reply) {
  failure_throttle throttle{*auth};
  auto address_key = attempt.address_key;
  // Keyed by the account's id, not the email as sent: every spelling that
  // finds the account counts against the same key.
  run_db(
      sys, db_role::write, domain::find_login_account(attempt.email),
      [&sys, auth, attempt, throttle, reply](storage::account_record& account) {
        if (account.id.empty())
          return check_password(sys, auth, attempt, account,
                                {attempt.address_key}, reply);
        auto account_key = "login-account:" + account.id;
        throttle.reserve({account_key}, [&sys, auth, attempt, account,
                                         account_key, throttle,
                                         reply](reservation r) {
          if (r.unavailable || r.retry_after > 0) {
            throttle.refund({attempt.address_key});
            return reply(r.unavailable ? throttle_unavailable()
                                       : too_many_failures(r.retry_after));
          }
          check_password(sys, auth, attempt, account,
                         {attempt.address_key, account_key}, reply);
        });
      },
      [address_key, throttle, reply](caf::error& err) {
        throttle.refund({address_key});
        reply(problem_from_error(err));
      });
}

void login(caf::actor_system& sys, std::shared_ptr<const auth_services> auth,
           http_request req, responder reply) {
  issues found;
  auto body = parse_object(req.body, found);
  login_attempt attempt;
  if (body) {
    auto email = required_string(*body, "email", found);
    auto password = required_string(*body, "password", found);
    auto next =
        read_string(*body, "new_password", json::array({"body"}), found);
    if (next.value)
      check_new_password(*next.value, "new_password", found);
    if (found.empty()) {
      attempt.email = std::move(*email);
      attempt.password = std::move(*password);
      attempt.new_password = std::move(next.value);
    }
  }
  if (!found.empty())
    return reply(found.response());
  // No password that long was ever accepted; refusing it before the lookup
  // keeps its answer time the same for known and unknown emails.
  if (attempt.password.size() > auth::max_password_bytes)
    return reply(unauthorized("wrong email or password"));
  attempt.address_key = "login-ip:" + address_group(req.client_address);
  failure_throttle throttle{*auth};
  auto keys = std::vector<std::string>{attempt.address_key};
  throttle.reserve(std::move(keys), [&sys, auth, attempt = std::move(attempt),
                                     reply](reservation r) mutable {
    if (r.unavailable)
      return reply(throttle_unavailable());
    if (r.retry_after > 0)
      return reply(too_many_failures(r.retry_after));
    login_known_address(sys, auth, std::move(attempt), std::move(reply));
  });
}

void refresh(caf::actor_system& sys, std::shared_ptr<const auth_services> auth,
             http_request req, responder reply) {
  issues found;
  auto body = parse_object(req.body, found);
  std::optional<std::string> token;
  if (body)
    token = required_string(*body, "refresh_token", found);
  if (!found.empty())
    return reply(found.response());
  auto fresh = auth::random_token(refresh_token_bytes);
  auto work =
      domain::rotate_session(auth::sha256_hex(*token), auth::sha256_hex(fresh),
                             whole_seconds(auth->settings.refresh_ttl));
  call_db(sys, db_role::write, std::move(work), std::move(reply),
          [auth, fresh](storage::refresh_rotation& r) {
            using storage::rotation_result;
            switch (r.result) {
            case rotation_result::rotated:
              return session_response(*auth, *r.account, fresh);
            case rotation_result::unknown:
              return unauthorized("unknown refresh token");
            case rotation_result::expired:
              return unauthorized("refresh token expired; log in again");
            case rotation_result::replayed:
              // Also what a token revoked by logout, a password change or an
              // admin looks like: the row cannot tell these apart.
              return unauthorized(
                  "refresh token is no longer valid (used before, "
                  "logged out or ended); log in again");
            case rotation_result::account_inactive:
              return unauthorized("account disabled");
            }
            return unauthorized("unknown refresh token");
          });
}

void logout(caf::actor_system& sys, std::shared_ptr<const auth_services> auth,
            http_request req, responder reply) {
  auto respond = [reply](http_response response) {
    response.headers.emplace_back("Set-Cookie", session_cookie_header("", 0));
    reply(std::move(response));
  };
  std::optional<std::string> refresh_hash;
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    issues found;
    auto body = parse_object(req.body, found);
    if (body) {
      auto f =
          read_string(*body, "refresh_token", json::array({"body"}), found);
      if (f.value)
        refresh_hash = auth::sha256_hex(*f.value);
    }
    if (!found.empty())
      return respond(found.response());
  }
  std::optional<std::string> jti;
  int64_t expires_epoch = 0;
  if (!req.who.token_id.empty()) {
    jti = req.who.token_id;
    auto expires = req.who.token_expires;
    if (expires.time_since_epoch().count() == 0)
      expires = auth::clock::now() + auth->settings.access_ttl;
    expires_epoch = duration_cast<seconds>(expires.time_since_epoch()).count();
    // Refused on this node from now on, before the database knows.
    auth->credentials->revoke(*jti);
  }
  if (!refresh_hash && !jti)
    return respond(no_content());
  call_db(sys, db_role::write,
          domain::end_session(refresh_hash, jti, expires_epoch), respond,
          [](bool&) { return no_content(); });
}

void me(caf::actor_system& sys, http_request req, responder reply) {
  const auto& who = req.who;
  json body{{"subject", who.subject},
            {"role", who.role ? json(std::string{auth::to_string(*who.role)})
                              : json(nullptr)},
            {"via", proof_name(who.via)}};
  auto id = caller_account(who);
  if (!id)
    return reply(json_response(200, body));
  run_db(
      sys, db_role::read, domain::get_account(*id),
      [body, reply](storage::account_record& a) {
        auto with_email = body;
        with_email["email"] = a.email;
        reply(json_response(200, with_email));
      },
      [body, reply](caf::error& err) {
        if (err.category() == caf::atom("domain"))
          return reply(json_response(200, body)); // account gone since
        reply(problem_from_error(err));
      });
}

void change_password(caf::actor_system& sys,
                     std::shared_ptr<const auth_services> auth,
                     http_request req, responder reply) {
  auto id = caller_account(req.who);
  if (!id)
    return reply(problem(403,
                         "only accounts that logged in with a password can "
                         "change it; API keys have none",
                         "forbidden"));
  issues found;
  auto body = parse_object(req.body, found);
  std::optional<std::string> current, next;
  if (body) {
    current = required_string(*body, "current_password", found);
    next = required_string(*body, "new_password", found);
    if (next)
      check_new_password(*next, "new_password", found);
  }
  if (!found.empty())
    return reply(found.response());
  // A wrong current password counts as a failed login of this account, so
  // a stolen access token cannot be used to guess the password freely.
  std::vector<std::string> keys{"password-account:" + *id,
                                "login-ip:" +
                                    address_group(req.client_address)};
  failure_throttle throttle{*auth};
  throttle.reserve(keys, [&sys, auth, keys, throttle, id = *id,
                          current = std::move(*current),
                          next = std::move(*next), reply](reservation r) {
    if (r.unavailable)
      return reply(throttle_unavailable());
    if (r.retry_after > 0)
      return reply(too_many_failures(r.retry_after));
    call_db(sys, db_role::write,
            domain::change_password(id, verifier_for(current), hash_of(next)),
            reply,
            [auth, id, keys, throttle](domain::password_change_result& r) {
              if (r != domain::password_change_result::changed)
                return problem(403, "the current password is wrong",
                               "wrong-password");
              throttle.refund(keys);
              // This node refuses the older tokens at once; the others
              // from their next credential load.
              auth->credentials->password_changed(
                  id, std::chrono::duration_cast<seconds>(
                          auth::clock::now().time_since_epoch())
                          .count());
              return no_content();
            });
  });
}

/// The public POSTs take only JSON: a cross-site HTML form can send
/// text/plain without a preflight (login CSRF), never application/json.
/// A POST without any body and type (a bare logout) is no form.
handler json_only(handler next) {
  return [next = std::move(next)](http_request req, responder reply) {
    auto type = req.header("Content-Type");
    if (!is_json_content_type(type) && !(type.empty() && req.body.empty()))
      return reply(problem(415,
                           "send the body as 'Content-Type: "
                           "application/json'",
                           "unsupported-media-type"));
    next(std::move(req), std::move(reply));
  };
}

} // namespace

void add_auth_routes(router& routes, caf::actor_system& sys,
                     std::shared_ptr<const auth_services> auth) {
  routes.add("POST", "/api/auth/login", access::anyone_limited,
             json_only([&sys, auth](http_request req, responder reply) {
               login(sys, auth, std::move(req), std::move(reply));
             }));
  routes.add("POST", "/api/auth/refresh", access::anyone_limited,
             json_only([&sys, auth](http_request req, responder reply) {
               refresh(sys, auth, std::move(req), std::move(reply));
             }));
  routes.add("POST", "/api/auth/logout", access::anyone_limited,
             json_only([&sys, auth](http_request req, responder reply) {
               logout(sys, auth, std::move(req), std::move(reply));
             }));
  routes.add("GET", "/api/auth/me", access::viewer,
             [&sys](http_request req, responder reply) {
               me(sys, std::move(req), std::move(reply));
             });
  routes.add("POST", "/api/auth/password", access::viewer,
             [&sys, auth](http_request req, responder reply) {
               change_password(sys, auth, std::move(req), std::move(reply));
             });
}

} // namespace cdpd::net
