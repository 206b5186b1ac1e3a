#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// The `nodes` table (migration 0001): which cdpd nodes use this database.
namespace cdpd::storage {

/// One row of `nodes`.
struct node_record {
  std::string node_id;
  std::string http_address;
  std::string version;
  std::chrono::system_clock::time_point started_at;
  std::chrono::system_clock::time_point last_seen;
};

/// Inserts or replaces the node's row at start-up; started_at and last_seen
/// become now(). Fails with the errors of a pool call (errc::query_failed,
/// errc::connection_lost, errc::statement_timeout).
caf::expected<void> register_node(pqxx::connection& conn,
                                  const std::string& node_id,
                                  const std::string& http_address,
                                  const std::string& version);

/// Sets last_seen = now() for a registered node. Fails with
/// errc::query_failed when the node has no row, or a connection error.
caf::expected<void> touch_node(pqxx::connection& conn,
                               const std::string& node_id);

/// Every registered node, most recently seen first.
caf::expected<std::vector<node_record>> list_nodes(pqxx::connection& conn);

} // namespace cdpd::storage
