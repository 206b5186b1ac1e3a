#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/segments/definition.hpp"
#include "storage/segments/sql_compiler.hpp"
#include "storage/segments/values.hpp"

/// Runs compiled segment queries against PostgreSQL (the SQL back end's
/// answers to `count`, `users` and `evaluate`). Each call is one read-only
/// transaction on the given connection and blocks.
namespace cdpd::storage::segments {

/// One member, with the customer columns the API shows.
struct customer_row {
  std::string id;
  std::string email;
  std::optional<std::string> phone;
  std::string first_name;
  std::string last_name;
  bool marketing_opt_in = true;
  std::optional<std::string> shipping_state;
  std::optional<std::string> shipping_country;
  double total_order_value = 0;
  std::int64_t order_count = 0;
  std::optional<timestamp> last_order_date; ///< UTC
  timestamp created_at;                     ///< UTC
};

/// How many customers match. Fails with errc::query_failed,
/// errc::connection_lost or errc::statement_timeout.
caf::expected<std::int64_t>
count_members(pqxx::connection& conn, const segment_definition& def,
              std::chrono::system_clock::time_point now);

/// Ids of matching customers in (created_at, id) order, paged. Fails like
/// count_members.
caf::expected<std::vector<std::string>>
member_ids(pqxx::connection& conn, const segment_definition& def,
           std::chrono::system_clock::time_point now, page p = {});

/// Matching customers in (created_at, id) order, paged. Fails like
/// count_members.
caf::expected<std::vector<customer_row>>
members(pqxx::connection& conn, const segment_definition& def,
        std::chrono::system_clock::time_point now, page p = {});

/// The customers with the given ids, as `members` reads them, in the order
/// of `ids` (one query). Ids without a customer (deleted meanwhile) or not
/// in UUID form are left out. Fails like count_members.
caf::expected<std::vector<customer_row>>
members_by_id(pqxx::connection& conn, const std::vector<std::string>& ids);

} // namespace cdpd::storage::segments
