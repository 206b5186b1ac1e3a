#pragma once

#include <chrono>

#include <caf/expected.hpp>

#include "actors/segments/engine/customer_columns.hpp"
#include "actors/segments/engine/row_bitset.hpp"
#include "storage/segments/definition.hpp"

/// The in-memory back end of the segment language: evaluates a validated
/// definition over customer_columns with per-leaf column kernels combined
/// per group. Its answers equal the SQL back end's (sql_compiler.hpp) for
/// the same data and `now`.
namespace cdpd::actors::segments::engine {

/// The rows of `columns` that `def` selects at `now` (UTC). Relative dates,
/// null handling, case-insensitive text tests and event conditions follow
/// the SQL back end exactly. Fails with storage::errc::invalid_argument when
/// the definition holds something this engine does not evaluate (the caller
/// then asks PostgreSQL); it never returns a wrong answer instead.
caf::expected<row_bitset>
evaluate(const storage::segments::segment_definition& def,
         const customer_columns& columns,
         std::chrono::system_clock::time_point now);

} // namespace cdpd::actors::segments::engine
