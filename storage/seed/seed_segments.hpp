#pragma once

#include <array>

/// The eight segments every demo database starts with (the prototype's
/// seed segments, eca2-api-contract.md section 8).
namespace cdpd::storage::seed {

/// One seed segment as stored in the segments table.
struct seed_segment {
  const char* name;
  const char* description;
  const char* definition; ///< JSON: {"logical_operator":"AND","criteria":[...]}
};

/// The eight seed segments, in the prototype's order.
const std::array<seed_segment, 8>& seed_segments();

} // namespace cdpd::storage::seed
