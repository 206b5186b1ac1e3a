#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// API keys of machine clients (`api_keys`): the key's public prefix and
/// the SHA-256 hex of the whole key, never the key itself. Functions fail
/// with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// One API key row.
struct api_key_record {
  std::string id;
  std::string prefix;
  std::string key_hash;
  std::string name;
  std::string role;                      ///< viewer, manager or admin
  std::optional<std::string> created_by; ///< account id; null once deleted
  std::string created_at;
  std::optional<std::string> last_used_at;
  std::optional<std::string> revoked_at;
};

/// What a new key row holds.
struct api_key_fields {
  std::string prefix;
  std::string key_hash;
  std::string name;
  std::string role;
  std::optional<std::string> created_by;
};

/// Inserts a key; nullopt when the prefix is taken (the caller generates a
/// new key and tries again).
caf::expected<std::optional<api_key_record>>
create_api_key(pqxx::connection& conn, const api_key_fields& fields);

/// The key with `prefix` that has not been revoked, or nullopt.
caf::expected<std::optional<api_key_record>>
find_api_key_by_prefix(pqxx::connection& conn, const std::string& prefix);

/// Sets last_used_at to now, at most once a minute per key so that busy
/// keys do not write on every request; false when nothing was written.
caf::expected<bool> touch_api_key(pqxx::connection& conn,
                                  const std::string& id);

/// Revokes a key; false for an unknown or already revoked id.
caf::expected<bool> revoke_api_key(pqxx::connection& conn,
                                   const std::string& id);

/// Keys (revoked ones included) in creation order.
caf::expected<page<api_key_record>> list_api_keys(pqxx::connection& conn,
                                                  const page_request& page);

} // namespace cdpd::storage
