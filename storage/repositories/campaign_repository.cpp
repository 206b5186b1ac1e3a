#include "storage/repositories/campaign_repository.hpp"

#include <string>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define CAMPAIGN_COLUMNS                                                       \
  "id, segment_id, flow_id, name, description, status, start_time,"            \
  " start_date, start_time_of_day, created_at, send_speed_per_minute"

constexpr const char* list_sql =
    "SELECT " CAMPAIGN_COLUMNS " FROM campaigns ORDER BY created_at, id";

constexpr const char* get_sql =
    "SELECT " CAMPAIGN_COLUMNS " FROM campaigns WHERE id = $1::uuid";

constexpr const char* segment_exists_sql =
    "SELECT 1 FROM segments WHERE id = $1::uuid";

constexpr const char* flow_exists_sql =
    "SELECT 1 FROM flows WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO campaigns (segment_id, flow_id, name, description, status,"
    " start_time, start_date, start_time_of_day, send_speed_per_minute)"
    " VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6::timestamp, $7::timestamp,"
    " $8, $9::int)"
    " RETURNING " CAMPAIGN_COLUMNS;

constexpr const char* update_sql =
    "UPDATE campaigns SET"
    " flow_id = CASE WHEN $2::boolean THEN $3::uuid ELSE flow_id END,"
    " name = coalesce($4, name),"
    " description = CASE WHEN $5::boolean THEN $6 ELSE description END,"
    " status = coalesce($7, status),"
    " start_time = CASE WHEN $8::boolean THEN $9::timestamp"
    " ELSE start_time END,"
    " start_date = CASE WHEN $10::boolean THEN $11::timestamp"
    " ELSE start_date END,"
    " start_time_of_day = CASE WHEN $12::boolean THEN $13"
    " ELSE start_time_of_day END,"
    " send_speed_per_minute = CASE WHEN $14::boolean THEN $15::int"
    " ELSE send_speed_per_minute END,"
    // A campaign waiting for its start loses its schedule when the start
    // is edited; its actor schedules it again.
    " scheduled_at = CASE WHEN exec_phase = 'waiting'"
    " AND ($10::boolean OR $12::boolean) THEN NULL ELSE scheduled_at END"
    " WHERE id = $1::uuid RETURNING " CAMPAIGN_COLUMNS;

constexpr const char* delete_sql = "DELETE FROM campaigns WHERE id = $1::uuid";

constexpr const char* flow_sql =
    "SELECT f.id, f.segment_id, f.entry_condition_type, f.entry_condition,"
    " f.name, f.created_at FROM flows f WHERE f.id = $1::uuid";

campaign_record read_campaign(const pqxx::row& row) {
  campaign_record c;
  c.id = row[0].as<std::string>();
  c.segment_id = row[1].as<std::string>();
  c.flow_id = internal::optional_text(row[2]);
  c.name = row[3].as<std::string>();
  c.description = internal::optional_text(row[4]);
  c.status = row[5].as<std::string>();
  c.start_time = internal::optional_timestamp(row[6]);
  c.start_date = internal::optional_timestamp(row[7]);
  c.start_time_of_day = internal::optional_text(row[8]);
  c.created_at = internal::iso_timestamp(row[9].c_str());
  if (!row[10].is_null())
    c.send_speed_per_minute = row[10].as<int64_t>();
  return c;
}

const char* is_set(const nullable_update& u) {
  return param(u.has_value());
}

const char* value(const nullable_update& u) {
  return u ? param(*u) : nullptr;
}

/// The speed as a statement parameter: null for none or the default.
std::optional<std::string>
speed_text(const std::optional<std::optional<int64_t>>& speed) {
  if (!speed || !*speed)
    return std::nullopt;
  return std::to_string(**speed);
}

/// The flow id to check, if the write names one.
std::optional<std::string> named_flow(const nullable_update& flow_id) {
  if (flow_id && *flow_id && !(*flow_id)->empty())
    return **flow_id;
  return std::nullopt;
}

} // namespace

caf::expected<std::vector<campaign_record>>
list_campaigns(pqxx::connection& conn) {
  prepare(conn, "campaigns_list", list_sql);
  return in_transaction(conn, "list_campaigns", [&](pqxx::work& tx) {
    std::vector<campaign_record> out;
    for (const auto& row : tx.exec_prepared("campaigns_list"))
      out.push_back(read_campaign(row));
    return out;
  });
}

caf::expected<outcome<campaign_record>> get_campaign(pqxx::connection& conn,
                                                     const std::string& id) {
  using result = outcome<campaign_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::campaign_missing);
  prepare(conn, "campaigns_get", get_sql);
  return in_transaction(conn, "get_campaign", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("campaigns_get", id);
    if (rows.empty())
      return result::refused(refusal::campaign_missing);
    return result::of(read_campaign(rows[0]));
  });
}

caf::expected<outcome<campaign_record>>
create_campaign(pqxx::connection& conn, const campaign_fields& fields) {
  using result = outcome<campaign_record>;
  if (!fields.segment_id || !internal::is_uuid(*fields.segment_id))
    return result::refused(refusal::segment_missing);
  auto flow = named_flow(fields.flow_id);
  if (flow && !internal::is_uuid(*flow))
    return result::refused(refusal::flow_missing);
  prepare(conn, "campaigns_segment_exists", segment_exists_sql);
  prepare(conn, "campaigns_flow_exists", flow_exists_sql);
  prepare(conn, "campaigns_insert", insert_sql);
  return in_transaction(conn, "create_campaign", [&](pqxx::work& tx) {
    if (tx.exec_prepared("campaigns_segment_exists", *fields.segment_id)
            .empty())
      return result::refused(refusal::segment_missing);
    if (flow && tx.exec_prepared("campaigns_flow_exists", *flow).empty())
      return result::refused(refusal::flow_missing);
    return result::of(read_campaign(tx.exec_prepared1(
        "campaigns_insert", *fields.segment_id, param(flow), param(fields.name),
        value(fields.description), param(fields.status),
        value(fields.start_time), value(fields.start_date),
        value(fields.start_time_of_day),
        param(speed_text(fields.send_speed_per_minute)))));
  });
}

caf::expected<outcome<campaign_record>>
update_campaign(pqxx::connection& conn, const std::string& id,
                const campaign_fields& fields) {
  using result = outcome<campaign_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::campaign_missing);
  auto flow = named_flow(fields.flow_id);
  prepare(conn, "campaigns_get", get_sql);
  prepare(conn, "campaigns_flow_exists", flow_exists_sql);
  prepare(conn, "campaigns_update", update_sql);
  // An empty flow_id clears the flow, as null does.
  nullable_update flow_update = fields.flow_id;
  if (flow_update && !flow)
    flow_update = std::optional<std::string>{};
  auto speed = speed_text(fields.send_speed_per_minute);
  return in_transaction(conn, "update_campaign", [&](pqxx::work& tx) {
    if (tx.exec_prepared("campaigns_get", id).empty())
      return result::refused(refusal::campaign_missing);
    if (flow && (!internal::is_uuid(*flow) ||
                 tx.exec_prepared("campaigns_flow_exists", *flow).empty()))
      return result::refused(refusal::flow_missing);
    auto rows = tx.exec_prepared(
        "campaigns_update", id, is_set(flow_update), value(flow_update),
        param(fields.name), is_set(fields.description),
        value(fields.description), param(fields.status),
        is_set(fields.start_time), value(fields.start_time),
        is_set(fields.start_date), value(fields.start_date),
        is_set(fields.start_time_of_day), value(fields.start_time_of_day),
        param(fields.send_speed_per_minute.has_value()), param(speed));
    if (rows.empty())
      return result::refused(refusal::campaign_missing);
    return result::of(read_campaign(rows[0]));
  });
}

caf::expected<outcome<bool>> delete_campaign(pqxx::connection& conn,
                                             const std::string& id) {
  using result = outcome<bool>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::campaign_missing);
  prepare(conn, "campaigns_delete", delete_sql);
  return in_transaction(conn, "delete_campaign", [&](pqxx::work& tx) {
    if (tx.exec_prepared("campaigns_delete", id).affected_rows() == 0)
      return result::refused(refusal::campaign_missing);
    return result::of(true);
  });
}

caf::expected<outcome<flow_record>> get_campaign_flow(pqxx::connection& conn,
                                                      const std::string& id) {
  using result = outcome<flow_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::campaign_missing);
  prepare(conn, "campaigns_get", get_sql);
  prepare(conn, "campaigns_flow", flow_sql);
  return in_transaction(conn, "get_campaign_flow", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("campaigns_get", id);
    if (rows.empty())
      return result::refused(refusal::campaign_missing);
    auto campaign = read_campaign(rows[0]);
    if (!campaign.flow_id)
      return result::refused(refusal::campaign_has_no_flow);
    auto flows = tx.exec_prepared("campaigns_flow", *campaign.flow_id);
    if (flows.empty())
      return result::refused(refusal::flow_missing);
    const auto& row = flows[0];
    flow_record f;
    f.id = row[0].as<std::string>();
    f.segment_id = row[1].as<std::string>();
    f.entry_condition_type = internal::optional_text(row[2]);
    f.entry_condition = internal::optional_text(row[3]);
    f.name = internal::optional_text(row[4]);
    f.created_at = internal::iso_timestamp(row[5].c_str());
    return result::of(std::move(f));
  });
}

} // namespace cdpd::storage
