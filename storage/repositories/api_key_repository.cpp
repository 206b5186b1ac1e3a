#include "storage/repositories/api_key_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define API_KEY_COLUMNS                                                        \
  "id, prefix, key_hash, name, role, created_by, created_at, last_used_at, "   \
  "revoked_at"
#define UTC_NOW "(now() AT TIME ZONE 'utc')"

constexpr const char* insert_sql =
    "INSERT INTO api_keys (prefix, key_hash, name, role, created_by)"
    " VALUES ($1, $2, $3, $4, $5::uuid) ON CONFLICT (prefix) DO NOTHING"
    " RETURNING " API_KEY_COLUMNS;

constexpr const char* by_prefix_sql =
    "SELECT " API_KEY_COLUMNS
    " FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL";

constexpr const char* touch_sql =
    "UPDATE api_keys SET last_used_at = " UTC_NOW
    " WHERE id = $1::uuid AND (last_used_at IS NULL OR last_used_at < " UTC_NOW
    " - interval '1 minute')";

constexpr const char* revoke_sql =
    "UPDATE api_keys SET revoked_at = " UTC_NOW
    " WHERE id = $1::uuid AND revoked_at IS NULL";

constexpr const char* list_sql =
    "SELECT " API_KEY_COLUMNS " FROM api_keys"
    " WHERE ($1::timestamp IS NULL OR (created_at, id) > ($1::timestamp, "
    "$2::uuid)) ORDER BY created_at, id OFFSET $3 LIMIT $4";

constexpr const char* count_sql = "SELECT count(*) FROM api_keys";

api_key_record read_api_key(const pqxx::row& row) {
  api_key_record k;
  k.id = row[0].as<std::string>();
  k.prefix = row[1].as<std::string>();
  k.key_hash = row[2].as<std::string>();
  k.name = row[3].as<std::string>();
  k.role = row[4].as<std::string>();
  k.created_by = internal::optional_text(row[5]);
  k.created_at = internal::iso_timestamp(row[6].c_str());
  k.last_used_at = internal::optional_timestamp(row[7]);
  k.revoked_at = internal::optional_timestamp(row[8]);
  return k;
}

std::optional<api_key_record> first_key(const pqxx::result& rows) {
  if (rows.empty())
    return std::nullopt;
  return read_api_key(rows[0]);
}

} // namespace

caf::expected<std::optional<api_key_record>>
create_api_key(pqxx::connection& conn, const api_key_fields& fields) {
  prepare(conn, "api_keys_insert", insert_sql);
  return in_transaction(conn, "create_api_key", [&](pqxx::work& tx) {
    return first_key(tx.exec_prepared("api_keys_insert", fields.prefix,
                                      fields.key_hash, fields.name, fields.role,
                                      param(fields.created_by)));
  });
}

caf::expected<std::optional<api_key_record>>
find_api_key_by_prefix(pqxx::connection& conn, const std::string& prefix) {
  prepare(conn, "api_keys_by_prefix", by_prefix_sql);
  return in_transaction(conn, "find_api_key_by_prefix", [&](pqxx::work& tx) {
    return first_key(tx.exec_prepared("api_keys_by_prefix", prefix));
  });
}

caf::expected<bool> touch_api_key(pqxx::connection& conn,
                                  const std::string& id) {
  if (!internal::is_uuid(id))
    return false;
  prepare(conn, "api_keys_touch", touch_sql);
  return in_transaction(conn, "touch_api_key", [&](pqxx::work& tx) {
    return tx.exec_prepared("api_keys_touch", id).affected_rows() > 0;
  });
}

caf::expected<bool> revoke_api_key(pqxx::connection& conn,
                                   const std::string& id) {
  if (!internal::is_uuid(id))
    return false;
  prepare(conn, "api_keys_revoke", revoke_sql);
  return in_transaction(conn, "revoke_api_key", [&](pqxx::work& tx) {
    return tx.exec_prepared("api_keys_revoke", id).affected_rows() > 0;
  });
}

caf::expected<page<api_key_record>> list_api_keys(pqxx::connection& conn,
                                                  const page_request& page) {
  prepare(conn, "api_keys_list", list_sql);
  prepare(conn, "api_keys_count", count_sql);
  return in_transaction(conn, "list_api_keys", [&](pqxx::work& tx) {
    internal::page_params p{page};
    auto rows = tx.exec_prepared("api_keys_list", p.after_created_at(),
                                 p.after_id(), p.skip(), p.fetch());
    auto total = tx.exec_prepared1("api_keys_count")[0].as<int64_t>();
    return internal::make_page<api_key_record>(rows, page, total, read_api_key);
  });
}

} // namespace cdpd::storage
