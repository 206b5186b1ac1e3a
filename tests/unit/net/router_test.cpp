#include "net/http/router.hpp"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

using outcome = route_match::outcome;

// A handler that answers with its own name, so a test can tell which route
// matched by calling it.
handler named(std::string name) {
  return [name](http_request, responder reply) {
    http_response response;
    response.body = name;
    reply(std::move(response));
  };
}

std::string call(const route_match& match) {
  std::string body;
  (*match.target)(http_request{},
                  [&](http_response response) { body = response.body; });
  return body;
}

class router_test : public ::testing::Test {
protected:
  router_test() {
    routes.add("GET", "/", net::access::anyone, named("root"));
    routes.add("GET", "/api/users", net::access::anyone, named("list users"));
    routes.add("POST", "/api/users/", net::access::anyone,
               named("create user"));
    routes.add("GET", "/api/users/{id}", net::access::anyone,
               named("get user"));
    routes.add("DELETE", "/api/users/{id}", net::access::anyone,
               named("delete user"));
    routes.add("GET", "/api/users/me", net::access::anyone, named("me"));
    routes.add("GET", "/api/flows/{id}/steps/{step_id}", net::access::anyone,
               named("get step"));
    routes.add("PUT", "/api/flows/{flow}/steps/{step}", net::access::anyone,
               named("put step"));
    routes.add("GET", "/api/a/b/c", net::access::anyone, named("literal abc"));
    routes.add("GET", "/api/a/{x}/d", net::access::anyone, named("param d"));
  }

  router routes;
};

TEST_F(router_test, matches_literal_routes) {
  auto match = routes.match("GET", "/api/users");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_TRUE(static_cast<bool>(match));
  EXPECT_EQ(call(match), "list users");
  EXPECT_EQ(match.route, "/api/users");
  EXPECT_TRUE(match.params.empty());
}

TEST_F(router_test, matches_the_root) {
  auto match = routes.match("GET", "/");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "root");
  EXPECT_EQ(match.route, "/");
}

TEST_F(router_test, captures_parameters) {
  auto match = routes.match("GET", "/api/users/42");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "get user");
  EXPECT_EQ(match.route, "/api/users/{id}");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params.at("id"), "42");
}

TEST_F(router_test, captures_nested_parameters) {
  auto match = routes.match("GET", "/api/flows/f-1/steps/7");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "get step");
  EXPECT_EQ(match.route, "/api/flows/{id}/steps/{step_id}");
  EXPECT_EQ(match.params.at("id"), "f-1");
  EXPECT_EQ(match.params.at("step_id"), "7");
}

TEST_F(router_test, parameter_names_belong_to_each_route) {
  auto match = routes.match("PUT", "/api/flows/f-1/steps/7");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "put step");
  EXPECT_EQ(match.params.at("flow"), "f-1");
  EXPECT_EQ(match.params.at("step"), "7");
  EXPECT_EQ(match.params.count("id"), 0u);
}

TEST_F(router_test, trailing_slash_is_insignificant_on_the_path) {
  auto match = routes.match("GET", "/api/users/");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "list users");
  auto param = routes.match("GET", "/api/users/42/");
  ASSERT_EQ(param.result, outcome::found);
  EXPECT_EQ(param.params.at("id"), "42");
}

TEST_F(router_test, trailing_slash_is_insignificant_on_the_pattern) {
  // Declared as "/api/users/".
  auto match = routes.match("POST", "/api/users");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "create user");
  EXPECT_EQ(match.route, "/api/users");
}

TEST_F(router_test, literal_segment_wins_over_parameter) {
  auto match = routes.match("GET", "/api/users/me");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "me");
  EXPECT_TRUE(match.params.empty());
}

TEST_F(router_test, dead_end_literal_falls_back_to_parameter) {
  auto literal = routes.match("GET", "/api/a/b/c");
  ASSERT_EQ(literal.result, outcome::found);
  EXPECT_EQ(call(literal), "literal abc");
  auto param = routes.match("GET", "/api/a/b/d");
  ASSERT_EQ(param.result, outcome::found);
  EXPECT_EQ(call(param), "param d");
  EXPECT_EQ(param.params.at("x"), "b");
}

TEST_F(router_test, method_of_a_parameter_route_reaches_past_a_literal) {
  // "/api/users/me" only has GET; DELETE still finds "/api/users/{id}".
  auto match = routes.match("DELETE", "/api/users/me");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "delete user");
  EXPECT_EQ(match.params.at("id"), "me");
}

TEST_F(router_test, unknown_paths_are_not_found) {
  for (const char* path : {"/nope", "/api", "/api/users/1/extra", "/api//users",
                           "/api/flows/1/steps", "", "api"}) {
    auto match = routes.match("GET", path);
    EXPECT_EQ(match.result, outcome::not_found) << path;
    EXPECT_FALSE(static_cast<bool>(match));
    EXPECT_EQ(match.target, nullptr);
  }
}

TEST_F(router_test, wrong_method_lists_allowed_methods_sorted) {
  auto match = routes.match("PATCH", "/api/users");
  ASSERT_EQ(match.result, outcome::method_not_allowed);
  EXPECT_EQ(match.allow, "GET, HEAD, POST");
  auto param = routes.match("POST", "/api/users/42");
  ASSERT_EQ(param.result, outcome::method_not_allowed);
  EXPECT_EQ(param.allow, "DELETE, GET, HEAD");
}

TEST_F(router_test, head_falls_back_to_get) {
  auto match = routes.match("HEAD", "/api/users/42");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "get user");
  EXPECT_EQ(routes.match("HEAD", "/api/users/42/nope").result,
            outcome::not_found);
}

TEST_F(router_test, explicit_head_route_wins_over_get) {
  routes.add("HEAD", "/api/users", net::access::anyone, named("head users"));
  auto match = routes.match("HEAD", "/api/users");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(call(match), "head users");
}

TEST_F(router_test, head_without_get_is_not_allowed) {
  auto match = routes.match("HEAD", "/api/users/1");
  EXPECT_EQ(match.result, outcome::found); // via GET
  router post_only;
  post_only.add("POST", "/submit", net::access::anyone, named("submit"));
  auto head = post_only.match("HEAD", "/submit");
  ASSERT_EQ(head.result, outcome::method_not_allowed);
  EXPECT_EQ(head.allow, "POST");
}

TEST_F(router_test, segments_are_percent_decoded_one_by_one) {
  auto match = routes.match("GET", "/api/users/a%2Fb%20c");
  ASSERT_EQ(match.result, outcome::found);
  EXPECT_EQ(match.params.at("id"), "a/b c");
  auto literal = routes.match("GET", "/api/%75sers");
  ASSERT_EQ(literal.result, outcome::found);
  EXPECT_EQ(call(literal), "list users");
}

TEST_F(router_test, malformed_escape_never_matches) {
  EXPECT_EQ(routes.match("GET", "/api/users/%zz").result, outcome::not_found);
  EXPECT_EQ(routes.match("GET", "/api/users/%4").result, outcome::not_found);
}

TEST(router, rejects_malformed_patterns) {
  router routes;
  auto noop = [](http_request, responder) {};
  EXPECT_THROW(routes.add("GET", "", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "api/users", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "/api//users", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "/api/{}", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "/api/{id", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "/api/x{id}", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("GET", "/a/{id}/b/{id}", net::access::anyone, noop),
               std::invalid_argument);
  EXPECT_THROW(routes.add("", "/a", net::access::anyone, noop),
               std::invalid_argument);
}

TEST(router, rejects_duplicate_routes) {
  router routes;
  auto noop = [](http_request, responder) {};
  routes.add("GET", "/api/users/{id}", net::access::anyone, noop);
  EXPECT_THROW(
      routes.add("GET", "/api/users/{user}/", net::access::anyone, noop),
      std::invalid_argument);
  EXPECT_NO_THROW(
      routes.add("PUT", "/api/users/{user}", net::access::anyone, noop));
}

TEST(router, empty_router_finds_nothing) {
  router routes;
  EXPECT_EQ(routes.match("GET", "/").result, outcome::not_found);
}

} // namespace
} // namespace cdpd::net
