#include "storage/repositories/segment_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define SEGMENT_COLUMNS "id, name, description, definition::text, created_at"

constexpr const char* list_sql =
    "SELECT " SEGMENT_COLUMNS " FROM segments"
    " WHERE ($1::timestamp IS NULL OR (created_at, id) > ($1::timestamp,"
    " $2::uuid)) ORDER BY created_at, id OFFSET $3 LIMIT $4";

constexpr const char* count_sql = "SELECT count(*) FROM segments";

constexpr const char* get_sql =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO segments (name, description, definition)"
    " VALUES ($1, $2, coalesce($3::jsonb, '{}'::jsonb))"
    " RETURNING " SEGMENT_COLUMNS;

constexpr const char* update_sql =
    "UPDATE segments SET"
    " name = coalesce($2, name),"
    " description = CASE WHEN $3::boolean THEN $4 ELSE description END,"
    " definition = coalesce($5::jsonb, definition),"
    " updated_at = now() AT TIME ZONE 'utc'"
    " WHERE id = $1::uuid RETURNING " SEGMENT_COLUMNS;

// FOR UPDATE conflicts with the FOR KEY SHARE lock a referencing insert
// takes, so dependents cannot appear between the check and the delete.
constexpr const char* lock_sql =
    "SELECT 1 FROM segments WHERE id = $1::uuid FOR UPDATE";

constexpr const char* campaign_users_sql =
    "SELECT name FROM campaigns WHERE segment_id = $1::uuid"
    " ORDER BY created_at, id";

constexpr const char* flow_users_sql =
    "SELECT coalesce(name, id::text) FROM flows WHERE segment_id = $1::uuid"
    " ORDER BY created_at, id";

constexpr const char* delete_sql = "DELETE FROM segments WHERE id = $1::uuid";

segment_record read_segment(const pqxx::row& row) {
  segment_record s;
  s.id = row[0].as<std::string>();
  s.name = row[1].as<std::string>();
  s.description = internal::optional_text(row[2]);
  s.definition = row[3].as<std::string>();
  s.created_at = internal::iso_timestamp(row[4].c_str());
  return s;
}

std::vector<std::string> first_column(const pqxx::result& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows)
    out.push_back(row[0].as<std::string>());
  return out;
}

} // namespace

caf::expected<page<segment_record>> list_segments(pqxx::connection& conn,
                                                  const page_request& request) {
  prepare(conn, "segments_list", list_sql);
  prepare(conn, "segments_count", count_sql);
  return in_transaction(conn, "list_segments", [&](pqxx::work& tx) {
    internal::page_params p{request};
    auto rows = tx.exec_prepared("segments_list", p.after_created_at(),
                                 p.after_id(), p.skip(), p.fetch());
    auto total = tx.exec_prepared1("segments_count")[0].as<int64_t>();
    return internal::make_page<segment_record>(rows, request, total,
                                               read_segment);
  });
}

caf::expected<outcome<segment_record>> get_segment(pqxx::connection& conn,
                                                   const std::string& id) {
  using result = outcome<segment_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::segment_missing);
  prepare(conn, "segments_get", get_sql);
  return in_transaction(conn, "get_segment", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("segments_get", id);
    if (rows.empty())
      return result::refused(refusal::segment_missing);
    return result::of(read_segment(rows[0]));
  });
}

caf::expected<segment_record> create_segment(pqxx::connection& conn,
                                             const segment_fields& fields) {
  prepare(conn, "segments_insert", insert_sql);
  auto description = fields.description ? param(*fields.description) : nullptr;
  return in_transaction(conn, "create_segment", [&](pqxx::work& tx) {
    return read_segment(tx.exec_prepared1("segments_insert", param(fields.name),
                                          description,
                                          param(fields.definition)));
  });
}

caf::expected<outcome<segment_record>>
update_segment(pqxx::connection& conn, const std::string& id,
               const segment_fields& fields) {
  using result = outcome<segment_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::segment_missing);
  prepare(conn, "segments_update", update_sql);
  auto description = fields.description ? param(*fields.description) : nullptr;
  return in_transaction(conn, "update_segment", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("segments_update", id, param(fields.name),
                                 param(fields.description.has_value()),
                                 description, param(fields.definition));
    if (rows.empty())
      return result::refused(refusal::segment_missing);
    return result::of(read_segment(rows[0]));
  });
}

caf::expected<outcome<segment_dependents>>
delete_segment(pqxx::connection& conn, const std::string& id) {
  using result = outcome<segment_dependents>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::segment_missing);
  prepare(conn, "segments_lock", lock_sql);
  prepare(conn, "segments_campaign_users", campaign_users_sql);
  prepare(conn, "segments_flow_users", flow_users_sql);
  prepare(conn, "segments_delete", delete_sql);
  return in_transaction(conn, "delete_segment", [&](pqxx::work& tx) {
    if (tx.exec_prepared("segments_lock", id).empty())
      return result::refused(refusal::segment_missing);
    segment_dependents users;
    users.campaigns =
        first_column(tx.exec_prepared("segments_campaign_users", id));
    users.flows = first_column(tx.exec_prepared("segments_flow_users", id));
    if (users.empty())
      tx.exec_prepared("segments_delete", id);
    return result::of(std::move(users));
  });
}

caf::expected<std::map<std::string, std::string>>
segment_digests(pqxx::connection& conn) {
  return in_transaction(conn, "segment_digests", [&](pqxx::work& tx) {
    std::map<std::string, std::string> out;
    for (const auto& r :
         tx.exec("SELECT id::text, md5(definition::text) FROM segments"))
      out.emplace(r[0].as<std::string>(), r[1].as<std::string>());
    return out;
  });
}

caf::expected<std::optional<segment_definition_text>>
get_segment_definition(pqxx::connection& conn, const std::string& id) {
  if (!internal::is_uuid(id))
    return std::optional<segment_definition_text>{};
  return in_transaction(conn, "get_segment_definition", [&](pqxx::work& tx) {
    auto r = tx.exec_params("SELECT definition::text, md5(definition::text)"
                            " FROM segments WHERE id = $1::uuid",
                            id);
    if (r.empty())
      return std::optional<segment_definition_text>{};
    return std::optional<segment_definition_text>{segment_definition_text{
        r[0][0].as<std::string>(), r[0][1].as<std::string>()}};
  });
}

} // namespace cdpd::storage
