#include "storage/repositories/campaign_run_repository.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/sql_compiler.hpp"

namespace cdpd::storage {

namespace {

using internal::bind_name;
using internal::in_transaction;
using internal::optional_text;
using internal::optional_timestamp;

#define NOW_UTC "(now() AT TIME ZONE 'utc')"

constexpr const char* load_sql =
    "SELECT c.status, c.exec_phase, c.scheduled_at, c.started_at,"
    " c.finished_at, c.paused_reason, count(d.id),"
    " count(*) FILTER (WHERE d.status IN ('pending', 'sending')),"
    " count(*) FILTER (WHERE d.status = 'sent'),"
    " count(*) FILTER (WHERE d.status = 'failed'),"
    " count(*) FILTER (WHERE d.status = 'dead'), c.dead_at_resume,"
    " (extract(epoch FROM c.scheduled_at - " NOW_UTC ") * 1000)::bigint,"
    " c.send_speed_per_minute, coalesce(s.emails_opened, 0),"
    " coalesce(s.emails_clicked, 0), coalesce(s.unsubscribes, 0)"
    " FROM campaigns c LEFT JOIN deliveries d ON d.campaign_id = c.id"
    " LEFT JOIN campaign_delivery_stats s ON s.campaign_id = c.id"
    " WHERE c.id = $1::uuid GROUP BY c.id, s.campaign_id";

constexpr const char* live_sql =
    "SELECT id::text FROM campaigns WHERE status IN ('active', 'paused')"
    " AND exec_phase IS DISTINCT FROM 'done' ORDER BY id";

// A valid HH:MM[:SS] time of day, else midnight of start_date.
constexpr const char* schedule_sql =
    "UPDATE campaigns SET exec_phase = 'waiting', paused_reason = NULL,"
    " scheduled_at = greatest(" NOW_UTC ", coalesce(CASE"
    " WHEN start_date IS NULL THEN NULL"
    " WHEN start_time_of_day ~ '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$'"
    " THEN ((start_date::date + start_time_of_day::time) AT TIME ZONE $2)"
    " AT TIME ZONE 'utc'"
    " ELSE (start_date AT TIME ZONE $2) AT TIME ZONE 'utc' END, " NOW_UTC "))"
    " WHERE id = $1::uuid AND status = 'active' AND (exec_phase IS NULL"
    " OR (exec_phase = 'waiting' AND scheduled_at IS NULL))";

constexpr const char* start_lock_sql =
    "SELECT c.status, c.exec_phase, c.flow_id, s.definition::text"
    " FROM campaigns c JOIN segments s ON s.id = c.segment_id"
    " WHERE c.id = $1::uuid FOR UPDATE OF c";

constexpr const char* start_fail_sql =
    "UPDATE campaigns SET status = 'paused', exec_phase = 'failed',"
    " paused_reason = $2, finished_at = " NOW_UTC " WHERE id = $1::uuid";

constexpr const char* steps_sql =
    "INSERT INTO delivery_steps (campaign_id, step_index, subject, body_text)"
    " SELECT $1::uuid, step_order, coalesce(config->>'subject', ''),"
    " coalesce(config->>'body_text', '') FROM flow_steps"
    " WHERE flow_id = $2::uuid AND step_type = 'SEND_EMAIL'"
    " ORDER BY step_order, id ON CONFLICT DO NOTHING";

// $C campaign id, $F flow id, $W wait_day in ms; the segment's condition
// over `c` is spliced in with its own $1..$n.
constexpr const char* snapshot_head =
    "WITH steps AS (SELECT step_order, step_type, coalesce(sum(CASE"
    " WHEN step_type = 'WAIT' AND jsonb_typeof(config->'duration_days') ="
    " 'number' THEN (config->>'duration_days')::float8 ELSE 0 END)"
    " OVER (ORDER BY step_order, id ROWS BETWEEN UNBOUNDED PRECEDING AND"
    " 1 PRECEDING), 0) AS wait_days FROM flow_steps WHERE flow_id = $F::uuid),"
    " sends AS (SELECT DISTINCT ON (step_order) step_order, wait_days"
    " FROM steps WHERE step_type = 'SEND_EMAIL' ORDER BY step_order),"
    " start AS (SELECT " NOW_UTC " AS at)"
    " INSERT INTO deliveries (campaign_id, step_index, customer_id, email,"
    " due_at, next_attempt_at, idempotency_key)"
    " SELECT $C::uuid, s.step_order, c.id, c.email,"
    " start.at + (s.wait_days * $W::float8) * interval '1 millisecond',"
    " start.at + (s.wait_days * $W::float8) * interval '1 millisecond',"
    " ($C::uuid)::text || ':' || s.step_order || ':' || c.id"
    " FROM sends s CROSS JOIN start CROSS JOIN customers c"
    " WHERE c.marketing_opt_in AND c.unsubscribed_at IS NULL AND (";

constexpr const char* snapshot_tail =
    ") ON CONFLICT (idempotency_key) DO NOTHING";

constexpr const char* started_sql =
    "UPDATE campaigns SET exec_phase = 'sending', started_at = " NOW_UTC
    ", finished_at = NULL WHERE id = $1::uuid";

constexpr const char* complete_sql =
    "UPDATE campaigns c SET status = 'completed', exec_phase = 'done',"
    " finished_at = " NOW_UTC " WHERE c.id = $1::uuid AND c.status = 'active'"
    " AND c.exec_phase = 'sending'"
    " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id"
    " AND d.status IN ('pending', 'sending', 'failed'))";

constexpr const char* pause_failing_sql =
    "UPDATE campaigns c SET status = 'paused', paused_reason ="
    " format('paused after %s deliveries failed for good',"
    " d.n - c.dead_at_resume)"
    " FROM (SELECT count(*) AS n FROM deliveries"
    " WHERE campaign_id = $1::uuid AND status = 'dead') d"
    " WHERE c.id = $1::uuid AND c.status = 'active'"
    " AND c.exec_phase = 'sending' AND d.n - c.dead_at_resume >= $2"
    " RETURNING c.paused_reason";

} // namespace

caf::expected<std::optional<campaign_run_state>>
load_campaign_run(pqxx::connection& conn, const std::string& id) {
  using result = std::optional<campaign_run_state>;
  if (!internal::is_uuid(id))
    return result{};
  return in_transaction(conn, "load_campaign_run", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(load_sql, id);
    if (rows.empty())
      return result{};
    const auto& row = rows[0];
    campaign_run_state out;
    out.status = row[0].as<std::string>();
    auto& e = out.execution;
    e.phase = optional_text(row[1]);
    e.scheduled_at = optional_timestamp(row[2]);
    e.started_at = optional_timestamp(row[3]);
    e.finished_at = optional_timestamp(row[4]);
    e.paused_reason = optional_text(row[5]);
    e.audience = row[6].as<int64_t>();
    e.pending = row[7].as<int64_t>();
    e.sent = row[8].as<int64_t>();
    e.failed = row[9].as<int64_t>();
    e.dead = row[10].as<int64_t>();
    out.dead_at_resume = row[11].as<int64_t>();
    if (!row[12].is_null())
      out.start_in_ms = row[12].as<int64_t>();
    if (!row[13].is_null())
      out.speed_per_minute = row[13].as<int64_t>();
    e.opened = row[14].as<int64_t>();
    e.clicked = row[15].as<int64_t>();
    e.unsubscribed = row[16].as<int64_t>();
    return result{std::move(out)};
  });
}

caf::expected<std::vector<std::string>>
live_campaign_ids(pqxx::connection& conn) {
  return in_transaction(conn, "live_campaign_ids", [&](pqxx::work& tx) {
    std::vector<std::string> ids;
    for (const auto& row : tx.exec(live_sql))
      ids.push_back(row[0].as<std::string>());
    return ids;
  });
}

caf::expected<bool> schedule_campaign(pqxx::connection& conn,
                                      const std::string& id,
                                      const std::string& timezone) {
  if (!internal::is_uuid(id))
    return false;
  return in_transaction(conn, "schedule_campaign", [&](pqxx::work& tx) {
    return tx.exec_params(schedule_sql, id, timezone).affected_rows() == 1;
  });
}

caf::expected<start_result>
start_campaign(pqxx::connection& conn, const std::string& id, millis wait_day) {
  if (!internal::is_uuid(id))
    return start_result{};
  return in_transaction(conn, "start_campaign", [&](pqxx::work& tx) {
    start_result out;
    auto rows = tx.exec_params(start_lock_sql, id);
    if (rows.empty())
      return out;
    const auto& row = rows[0];
    if (row[0].as<std::string>() != "active" || row[1].is_null() ||
        row[1].as<std::string>() != "waiting")
      return out;
    auto fail = [&](std::string why) {
      tx.exec_params(start_fail_sql, id, why);
      out.problem = std::move(why);
      return out;
    };
    if (row[2].is_null())
      return fail("the campaign has no flow");
    auto flow_id = row[2].as<std::string>();
    auto text = nlohmann::json::parse(row[3].as<std::string>(), nullptr, false);
    auto parsed = segments::parse_definition(text);
    if (!parsed.ok())
      return fail("the campaign's segment definition is invalid");
    tx.exec_params(steps_sql, id, flow_id);
    auto where = segments::compile_where(*parsed.definition,
                                         std::chrono::system_clock::now());
    auto params = where.params;
    std::string sql = snapshot_head + where.sql + snapshot_tail;
    params.push_back(id);
    sql = bind_name(std::move(sql), "$C", params.size());
    params.push_back(flow_id);
    sql = bind_name(std::move(sql), "$F", params.size());
    params.push_back(std::to_string(wait_day.count()));
    sql = bind_name(std::move(sql), "$W", params.size());
    auto inserted =
        tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    out.rows = static_cast<int64_t>(inserted.affected_rows());
    tx.exec_params(started_sql, id);
    out.started = true;
    return out;
  });
}

caf::expected<bool> complete_campaign(pqxx::connection& conn,
                                      const std::string& id) {
  if (!internal::is_uuid(id))
    return false;
  return in_transaction(conn, "complete_campaign", [&](pqxx::work& tx) {
    return tx.exec_params(complete_sql, id).affected_rows() == 1;
  });
}

caf::expected<std::string> pause_if_failing(pqxx::connection& conn,
                                            const std::string& id,
                                            int64_t threshold) {
  if (threshold <= 0 || !internal::is_uuid(id))
    return std::string{};
  return in_transaction(conn, "pause_if_failing", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(pause_failing_sql, id, threshold);
    return rows.empty() ? std::string{} : rows[0][0].as<std::string>();
  });
}

} // namespace cdpd::storage
