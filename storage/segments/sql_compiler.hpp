#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/segments/definition.hpp"

/// The SQL back end of the segment language: compiles a segment_definition
/// into one parameterized PostgreSQL query over `customers c`. Values only
/// ever travel as $n parameters; field names map to SQL through a fixed
/// whitelist, so nothing a definition carries is spliced into SQL text.
namespace cdpd::storage::segments {

/// SQL text with $1..$n placeholders and the parameters' text values
/// (std::nullopt would be SQL NULL).
struct compiled_query {
  std::string sql;                                ///< $1..$n placeholders
  std::vector<std::optional<std::string>> params; ///< $1 is params[0]
};

/// Compiles the definition into a boolean SQL expression over the alias `c`
/// (a row of `customers`) that is never NULL. Relative dates are measured
/// from `now` (UTC). An empty definition, or one whose conditions all give
/// no result, compiles to FALSE. Never fails: values that cannot match their
/// field compile to FALSE.
compiled_query compile_where(const segment_definition& def,
                             std::chrono::system_clock::time_point now);

/// Paging of member lists; a negative limit or offset counts as 0.
struct page {
  std::int64_t limit = 100; ///< rows at most
  std::int64_t offset = 0;  ///< rows skipped first
};

/// `SELECT count(*) FROM customers c WHERE <definition>`: one row, one
/// bigint.
compiled_query count_query(const segment_definition& def,
                           std::chrono::system_clock::time_point now);

/// Member ids as text, ordered by (created_at, id), paged.
compiled_query member_ids_query(const segment_definition& def,
                                std::chrono::system_clock::time_point now,
                                page p);

/// Full member rows, ordered by (created_at, id), paged. Columns, in order:
/// id (text), email, phone, first_name, last_name, marketing_opt_in,
/// shipping_state, shipping_country, total_order_value (float8),
/// order_count, last_order_date and created_at (both as bigint
/// microseconds since the Unix epoch, UTC).
compiled_query members_query(const segment_definition& def,
                             std::chrono::system_clock::time_point now, page p);

/// The members_query columns of the customers whose ids are in `id_array`
/// (a PostgreSQL array literal of UUIDs, bound as $1), in no order.
compiled_query members_by_id_query(std::string id_array);

} // namespace cdpd::storage::segments
