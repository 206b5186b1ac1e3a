#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// Keeping and giving back claimed deliveries. A claim is the pair (row id,
/// attempts): claiming counts an attempt, so an old claim whose lease ran
/// out and whose row was claimed again no longer matches.
namespace cdpd::storage {

/// One claim: a row and the attempt count it was claimed with.
struct delivery_claim {
  int64_t id = 0;
  int64_t attempts = 0;
};

/// Moves the lease of every claim that still holds its row to now +
/// `lease`. Returns the ids still held; a claim missing from the answer was
/// lost (its lease ran out and another dispatcher has the row).
caf::expected<std::vector<int64_t>>
renew_leases(pqxx::connection& conn, const std::vector<delivery_claim>& claims,
             std::chrono::milliseconds lease);

/// Gives claims back unattempted (the provider was known to be down, so
/// nothing was sent): each row returns to pending, or failed when it had
/// failed before, with the attempt its claim counted taken back. Returns
/// how many rows were given back.
caf::expected<int64_t>
release_claims(pqxx::connection& conn,
               const std::vector<delivery_claim>& claims);

} // namespace cdpd::storage
