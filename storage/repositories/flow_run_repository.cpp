#include "storage/repositories/flow_run_repository.hpp"

#include <cctype>
#include <map>

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
using internal::param;

#define NOW_UTC "(now() AT TIME ZONE 'utc')"

constexpr const char* insert_event_sql =
    "INSERT INTO customer_events (customer_id, type, properties, occurred_at)"
    " VALUES ($1::uuid, $2, $3::jsonb, coalesce($4::timestamp, " NOW_UTC "))"
    " RETURNING id";

constexpr const char* customer_exists_sql =
    "SELECT 1 FROM customers WHERE id = $1::uuid";

constexpr const char* customer_orders_sql =
    "SELECT count(*) FROM orders WHERE customer_id = $1::uuid";

constexpr const char* claim_events_sql =
    "SELECT id, customer_id, type, occurred_at, recorded_at"
    " FROM customer_events WHERE processed_at IS NULL"
    " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED";

constexpr const char* entry_flows_sql =
    "SELECT f.id, s.definition::text FROM flows f"
    " JOIN segments s ON s.id = f.segment_id"
    " WHERE f.entry_condition_type = $1 AND f.created_at <= $2::timestamp"
    " ORDER BY f.id";

// $F flow, $E event, $U customer, $T event time, $W wait_day in ms; the
// segment's condition over `c` is spliced in with its own $1..$n. The run,
// its step snapshot and its deliveries are one statement.
constexpr const char* enrol_head =
    "WITH run AS (INSERT INTO flow_runs (flow_id, customer_id, event_id)"
    " SELECT $F::uuid, c.id, $E::bigint FROM customers c"
    " WHERE c.id = $U::uuid AND c.marketing_opt_in"
    " AND c.unsubscribed_at IS NULL AND (";

constexpr const char* enrol_tail =
    ") ON CONFLICT (flow_id, event_id) DO NOTHING"
    " RETURNING id, customer_id),"
    " steps AS (SELECT step_order, step_type, config, coalesce(sum(CASE"
    " WHEN step_type = 'WAIT' AND jsonb_typeof(config->'duration_days') ="
    " 'number' THEN (config->>'duration_days')::float8 ELSE 0 END)"
    " OVER w_before, 0) AS wait_days,"
    " count(*) FILTER (WHERE step_type = 'EXIT') OVER w_upto AS exits"
    " FROM flow_steps WHERE flow_id = $F::uuid"
    " WINDOW w_before AS (ORDER BY step_order, id ROWS BETWEEN UNBOUNDED"
    " PRECEDING AND 1 PRECEDING), w_upto AS (ORDER BY step_order, id ROWS"
    " BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),"
    " sends AS (SELECT DISTINCT ON (step_order) step_order, wait_days,"
    " coalesce(config->>'subject', '') AS subject,"
    " coalesce(config->>'body_text', '') AS body_text FROM steps"
    " WHERE step_type = 'SEND_EMAIL' AND exits = 0 ORDER BY step_order),"
    " content AS (INSERT INTO flow_run_steps (run_id, step_index, subject,"
    " body_text) SELECT run.id, s.step_order, s.subject, s.body_text"
    " FROM run CROSS JOIN sends s),"
    " queued AS (INSERT INTO deliveries (flow_run_id, step_index, customer_id,"
    " email, due_at, next_attempt_at, idempotency_key)"
    " SELECT run.id, s.step_order, c.id, c.email,"
    " $T::timestamp + (s.wait_days * $W::float8) * interval '1 millisecond',"
    " $T::timestamp + (s.wait_days * $W::float8) * interval '1 millisecond',"
    " 'run:' || run.id || ':' || s.step_order"
    " FROM run JOIN customers c ON c.id = run.customer_id CROSS JOIN sends s"
    " RETURNING 1)"
    " SELECT (SELECT count(*) FROM run), (SELECT count(*) FROM queued)";

constexpr const char* mark_processed_sql =
    "UPDATE customer_events SET processed_at = " NOW_UTC
    " WHERE id = ANY($1::bigint[])";

constexpr const char* lock_run_sql =
    "SELECT r.customer_id, s.definition::text FROM flow_runs r"
    " JOIN flows f ON f.id = r.flow_id JOIN segments s ON s.id = f.segment_id"
    " WHERE r.id = $1::uuid AND r.status = 'active' FOR UPDATE OF r";

constexpr const char* exit_run_sql =
    "UPDATE flow_runs SET status = 'exited', exit_reason = $2,"
    " finished_at = " NOW_UTC " WHERE id = $1::uuid";

constexpr const char* kill_run_rows_sql =
    "UPDATE deliveries SET status = 'dead', last_error = $2,"
    " lease_until = NULL WHERE flow_run_id = $1::uuid"
    " AND status IN ('pending', 'sending', 'failed')";

constexpr const char* complete_runs_sql =
    "UPDATE flow_runs r SET status = 'completed', finished_at = " NOW_UTC
    " WHERE r.status = 'active' AND NOT EXISTS (SELECT 1 FROM deliveries d"
    " WHERE d.flow_run_id = r.id"
    " AND d.status IN ('pending', 'sending', 'failed'))";

constexpr const char* flow_exists_sql =
    "SELECT 1 FROM flows WHERE id = $1::uuid";

constexpr const char* count_runs_sql =
    "SELECT count(*) FROM flow_runs WHERE flow_id = $1::uuid"
    " AND ($2::text IS NULL OR status = $2)";

constexpr const char* list_runs_sql =
    "SELECT r.id, r.flow_id, r.customer_id, r.event_id, r.status,"
    " r.exit_reason, r.started_at, r.finished_at,"
    " count(d.id) FILTER (WHERE d.status IN ('pending', 'sending')),"
    " count(d.id) FILTER (WHERE d.status = 'sent'),"
    " count(d.id) FILTER (WHERE d.status = 'failed'),"
    " count(d.id) FILTER (WHERE d.status = 'dead')"
    " FROM flow_runs r LEFT JOIN deliveries d ON d.flow_run_id = r.id"
    " WHERE r.flow_id = $1::uuid AND ($2::text IS NULL OR r.status = $2)"
    " AND ($3::timestamp IS NULL OR (r.started_at, r.id) >"
    " ($3::timestamp, $4::uuid))"
    " GROUP BY r.id ORDER BY r.started_at, r.id OFFSET $5 LIMIT $6";

/// The segment condition of a definition text; nullopt when invalid.
std::optional<segments::compiled_query> segment_where(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  auto parsed = segments::parse_definition(json);
  if (!parsed.ok())
    return std::nullopt;
  return segments::compile_where(*parsed.definition,
                                 std::chrono::system_clock::now());
}

/// One claimed event.
struct pending_event {
  int64_t id = 0;
  std::string customer_id;
  std::string type;
  std::string occurred_at;
  std::string recorded_at;
};

/// Enrols one event in one flow; adds what it created to `out`.
void enrol_in_flow(pqxx::work& tx, const pending_event& e,
                   const std::string& flow_id,
                   const segments::compiled_query& where,
                   std::chrono::milliseconds wait_day, enrol_result& out) {
  auto params = where.params;
  std::string sql = enrol_head + where.sql + enrol_tail;
  const std::pair<const char*, std::string> named[] = {
      {"$F", flow_id},
      {"$E", std::to_string(e.id)},
      {"$U", e.customer_id},
      {"$T", e.occurred_at},
      {"$W", std::to_string(wait_day.count())}};
  for (const auto& [name, value] : named) {
    params.push_back(value);
    sql = bind_name(std::move(sql), name, params.size());
  }
  auto row = tx.exec_params1(sql, pqxx::prepare::make_dynamic_params(params));
  out.runs += row[0].as<int64_t>();
  out.deliveries += row[1].as<int64_t>();
}

} // namespace

int64_t insert_event(pqxx::work& tx, const std::string& customer_id,
                     const std::string& type, const std::string& properties) {
  return tx
      .exec_params1(insert_event_sql, customer_id, type, properties,
                    static_cast<const char*>(nullptr))[0]
      .as<int64_t>();
}

void insert_order_events(pqxx::work& tx, const std::string& customer_id,
                         const std::string& order_id,
                         const std::string& status) {
  auto properties = nlohmann::json{{"order_id", order_id}}.dump();
  std::string lower;
  for (char ch : status)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "completed")
    insert_event(tx, customer_id, "order_completed", properties);
  auto orders =
      tx.exec_params1(customer_orders_sql, customer_id)[0].as<int64_t>();
  if (orders == 1)
    insert_event(tx, customer_id, "first_purchase", properties);
}

caf::expected<outcome<event_record>> record_event(pqxx::connection& conn,
                                                  const event_input& input) {
  using result = outcome<event_record>;
  if (!internal::is_uuid(input.customer_id))
    return result::refused(refusal::customer_missing);
  return in_transaction(conn, "record_event", [&](pqxx::work& tx) {
    if (tx.exec_params(customer_exists_sql, input.customer_id).empty())
      return result::refused(refusal::customer_missing);
    event_record out;
    out.id = tx.exec_params1(insert_event_sql, input.customer_id, input.type,
                             input.properties, param(input.occurred_at))[0]
                 .as<int64_t>();
    out.customer_id = input.customer_id;
    out.type = input.type;
    return result::of(std::move(out));
  });
}

caf::expected<enrol_result> enrol_events(pqxx::connection& conn, int64_t limit,
                                         std::chrono::milliseconds wait_day) {
  return in_transaction(conn, "enrol_events", [&](pqxx::work& tx) {
    enrol_result out;
    std::vector<pending_event> events;
    for (const auto& row : tx.exec_params(claim_events_sql, limit))
      events.push_back({row[0].as<int64_t>(), row[1].as<std::string>(),
                        row[2].as<std::string>(), row[3].as<std::string>(),
                        row[4].as<std::string>()});
    if (events.empty())
      return out;
    // Segment conditions compiled once per flow and batch.
    std::map<std::string, std::optional<segments::compiled_query>> wheres;
    std::string ids = "{";
    for (const auto& e : events) {
      ids += (ids.size() > 1 ? "," : "") + std::to_string(e.id);
      for (const auto& flow :
           tx.exec_params(entry_flows_sql, e.type, e.recorded_at)) {
        auto flow_id = flow[0].as<std::string>();
        auto found = wheres.find(flow_id);
        if (found == wheres.end())
          found =
              wheres.emplace(flow_id, segment_where(flow[1].as<std::string>()))
                  .first;
        if (found->second)
          enrol_in_flow(tx, e, flow_id, *found->second, wait_day, out);
      }
    }
    ids += "}";
    out.events = static_cast<int64_t>(
        tx.exec_params(mark_processed_sql, ids).affected_rows());
    return out;
  });
}

caf::expected<bool> exit_run_if_left(pqxx::connection& conn,
                                     const std::string& run_id) {
  if (!internal::is_uuid(run_id))
    return false;
  return in_transaction(conn, "exit_run_if_left", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(lock_run_sql, run_id);
    if (rows.empty())
      return false;
    auto customer_id = rows[0][0].as<std::string>();
    bool member = false;
    if (auto where = segment_where(rows[0][1].as<std::string>())) {
      auto params = where->params;
      params.push_back(customer_id);
      auto sql = "SELECT EXISTS (SELECT 1 FROM customers c WHERE c.id = $" +
                 std::to_string(params.size()) + "::uuid AND (" + where->sql +
                 "))";
      member =
          tx.exec_params1(sql, pqxx::prepare::make_dynamic_params(params))[0]
              .as<bool>();
    }
    if (member)
      return false;
    const std::string reason = "left segment";
    tx.exec_params(exit_run_sql, run_id, reason);
    tx.exec_params(kill_run_rows_sql, run_id, reason);
    return true;
  });
}

caf::expected<int64_t> complete_runs(pqxx::connection& conn) {
  return in_transaction(conn, "complete_runs", [&](pqxx::work& tx) {
    return static_cast<int64_t>(tx.exec(complete_runs_sql).affected_rows());
  });
}

caf::expected<outcome<page<flow_run_record>>>
list_flow_runs(pqxx::connection& conn, const std::string& flow_id,
               const std::optional<std::string>& status,
               const page_request& request) {
  using result = outcome<page<flow_run_record>>;
  if (!internal::is_uuid(flow_id))
    return result::refused(refusal::flow_missing);
  return in_transaction(conn, "list_flow_runs", [&](pqxx::work& tx) {
    if (tx.exec_params(flow_exists_sql, flow_id).empty())
      return result::refused(refusal::flow_missing);
    auto total = tx.exec_params1(count_runs_sql, flow_id, param(status))[0]
                     .as<int64_t>();
    const char* after_at =
        request.after ? request.after->created_at.c_str() : nullptr;
    const char* after_id = request.after ? request.after->id.c_str() : nullptr;
    auto rows = tx.exec_params(list_runs_sql, flow_id, param(status), after_at,
                               after_id, request.skip, request.limit + 1);
    page<flow_run_record> out;
    out.total = total;
    for (const auto& row : rows) {
      if (static_cast<int64_t>(out.items.size()) >= request.limit) {
        if (!out.items.empty())
          out.next_cursor =
              page_cursor{out.items.back().started_at, out.items.back().id};
        break;
      }
      flow_run_record r;
      r.id = row[0].as<std::string>();
      r.flow_id = row[1].as<std::string>();
      r.customer_id = row[2].as<std::string>();
      r.event_id = row[3].as<int64_t>();
      r.status = row[4].as<std::string>();
      r.exit_reason = optional_text(row[5]);
      r.started_at = internal::iso_timestamp(row[6].c_str());
      r.finished_at = optional_timestamp(row[7]);
      r.pending = row[8].as<int64_t>();
      r.sent = row[9].as<int64_t>();
      r.failed = row[10].as<int64_t>();
      r.dead = row[11].as<int64_t>();
      out.items.push_back(std::move(r));
    }
    return result::of(std::move(out));
  });
}

} // namespace cdpd::storage
