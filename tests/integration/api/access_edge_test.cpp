// The access guard on the real API routes: roles per route, every way of
// presenting credentials, token attacks and rate limits, through a real
// HTTP server on loopback with the real limiter actors.
#include <atomic>
#include <chrono>
#include <ctime>
#include <future>
#include <optional>
#include <string>
#include <strings.h>
#include <utility>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/limits/limiter_region.hpp"
#include "net/access/access_guard.hpp"
#include "net/api/system_routes.hpp"
#include "net/auth/api_key.hpp"
#include "net/auth/secrets.hpp"
#include "net/http/problem.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace cdpd::test {
namespace {

using namespace std::chrono_literals;
using net::auth::role;

constexpr const char* signing_key = "0123456789abcdef0123456789abcdef-test-key";
constexpr int hosts = 2;

struct access_setup {
  std::string anonymous_role = "none";
  config::ratelimit_settings limits = [] {
    config::ratelimit_settings s;
    s.enabled = false;
    return s;
  }();
};

/// What the guard shares with the tests; a base constructed before
/// api_fixture, whose constructor makes the guard.
struct access_parts {
  std::shared_ptr<net::auth_services> services;
  std::vector<caf::actor> limiter_hosts;
};

/// The API fixture behind a real access guard.
class access_edge : protected access_parts, public api_fixture {
protected:
  explicit access_edge(access_setup setup = {})
      : api_fixture([this, setup](caf::actor_system& sys) {
          return make_guard(sys, setup);
        }) {
    // Public routes: who the guard found, with and without a limit.
    auto who = [](net::http_request request, net::responder respond) {
      respond(
          net::json_response(200, {{"via", static_cast<int>(request.who.via)},
                                   {"subject", request.who.subject}}));
    };
    routes->add("GET", "/open", net::access::anyone, who);
    routes->add("GET", "/open-limited", net::access::anyone_limited, who);
  }

  ~access_edge() override {
    // The region must end before the actor system, which api_fixture
    // owns and ends before this base's services.
    if (services)
      services->limiter.reset();
    for (int i = 0; i < hosts; ++i)
      sys->registry().erase(
          caf::atom_from_string(actors::limits::limiter_host_name(i)));
    for (auto& host : limiter_hosts)
      caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
  }

  std::shared_ptr<const net::route_guard>
  make_guard(caf::actor_system& sys, const access_setup& setup) {
    services = std::make_shared<net::auth_services>();
    services->settings.anonymous_role = setup.anonymous_role;
    services->tokens =
        std::make_shared<net::auth::jwt_codec>(signing_key, "cdpd");
    services->credentials = std::make_shared<net::credential_cache>();
    actors::limits::limiter_options options;
    options.hosts = hosts;
    for (int i = 0; i < hosts; ++i) {
      limiter_hosts.push_back(caf::actor_cast<caf::actor>(
          actors::limits::spawn_limiter_host(sys, i, options)));
      sys.registry().put(
          caf::atom_from_string(actors::limits::limiter_host_name(i)),
          caf::actor_cast<caf::strong_actor_ptr>(limiter_hosts.back()));
    }
    services->limiter =
        std::make_shared<actors::limits::limiter_region>(sys, hosts);
    return net::make_access_guard(services, setup.limits);
  }

  /// An access token for account `subject` with `granted`.
  std::string
  token(const std::string& subject, role granted,
        std::chrono::seconds ttl = 300s,
        net::auth::clock::time_point at = net::auth::clock::now()) const {
    auto issued = services->tokens->issue(subject, granted, ttl, at);
    EXPECT_TRUE(issued);
    return issued ? issued->token : std::string{};
  }

  http_reply as(const std::string& bearer, const std::string& method,
                const std::string& target, const std::string& body = {}) {
    header_list headers{{"Authorization", "Bearer " + bearer}};
    if (!body.empty())
      headers.emplace_back("Content-Type", "application/json");
    return http_call(port, method, target, body, headers);
  }

  static std::string header(const http_reply& reply, const std::string& name) {
    for (const auto& [key, value] : reply.headers)
      if (strcasecmp(key.c_str(), name.c_str()) == 0)
        return value;
    return {};
  }
};

struct route_case {
  const char* method;
  const char* target;
  const char* body;
  std::optional<role> need;
};

const std::vector<route_case>& matrix() {
  static const std::vector<route_case> cases{
      {"GET", "/api/users/", "", role::viewer},
      {"GET", "/api/segments/", "", role::viewer},
      {"GET", "/api/metrics/dashboard", "", role::viewer},
      {"POST", "/api/users/", "{}", role::manager},
      {"POST", "/api/segments/", "{}", role::manager},
      {"POST", "/api/campaigns/", "{}", role::manager},
      {"DELETE", "/api/flows/00000000-0000-4000-8000-000000000000", "",
       role::manager},
      {"POST", "/api/import/customers", "{}", role::manager},
      {"POST", "/api/ai/segments/build", "{}", role::manager},
      {"GET", "/admin/actors", "", role::admin},
      {"GET", "/admin/breakers", "", role::admin},
  };
  return cases;
}

class access_matrix : public access_edge {};

TEST_F(access_matrix, each_role_gets_exactly_the_routes_it_may_use) {
  for (auto have : {role::viewer, role::manager, role::admin}) {
    auto bearer = token("acct-" + std::string{to_string(have)}, have);
    for (const auto& c : matrix()) {
      auto reply = as(bearer, c.method, c.target, c.body);
      bool allowed = net::auth::allows(have, *c.need);
      SCOPED_TRACE(std::string{to_string(have)} + " " + c.method + " " +
                   c.target + " -> " + std::to_string(reply.status) + " " +
                   reply.body);
      if (allowed) {
        EXPECT_NE(reply.status, 401);
        EXPECT_NE(reply.status, 403);
      } else {
        EXPECT_EQ(reply.status, 403);
        EXPECT_NE(reply.body.find("needs the " +
                                  std::string{to_string(*c.need)} + " role"),
                  std::string::npos);
      }
    }
  }
}

TEST_F(access_matrix, without_credentials_only_public_routes_answer) {
  for (const auto& c : matrix()) {
    auto reply = call(c.method, c.target, c.body);
    SCOPED_TRACE(std::string{c.method} + " " + c.target);
    EXPECT_EQ(reply.status, 401);
    EXPECT_EQ(header(reply, "WWW-Authenticate"), "Bearer realm=\"cdpd\"");
  }
}

class anonymous_viewer : public access_edge {
protected:
  anonymous_viewer()
      : access_edge([] {
          access_setup s;
          s.anonymous_role = "viewer";
          return s;
        }()) {}
};

TEST_F(anonymous_viewer, grants_reads_and_refuses_writes) {
  EXPECT_EQ(call("GET", "/api/users/").status, 200);
  auto write = call("POST", "/api/users/", "{}");
  EXPECT_EQ(write.status, 403);
  EXPECT_NE(write.body.find("needs the manager role"), std::string::npos);
  // Credentials that are presented are still checked.
  EXPECT_EQ(as("not-a-token", "GET", "/api/users/").status, 401);
}

class token_attacks : public access_edge {};

TEST_F(token_attacks, are_refused_with_401_and_invalid_token) {
  auto good = token("acct-1", role::admin);
  EXPECT_EQ(as(good, "GET", "/api/users/").status, 200);

  std::vector<std::pair<std::string, std::string>> attacks;
  attacks.emplace_back(
      "alg none", net::auth::base64url(R"({"alg":"none","typ":"JWT"})") + "." +
                      net::auth::base64url(nlohmann::json{
                          {"iss", "cdpd"},
                          {"sub", "acct-1"},
                          {"role", "admin"},
                          {"jti", "x"},
                          {"iat", std::time(nullptr)},
                          {"exp", std::time(nullptr) +
                                      300}}.dump()) +
                      ".");
  net::auth::jwt_codec other_key{"another-key-of-at-least-32-bytes-long!!",
                                 "cdpd"};
  attacks.emplace_back(
      "wrong key",
      other_key.issue("acct-1", role::admin, 300s, net::auth::clock::now())
          ->token);
  net::auth::jwt_codec other_issuer{signing_key, "someone-else"};
  attacks.emplace_back(
      "wrong issuer",
      other_issuer.issue("acct-1", role::admin, 300s, net::auth::clock::now())
          ->token);
  attacks.emplace_back("expired", token("acct-1", role::admin, 10s,
                                        net::auth::clock::now() - 1h));
  attacks.emplace_back("not yet valid", token("acct-1", role::admin, 300s,
                                              net::auth::clock::now() + 1h));
  {
    // A viewer token whose payload claims admin, signature unchanged.
    auto viewer = token("acct-1", role::viewer);
    auto first = viewer.find('.');
    auto second = viewer.find('.', first + 1);
    auto payload = nlohmann::json{{"iss", "cdpd"},
                                  {"sub", "acct-1"},
                                  {"role", "admin"},
                                  {"jti", "y"},
                                  {"iat", std::time(nullptr)},
                                  {"exp", std::time(nullptr) + 300}};
    attacks.emplace_back("tampered", viewer.substr(0, first + 1) +
                                         net::auth::base64url(payload.dump()) +
                                         viewer.substr(second));
  }
  attacks.emplace_back("garbage", "abc.def.ghi");
  for (const auto& [name, bad] : attacks) {
    SCOPED_TRACE(name);
    auto reply = as(bad, "GET", "/api/users/");
    EXPECT_EQ(reply.status, 401) << reply.body;
    EXPECT_NE(header(reply, "WWW-Authenticate").find("invalid_token"),
              std::string::npos);
    // Public routes ignore bad credentials rather than refusing them.
    auto open = as(bad, "GET", "/open");
    EXPECT_EQ(open.status, 200);
    EXPECT_EQ(body_of(open)["via"], static_cast<int>(net::caller::proof::none));
  }
}

TEST_F(token_attacks, revoked_and_disabled_and_demoted_take_effect_at_once) {
  auto issued = services->tokens->issue("acct-2", role::admin, 300s,
                                        net::auth::clock::now());
  ASSERT_TRUE(issued);
  EXPECT_EQ(as(issued->token, "GET", "/api/users/").status, 200);
  services->credentials->put_account("acct-2", {role::viewer, true});
  EXPECT_EQ(as(issued->token, "POST", "/api/users/", "{}").status, 403);
  EXPECT_EQ(as(issued->token, "GET", "/api/users/").status, 200);
  services->credentials->put_account("acct-2", {role::admin, false});
  EXPECT_EQ(as(issued->token, "GET", "/api/users/").status, 401);
  services->credentials->put_account("acct-2", {role::admin, true});
  EXPECT_EQ(as(issued->token, "GET", "/api/users/").status, 200);
  services->credentials->revoke(issued->jti);
  auto revoked = as(issued->token, "GET", "/api/users/");
  EXPECT_EQ(revoked.status, 401);
  EXPECT_NE(revoked.body.find("revoked"), std::string::npos);
}

// A token outlives neither its account nor its password: a credential load
// that began well after the token was issued and did not find the account
// means there is none (a row deleted behind the API's back), and a password
// changed after the token's second ends it.
TEST_F(token_attacks, tokens_of_unknown_accounts_and_older_passwords_fail) {
  auto now = net::auth::clock::now();
  auto old = token("ghost", role::admin, 300s, now - 60s);
  auto fresh = token("ghost", role::admin, 300s, now);
  // No load since the tokens were issued: a new account on another node.
  EXPECT_EQ(as(old, "GET", "/api/users/").status, 200);
  net::credential_cache::snapshot loaded;
  loaded.loaded_at = now;
  services->credentials->replace(loaded, std::chrono::steady_clock::now());
  auto refused = as(old, "GET", "/api/users/");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("the token's account does not exist"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(as(fresh, "GET", "/api/users/").status, 200);

  auto before = token("acct-3", role::admin, 300s, now - 2s);
  auto after = token("acct-3", role::admin, 300s, now);
  auto changed =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
          .count();
  services->credentials->put_account("acct-3", {role::admin, true, changed});
  auto ended = as(before, "GET", "/api/users/");
  EXPECT_EQ(ended.status, 401);
  EXPECT_NE(ended.body.find("password changed after this token"),
            std::string::npos)
      << ended.body;
  EXPECT_EQ(as(after, "GET", "/api/users/").status, 200);
}

TEST_F(token_attacks, api_keys_work_in_either_header_and_only_when_exact) {
  auto key = net::auth::generate_api_key();
  services->credentials->put_api_key(key.prefix,
                                     {"key-1", key.hash, role::manager});
  auto uses = std::make_shared<std::atomic<int>>(0);
  services->api_key_used = [uses](const std::string& id) {
    EXPECT_EQ(id, "key-1");
    ++*uses;
  };
  EXPECT_EQ(as(key.key, "GET", "/api/users/").status, 200);
  EXPECT_EQ(http_call(port, "GET", "/api/users/", {}, {{"X-API-Key", key.key}})
                .status,
            200);
  EXPECT_EQ(as(key.key, "GET", "/admin/actors").status, 403);
  // The last-used time is written at most once a minute per key.
  EXPECT_EQ(uses->load(), 1);
  auto wrong = key.key;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(as(wrong, "GET", "/api/users/").status, 401);
  services->credentials->remove_api_key_by_id("key-1");
  EXPECT_EQ(as(key.key, "GET", "/api/users/").status, 401);
}

TEST_F(token_attacks, the_session_cookie_needs_json_for_posts) {
  auto cookie = "cdpd_session=" + token("acct-3", role::manager);
  EXPECT_EQ(
      http_call(port, "GET", "/api/users/", {}, {{"Cookie", "a=b; " + cookie}})
          .status,
      200);
  auto form =
      http_call(port, "POST", "/api/users/", "email=x",
                {{"Cookie", cookie},
                 {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 403);
  EXPECT_NE(form.body.find("Content-Type: application/json"),
            std::string::npos);
  auto json = http_call(port, "POST", "/api/users/", "{}",
                        {{"Cookie", cookie},
                         {"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(json.status, 422) << json.body;
}

TEST_F(token_attacks, a_refused_import_gets_no_100_continue) {
  raw_connection conn{port};
  ASSERT_TRUE(
      conn.send("POST /api/import/customers HTTP/1.1\r\n"
                "Host: x\r\nContent-Type: application/x-ndjson\r\n"
                "Content-Length: 1000\r\nExpect: 100-continue\r\n\r\n"));
  auto reply = conn.read_reply(5s, false, true);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 401);
}

class rate_limits : public access_edge {
protected:
  rate_limits()
      : access_edge([] {
          access_setup s;
          s.limits.enabled = true;
          s.limits.general_per_hour = 0;
          s.limits.general_per_minute = 5;
          s.limits.campaign_create_per_minute = 2;
          return s;
        }()) {}
};

TEST_F(rate_limits, let_exactly_the_limit_through_then_429_per_caller) {
  auto alice = token("alice", role::manager);
  auto bob = token("bob", role::manager);
  for (int i = 0; i < 5; ++i) {
    auto reply = as(alice, "GET", "/api/users/");
    ASSERT_EQ(reply.status, 200) << i;
    EXPECT_EQ(header(reply, "RateLimit-Limit"), "5");
    EXPECT_EQ(header(reply, "RateLimit-Remaining"), std::to_string(4 - i));
    EXPECT_FALSE(header(reply, "RateLimit-Reset").empty());
  }
  auto refused = as(alice, "GET", "/api/users/");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(header(refused, "RateLimit-Remaining"), "0");
  auto retry = std::stoi(header(refused, "Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 12); // one request's share of a minute, rounded up
  // Bob has his own budget.
  EXPECT_EQ(as(bob, "GET", "/api/users/").status, 200);
  // The budget is per caller, not per route.
  EXPECT_EQ(as(alice, "GET", "/api/segments/").status, 429);
  // Unlimited routes stay open, and still know who is calling.
  auto open = as(alice, "GET", "/open");
  EXPECT_EQ(open.status, 200);
  EXPECT_EQ(body_of(open)["subject"], "alice");
}

TEST_F(rate_limits, a_route_class_has_its_own_limit_on_top) {
  auto carol = token("carol", role::manager);
  std::vector<int> statuses;
  for (int i = 0; i < 3; ++i)
    statuses.push_back(as(carol, "POST", "/api/campaigns/", "{}").status);
  EXPECT_NE(statuses[0], 429);
  EXPECT_NE(statuses[1], 429);
  EXPECT_EQ(statuses[2], 429);
  // The general budget still has room for other routes.
  EXPECT_EQ(as(carol, "GET", "/api/users/").status, 200);
}

class ai_limits : public access_edge {
protected:
  ai_limits()
      : access_edge([] {
          access_setup s;
          s.limits.enabled = true;
          s.limits.general_per_hour = 0;
          s.limits.general_per_minute = 0;
          s.limits.ai_generate_per_minute = 5;
          return s;
        }()) {}
};

TEST_F(ai_limits, every_ai_route_shares_five_a_minute_per_caller) {
  auto erin = token("erin", role::manager);
  const std::pair<const char*, const char*> calls[] = {
      {"/api/ai/segments/build", R"({"prompt": "customers in Texas"})"},
      {"/api/ai/chat", R"({"prompt": "who should I email?"})"},
      {"/api/ai/flows/generate-content",
       R"({"segment_description": "VIP", "step_type": "SEND_EMAIL",
           "step_number": 1})"},
      {"/api/ai/segments/build", R"({"prompt": "opted in"})"},
      {"/api/ai/chat", R"({"prompt": "VIPs"})"},
  };
  for (const auto& [target, body] : calls)
    EXPECT_EQ(as(erin, "POST", target, body).status, 200) << target;
  auto sixth = as(erin, "POST", "/api/ai/segments/build",
                  R"({"prompt": "repeat customers"})");
  EXPECT_EQ(sixth.status, 429);
  EXPECT_FALSE(header(sixth, "Retry-After").empty());
  // A question answered before comes from the cache and costs no token.
  EXPECT_EQ(as(erin, "POST", "/api/ai/segments/build",
               R"({"prompt": "Customers in  Texas"})")
                .status,
            200);
  // Another caller has a budget of its own; other routes are not counted.
  auto frank = token("frank", role::manager);
  EXPECT_EQ(as(frank, "POST", "/api/ai/chat", R"({"prompt": "hi"})").status,
            200);
  EXPECT_EQ(as(erin, "GET", "/api/users/").status, 200);
}

TEST_F(rate_limits, anonymous_clients_are_limited_by_address) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(call("GET", "/open-limited").status, 200) << i;
  EXPECT_EQ(call("GET", "/open-limited").status, 429);
  // A caller with credentials is counted on its own account.
  EXPECT_EQ(as(token("dave", role::viewer), "GET", "/open-limited").status,
            200);
}

class metrics_exposure : public access_edge {
protected:
  /// GET /metrics as the server would pass it on for a client at `address`.
  int metrics_status(const std::string& address,
                     const std::string& bearer = {}) {
    auto match = routes->match("GET", "/metrics");
    EXPECT_TRUE(match.target);
    net::http_request request;
    request.method = "GET";
    request.target = request.path = "/metrics";
    request.client_address = address;
    if (!bearer.empty())
      request.headers.emplace_back("Authorization", "Bearer " + bearer);
    std::promise<int> status;
    (*match.target)(request, [&status](net::http_response response) {
      status.set_value(response.status);
    });
    return status.get_future().get();
  }
};

TEST_F(metrics_exposure, other_hosts_need_credentials_by_default) {
  net::add_system_routes(*routes, *sys,
                         std::make_shared<prometheus::Registry>(), {});
  EXPECT_EQ(http_call(port, "GET", "/metrics").status, 200)
      << "a Prometheus on the node's own host";
  EXPECT_EQ(metrics_status("127.0.0.1"), 200);
  EXPECT_EQ(metrics_status("::1"), 200);
  EXPECT_EQ(metrics_status("198.51.100.7"), 401);
  EXPECT_EQ(metrics_status("2001:db8::7"), 401);
  EXPECT_EQ(metrics_status("::ffff:198.51.100.7"), 401);
  EXPECT_EQ(metrics_status("198.51.100.7", token("acct-1", role::viewer)), 200);
}

TEST_F(metrics_exposure, true_serves_every_host) {
  net::system_routes_options options;
  options.metrics = net::metrics_exposure::everyone;
  net::add_system_routes(*routes, *sys,
                         std::make_shared<prometheus::Registry>(), options);
  EXPECT_EQ(metrics_status("198.51.100.7"), 200);
}

TEST_F(metrics_exposure, false_needs_credentials_even_on_loopback) {
  net::system_routes_options options;
  options.metrics = net::metrics_exposure::nobody;
  net::add_system_routes(*routes, *sys,
                         std::make_shared<prometheus::Registry>(), options);
  EXPECT_EQ(metrics_status("127.0.0.1"), 401);
  EXPECT_EQ(metrics_status("127.0.0.1", token("acct-1", role::viewer)), 200);
}

} // namespace
} // namespace cdpd::test
