#include "storage/repositories/webhook_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define WEBHOOK_COLUMNS                                                        \
  "id, url, event_types, description, enabled, disabled_reason,"               \
  " failing_since, created_at, updated_at"

constexpr const char* list_sql =
    "SELECT " WEBHOOK_COLUMNS " FROM webhook_endpoints"
    " WHERE ($1::timestamp IS NULL OR (created_at, id) > ($1::timestamp, "
    "$2::uuid)) ORDER BY created_at, id OFFSET $3 LIMIT $4";

constexpr const char* count_sql = "SELECT count(*) FROM webhook_endpoints";

constexpr const char* get_sql =
    "SELECT " WEBHOOK_COLUMNS " FROM webhook_endpoints WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO webhook_endpoints (url, event_types, description, enabled,"
    " secret) VALUES ($1, $2::text[], coalesce($3, ''),"
    " coalesce($4::boolean, true), $5) RETURNING " WEBHOOK_COLUMNS;

// $3 says whether event_types is given at all, since NULL means "all".
constexpr const char* update_sql =
    "UPDATE webhook_endpoints SET url = coalesce($2, url),"
    " event_types = CASE WHEN $3::boolean THEN $4::text[] ELSE event_types END,"
    " description = coalesce($5, description),"
    " enabled = coalesce($6::boolean, enabled),"
    " disabled_reason = CASE WHEN $6::boolean THEN NULL"
    "   ELSE disabled_reason END,"
    " failing_since = CASE WHEN $6::boolean THEN NULL ELSE failing_since END,"
    " updated_at = now() AT TIME ZONE 'utc'"
    " WHERE id = $1::uuid RETURNING " WEBHOOK_COLUMNS;

constexpr const char* delete_sql =
    "DELETE FROM webhook_endpoints WHERE id = $1::uuid";

std::optional<std::vector<std::string>> read_types(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  std::vector<std::string> out;
  auto parser = f.as_array();
  for (auto [kind, text] = parser.get_next();
       kind != pqxx::array_parser::juncture::done;
       std::tie(kind, text) = parser.get_next())
    if (kind == pqxx::array_parser::juncture::string_value)
      out.push_back(text);
  return out;
}

webhook_record read_webhook(const pqxx::row& row) {
  webhook_record w;
  w.id = row[0].as<std::string>();
  w.url = row[1].as<std::string>();
  w.event_types = read_types(row[2]);
  w.description = row[3].as<std::string>();
  w.enabled = row[4].as<bool>();
  w.disabled_reason = internal::optional_text(row[5]);
  w.failing_since = internal::optional_timestamp(row[6]);
  w.created_at = internal::iso_timestamp(row[7].c_str());
  w.updated_at = internal::iso_timestamp(row[8].c_str());
  return w;
}

/// The types as an array literal; the route admits only known type names,
/// which need no quoting.
std::optional<std::string>
types_param(const std::optional<std::vector<std::string>>& types) {
  if (!types)
    return std::nullopt;
  return internal::array_literal(*types,
                                 [](const std::string& t) { return t; });
}

std::optional<std::string> bool_param(const std::optional<bool>& value) {
  if (!value)
    return std::nullopt;
  return std::string(param(*value));
}

} // namespace

caf::expected<page<webhook_record>> list_webhooks(pqxx::connection& conn,
                                                  const page_request& request) {
  prepare(conn, "webhooks_list", list_sql);
  prepare(conn, "webhooks_count", count_sql);
  return in_transaction(conn, "list_webhooks", [&](pqxx::work& tx) {
    internal::page_params p{request};
    auto rows = tx.exec_prepared("webhooks_list", p.after_created_at(),
                                 p.after_id(), p.skip(), p.fetch());
    auto total = tx.exec_prepared1("webhooks_count")[0].as<int64_t>();
    return internal::make_page<webhook_record>(rows, request, total,
                                               read_webhook);
  });
}

caf::expected<outcome<webhook_record>> get_webhook(pqxx::connection& conn,
                                                   const std::string& id) {
  using result = outcome<webhook_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::webhook_missing);
  prepare(conn, "webhooks_get", get_sql);
  return in_transaction(conn, "get_webhook", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("webhooks_get", id);
    if (rows.empty())
      return result::refused(refusal::webhook_missing);
    return result::of(read_webhook(rows[0]));
  });
}

caf::expected<webhook_record> create_webhook(pqxx::connection& conn,
                                             const webhook_fields& fields,
                                             const std::string& secret) {
  prepare(conn, "webhooks_insert", insert_sql);
  auto types = fields.event_types ? types_param(*fields.event_types)
                                  : std::optional<std::string>{};
  auto enabled = bool_param(fields.enabled);
  return in_transaction(conn, "create_webhook", [&](pqxx::work& tx) {
    auto w = read_webhook(
        tx.exec_prepared1("webhooks_insert", param(fields.url), param(types),
                          param(fields.description), param(enabled), secret));
    w.secret = secret;
    return w;
  });
}

caf::expected<outcome<webhook_record>>
update_webhook(pqxx::connection& conn, const std::string& id,
               const webhook_fields& fields) {
  using result = outcome<webhook_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::webhook_missing);
  prepare(conn, "webhooks_update", update_sql);
  auto types = fields.event_types ? types_param(*fields.event_types)
                                  : std::optional<std::string>{};
  auto enabled = bool_param(fields.enabled);
  return in_transaction(conn, "update_webhook", [&](pqxx::work& tx) {
    auto rows =
        tx.exec_prepared("webhooks_update", id, param(fields.url),
                         param(fields.event_types.has_value()), param(types),
                         param(fields.description), param(enabled));
    if (rows.empty())
      return result::refused(refusal::webhook_missing);
    return result::of(read_webhook(rows[0]));
  });
}

caf::expected<outcome<bool>> delete_webhook(pqxx::connection& conn,
                                            const std::string& id) {
  using result = outcome<bool>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::webhook_missing);
  prepare(conn, "webhooks_delete", delete_sql);
  return in_transaction(conn, "delete_webhook", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared0("webhooks_delete", id);
    if (rows.affected_rows() == 0)
      return result::refused(refusal::webhook_missing);
    return result::of(true);
  });
}

} // namespace cdpd::storage
