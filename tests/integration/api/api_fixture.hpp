#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/settings.hpp"
#include "net/auth/link_token.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"
#include "storage/pg_pool.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// A migrated test database behind real db actors registered as "pg-write"
/// and "pg-read", and an in-process HTTP server with the API routes on a
/// free port.
class api_fixture : public ::testing::Test {
protected:
  /// Makes the router's guard once the actor system exists.
  using guard_factory = std::function<std::shared_ptr<const net::route_guard>(
      caf::actor_system&)>;

  api_fixture();

  /// A fixture whose routes (the API and /admin) run behind the guard
  /// `make_guard` returns.
  explicit api_fixture(guard_factory make_guard);

  /// A fixture whose AI routes use `ai` (a provider when it names one)
  /// and, with `admin`, that also routes /admin without a guard.
  api_fixture(guard_factory make_guard, config::ai_settings ai, bool admin);
  ~api_fixture() override;

  /// Sends a request (a body is sent as application/json).
  http_reply call(const std::string& method, const std::string& target,
                  const std::string& body = {});

  /// Sends a request with a JSON body and parses the response body.
  nlohmann::json call_json(const std::string& method, const std::string& target,
                           const nlohmann::json& body, int expected_status);

  /// Parses a response body (fails the test on invalid JSON).
  static nlohmann::json body_of(const http_reply& reply);

  /// Creates a customer through the API and returns its JSON.
  nlohmann::json make_user(const std::string& email);

  /// Creates a segment directly in the database; returns its id.
  std::string make_segment(const std::string& name);

  /// Creates a product through the API and returns its JSON.
  nlohmann::json make_product(const std::string& name, double price);

  /// Runs SQL on the test database and returns the first column of the
  /// first row as text.
  std::string sql_value(const std::string& sql);

  pg_test_db db;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor write_actor;
  caf::actor read_actor;
  std::shared_ptr<net::router> routes;
  /// Signs the tokens of /u and /t links (also routed).
  std::shared_ptr<const net::auth::link_signer> links =
      std::make_shared<const net::auth::link_signer>(
          "api-fixture-link-key-of-at-least-32-bytes");
  std::unique_ptr<net::http_server> server;
  uint16_t port = 0;
};

/// True when `text` is a canonical UUID.
bool looks_like_uuid(const std::string& text);

/// True when `text` is "YYYY-MM-DDTHH:MM:SS" with an optional ".ffffff".
bool looks_like_naive_iso(const std::string& text);

} // namespace cdpd::test
