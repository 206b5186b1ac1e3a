#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/access/auth_services.hpp"
#include "net/http/http_server.hpp"
#include "net/http/router.hpp"
#include "storage/pg_pool.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/pg_test_db.hpp"

namespace cdpd::test {

/// Limiter hosts the fixture runs.
inline constexpr int limiter_host_count = 2;

/// Password of every account the fixture makes.
inline const std::string fixture_password = "correct horse battery";

/// A migrated test database behind real db actors ("pg-write", "pg-read"),
/// limiter hosts with a region, and an in-process HTTP server whose router
/// runs the node's access guard in front of the auth, account and API
/// routes. Failed logins are throttled after login_max_failures = 3.
class auth_fixture : public ::testing::Test {
protected:
  auth_fixture();
  ~auth_fixture() override;

  /// Creates an account directly in the database with fixture_password
  /// (or `password`) and loads it into the credential cache; returns its
  /// id.
  std::string make_account(const std::string& email, const std::string& role,
                           const std::string& password = fixture_password);

  /// POST /api/auth/login.
  http_reply login(const std::string& email,
                   const std::string& password = fixture_password);

  /// Logs in (expecting 200) and returns the response body.
  nlohmann::json session(const std::string& email,
                         const std::string& password = fixture_password);

  /// Sends a request with `token` as bearer (none when empty) and a JSON
  /// body unless `body` is null.
  http_reply call(const std::string& method, const std::string& target,
                  const nlohmann::json& body = nullptr,
                  const std::string& token = {}, header_list headers = {});

  /// Parses a response body (fails the test on invalid JSON).
  static nlohmann::json body_of(const http_reply& reply);

  /// Runs SQL on the test database and returns the first column of the
  /// first row as text ("NULL" for null).
  std::string sql_value(const std::string& sql);

  /// Charges `cost` failures to a login-throttle key through the limiter,
  /// waiting for its verdict; returns whether it was allowed.
  bool charge_failures(const std::string& key, int64_t cost, bool peek);

  /// The access token's id (jti).
  std::string token_id(const std::string& token) const;

  pg_test_db db;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::shared_ptr<storage::pg_pool> write_pool;
  std::shared_ptr<storage::pg_pool> read_pool;
  caf::actor write_actor;
  caf::actor read_actor;
  std::vector<caf::actor> limiter_hosts;
  caf::actor hasher; ///< "pw-hash", as the node's access subtree runs it
  std::shared_ptr<net::auth_services> services;
  std::shared_ptr<net::router> routes;
  std::unique_ptr<net::http_server> server;
  uint16_t port = 0;
};

} // namespace cdpd::test
