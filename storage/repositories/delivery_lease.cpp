#include "storage/repositories/delivery_lease.hpp"

#include <string>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;

// $1 ids, $2 attempts (as array literals), matched pairwise.
constexpr const char* renew_sql =
    "UPDATE deliveries d SET lease_until = (now() AT TIME ZONE 'utc')"
    " + $3::bigint * interval '1 millisecond'"
    " FROM unnest($1::bigint[], $2::int[]) AS c(id, attempts)"
    " WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'sending'"
    " RETURNING d.id";

constexpr const char* release_sql =
    "UPDATE deliveries d SET"
    " status = CASE WHEN d.attempts <= 1 THEN 'pending' ELSE 'failed' END,"
    " attempts = d.attempts - 1, lease_until = NULL"
    " FROM unnest($1::bigint[], $2::int[]) AS c(id, attempts)"
    " WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'sending'";

/// The claims' ids and attempts as two PostgreSQL array literals.
std::pair<std::string, std::string>
arrays(const std::vector<delivery_claim>& claims) {
  std::string ids = "{";
  std::string attempts = "{";
  for (const auto& c : claims) {
    if (ids.size() > 1) {
      ids += ',';
      attempts += ',';
    }
    ids += std::to_string(c.id);
    attempts += std::to_string(c.attempts);
  }
  return {ids + '}', attempts + '}'};
}

} // namespace

caf::expected<std::vector<int64_t>>
renew_leases(pqxx::connection& conn, const std::vector<delivery_claim>& claims,
             std::chrono::milliseconds lease) {
  if (claims.empty())
    return std::vector<int64_t>{};
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
  const auto params = arrays(claims);
  return in_transaction(conn, "renew_leases", [&](pqxx::work& tx) {
    std::vector<int64_t> held;
    for (const auto& row :
         tx.exec_params(renew_sql, params.first, params.second,
                        static_cast<int64_t>(lease.count())))
      held.push_back(row[0].as<int64_t>());
    return held;
  });
}

caf::expected<int64_t>
release_claims(pqxx::connection& conn,
               const std::vector<delivery_claim>& claims) {
  if (claims.empty())
    return int64_t{0};
  const auto params = arrays(claims);
  return in_transaction(conn, "release_claims", [&](pqxx::work& tx) {
    return static_cast<int64_t>(
        tx.exec_params(release_sql, params.first, params.second)
            .affected_rows());
  });
}

} // namespace cdpd::storage
