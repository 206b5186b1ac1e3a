#include "storage/repositories/flow_repository.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define FLOW_COLUMNS                                                           \
  "id, segment_id, entry_condition_type, entry_condition, name, created_at"

#define STEP_COLUMNS                                                           \
  "id, flow_id, step_type, config::text, next_step_id, step_order, created_at"

constexpr const char* list_sql =
    "SELECT " FLOW_COLUMNS " FROM flows ORDER BY created_at, id";

constexpr const char* get_sql =
    "SELECT " FLOW_COLUMNS " FROM flows WHERE id = $1::uuid";

constexpr const char* segment_exists_sql =
    "SELECT 1 FROM segments WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO flows (segment_id, entry_condition_type, entry_condition,"
    " name) VALUES ($1::uuid, $2, $3, $4) RETURNING " FLOW_COLUMNS;

constexpr const char* update_sql =
    "UPDATE flows SET"
    " entry_condition_type = CASE WHEN $2::boolean THEN $3"
    " ELSE entry_condition_type END,"
    " entry_condition = CASE WHEN $4::boolean THEN $5 ELSE entry_condition END,"
    " name = CASE WHEN $6::boolean THEN $7 ELSE name END"
    " WHERE id = $1::uuid RETURNING " FLOW_COLUMNS;

constexpr const char* delete_sql = "DELETE FROM flows WHERE id = $1::uuid";

constexpr const char* steps_sql =
    "SELECT " STEP_COLUMNS " FROM flow_steps WHERE flow_id = $1::uuid"
    " ORDER BY step_order, created_at, id";

// next_step_id only keeps a step of the same flow, so a bad reference never
// trips the foreign key.
constexpr const char* insert_step_sql =
    "INSERT INTO flow_steps (flow_id, step_type, config, next_step_id,"
    " step_order) VALUES ($1::uuid, $2, $3::jsonb, (SELECT id FROM flow_steps"
    " WHERE id = $4::uuid AND flow_id = $1::uuid), $5::integer)"
    " RETURNING " STEP_COLUMNS;

constexpr const char* update_step_sql =
    "UPDATE flow_steps SET step_type = $3, config = $4::jsonb,"
    " next_step_id = (SELECT s.id FROM flow_steps s WHERE s.id = $5::uuid"
    " AND s.flow_id = $1::uuid), step_order = $6::integer"
    " WHERE id = $2::uuid AND flow_id = $1::uuid RETURNING " STEP_COLUMNS;

constexpr const char* link_step_sql =
    "UPDATE flow_steps SET next_step_id = $2::uuid WHERE id = $1::uuid";

constexpr const char* delete_step_sql =
    "DELETE FROM flow_steps WHERE id = $2::uuid AND flow_id = $1::uuid";

flow_record read_flow(const pqxx::row& row) {
  flow_record f;
  f.id = row[0].as<std::string>();
  f.segment_id = row[1].as<std::string>();
  f.entry_condition_type = internal::optional_text(row[2]);
  f.entry_condition = internal::optional_text(row[3]);
  f.name = internal::optional_text(row[4]);
  f.created_at = internal::iso_timestamp(row[5].c_str());
  return f;
}

flow_step_record read_step(const pqxx::row& row) {
  flow_step_record s;
  s.id = row[0].as<std::string>();
  s.flow_id = row[1].as<std::string>();
  s.step_type = row[2].as<std::string>();
  s.config = row[3].as<std::string>();
  s.next_step_id = internal::optional_text(row[4]);
  s.step_order = row[5].as<int64_t>();
  s.created_at = internal::iso_timestamp(row[6].c_str());
  return s;
}

std::optional<std::string> uuid_or_null(const std::optional<std::string>& id) {
  if (id && internal::is_uuid(*id))
    return id;
  return std::nullopt;
}

} // namespace

caf::expected<std::vector<flow_record>> list_flows(pqxx::connection& conn) {
  prepare(conn, "flows_list", list_sql);
  return in_transaction(conn, "list_flows", [&](pqxx::work& tx) {
    std::vector<flow_record> out;
    for (const auto& row : tx.exec_prepared("flows_list"))
      out.push_back(read_flow(row));
    return out;
  });
}

caf::expected<outcome<flow_record>> get_flow(pqxx::connection& conn,
                                             const std::string& id) {
  using result = outcome<flow_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::flow_missing);
  prepare(conn, "flows_get", get_sql);
  return in_transaction(conn, "get_flow", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("flows_get", id);
    if (rows.empty())
      return result::refused(refusal::flow_missing);
    return result::of(read_flow(rows[0]));
  });
}

caf::expected<outcome<flow_record>> create_flow(pqxx::connection& conn,
                                                const flow_input& input) {
  using result = outcome<flow_record>;
  if (!internal::is_uuid(input.segment_id))
    return result::refused(refusal::segment_missing);
  prepare(conn, "flows_segment_exists", segment_exists_sql);
  prepare(conn, "flows_insert", insert_sql);
  prepare(conn, "flows_insert_step", insert_step_sql);
  prepare(conn, "flows_link_step", link_step_sql);
  auto steps = input.steps;
  std::stable_sort(
      steps.begin(), steps.end(),
      [](const auto& a, const auto& b) { return a.step_order < b.step_order; });
  return in_transaction(conn, "create_flow", [&](pqxx::work& tx) {
    // FOR KEY SHARE would be stronger, but the foreign key already refuses
    // a segment deleted meanwhile.
    if (tx.exec_prepared("flows_segment_exists", input.segment_id).empty())
      return result::refused(refusal::segment_missing);
    auto flow = read_flow(tx.exec_prepared1(
        "flows_insert", input.segment_id, param(input.entry_condition_type),
        param(input.entry_condition), param(input.name)));
    std::string previous;
    for (const auto& step : steps) {
      auto row = tx.exec_prepared1("flows_insert_step", flow.id, step.step_type,
                                   step.config, nullptr,
                                   std::to_string(step.step_order));
      auto id = row[0].as<std::string>();
      if (!previous.empty())
        tx.exec_prepared("flows_link_step", previous, id);
      previous = id;
    }
    return result::of(std::move(flow));
  });
}

caf::expected<outcome<flow_record>> update_flow(pqxx::connection& conn,
                                                const std::string& id,
                                                const flow_fields& fields) {
  using result = outcome<flow_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::flow_missing);
  prepare(conn, "flows_update", update_sql);
  auto is_set = [](const nullable_update& u) { return param(u.has_value()); };
  auto value = [](const nullable_update& u) { return u ? param(*u) : nullptr; };
  return in_transaction(conn, "update_flow", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared(
        "flows_update", id, is_set(fields.entry_condition_type),
        value(fields.entry_condition_type), is_set(fields.entry_condition),
        value(fields.entry_condition), is_set(fields.name), value(fields.name));
    if (rows.empty())
      return result::refused(refusal::flow_missing);
    return result::of(read_flow(rows[0]));
  });
}

caf::expected<outcome<bool>> delete_flow(pqxx::connection& conn,
                                         const std::string& id) {
  using result = outcome<bool>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::flow_missing);
  prepare(conn, "flows_delete", delete_sql);
  return in_transaction(conn, "delete_flow", [&](pqxx::work& tx) {
    if (tx.exec_prepared("flows_delete", id).affected_rows() == 0)
      return result::refused(refusal::flow_missing);
    return result::of(true);
  });
}

caf::expected<std::vector<flow_step_record>>
list_flow_steps(pqxx::connection& conn, const std::string& flow_id) {
  if (!internal::is_uuid(flow_id))
    return std::vector<flow_step_record>{};
  prepare(conn, "flows_steps", steps_sql);
  return in_transaction(conn, "list_flow_steps", [&](pqxx::work& tx) {
    std::vector<flow_step_record> out;
    for (const auto& row : tx.exec_prepared("flows_steps", flow_id))
      out.push_back(read_step(row));
    return out;
  });
}

caf::expected<outcome<flow_step_record>>
create_flow_step(pqxx::connection& conn, const std::string& flow_id,
                 const flow_step_input& input) {
  using result = outcome<flow_step_record>;
  if (!internal::is_uuid(flow_id))
    return result::refused(refusal::flow_missing);
  prepare(conn, "flows_get", get_sql);
  prepare(conn, "flows_insert_step", insert_step_sql);
  auto next = uuid_or_null(input.next_step_id);
  return in_transaction(conn, "create_flow_step", [&](pqxx::work& tx) {
    if (tx.exec_prepared("flows_get", flow_id).empty())
      return result::refused(refusal::flow_missing);
    return result::of(read_step(tx.exec_prepared1(
        "flows_insert_step", flow_id, input.step_type, input.config,
        param(next), std::to_string(input.step_order))));
  });
}

caf::expected<outcome<flow_step_record>>
update_flow_step(pqxx::connection& conn, const std::string& flow_id,
                 const std::string& step_id, const flow_step_input& input) {
  using result = outcome<flow_step_record>;
  if (!internal::is_uuid(flow_id) || !internal::is_uuid(step_id))
    return result::refused(refusal::flow_step_missing);
  prepare(conn, "flows_update_step", update_step_sql);
  auto next = uuid_or_null(input.next_step_id);
  return in_transaction(conn, "update_flow_step", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("flows_update_step", flow_id, step_id,
                                 input.step_type, input.config, param(next),
                                 std::to_string(input.step_order));
    if (rows.empty())
      return result::refused(refusal::flow_step_missing);
    return result::of(read_step(rows[0]));
  });
}

caf::expected<outcome<bool>> delete_flow_step(pqxx::connection& conn,
                                              const std::string& flow_id,
                                              const std::string& step_id) {
  using result = outcome<bool>;
  if (!internal::is_uuid(flow_id) || !internal::is_uuid(step_id))
    return result::refused(refusal::flow_step_missing);
  prepare(conn, "flows_delete_step", delete_step_sql);
  return in_transaction(conn, "delete_flow_step", [&](pqxx::work& tx) {
    if (tx.exec_prepared("flows_delete_step", flow_id, step_id)
            .affected_rows() == 0)
      return result::refused(refusal::flow_step_missing);
    return result::of(true);
  });
}

} // namespace cdpd::storage
