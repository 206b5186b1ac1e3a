#include "storage/repositories/delivery_repository.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::optional_text;
using internal::optional_timestamp;
using internal::param;

#define NOW_UTC "(now() AT TIME ZONE 'utc')"

// A completed campaign answers the counts it kept when it completed; any
// other counts its deliveries (the lateral read is skipped for the former).
#define EXECUTION_SELECT                                                       \
  "SELECT c.exec_phase, c.scheduled_at, c.started_at, c.finished_at,"          \
  " c.paused_reason, coalesce(c.final_audience, n.audience),"                  \
  " coalesce(c.final_pending, n.pending), coalesce(c.final_sent, n.sent),"     \
  " coalesce(c.final_failed, n.failed), coalesce(c.final_dead, n.dead), c.id," \
  " coalesce(s.emails_opened, 0), coalesce(s.emails_clicked, 0),"              \
  " coalesce(s.unsubscribes, 0)"                                               \
  " FROM campaigns c"                                                          \
  " LEFT JOIN campaign_delivery_stats s ON s.campaign_id = c.id"               \
  " LEFT JOIN LATERAL (SELECT count(*) AS audience,"                           \
  " count(*) FILTER (WHERE d.status IN ('pending', 'sending')) AS pending,"    \
  " count(*) FILTER (WHERE d.status = 'sent') AS sent,"                        \
  " count(*) FILTER (WHERE d.status = 'failed') AS failed,"                    \
  " count(*) FILTER (WHERE d.status = 'dead') AS dead FROM deliveries d"       \
  " WHERE d.campaign_id = c.id AND c.final_audience IS NULL) n ON true"

constexpr const char* execution_sql = EXECUTION_SELECT " WHERE c.id = $1::uuid";

// Campaigns whose execution the caller already has (from their actors)
// are left out: $1 is their ids.
constexpr const char* executions_sql =
    EXECUTION_SELECT " WHERE c.id <> ALL($1::uuid[])";

constexpr const char* lock_campaign_sql =
    "SELECT status, exec_phase FROM campaigns WHERE id = $1::uuid FOR UPDATE";

constexpr const char* claim_sql =
    "WITH picked AS (SELECT d.id, d.status AS was FROM deliveries d"
    " LEFT JOIN campaigns c ON c.id = d.campaign_id"
    " LEFT JOIN flow_runs r ON r.id = d.flow_run_id"
    " WHERE ((c.status = 'active' AND c.exec_phase = 'sending')"
    " OR r.status = 'active')"
    " AND ((d.status IN ('pending', 'failed') AND d.next_attempt_at <= " NOW_UTC
    ") OR (d.status = 'sending' AND d.lease_until <= " NOW_UTC "))"
    // A recipient's later step waits until the earlier ones are done.
    " AND (d.campaign_id IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries e"
    " WHERE e.campaign_id = d.campaign_id AND e.customer_id = d.customer_id"
    " AND e.step_index < d.step_index"
    " AND e.status IN ('pending', 'sending', 'failed')))"
    " AND (d.flow_run_id IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries e"
    " WHERE e.flow_run_id = d.flow_run_id AND e.step_index < d.step_index"
    " AND e.status IN ('pending', 'sending', 'failed')))"
    " ORDER BY d.next_attempt_at, d.id LIMIT $1"
    " FOR UPDATE OF d SKIP LOCKED),"
    " claimed AS (UPDATE deliveries d SET status = 'sending',"
    " attempts = d.attempts + 1,"
    " lease_until = " NOW_UTC " + $2::bigint * interval '1 millisecond',"
    " claimed_by = NULLIF($3, '')"
    " FROM picked WHERE d.id = picked.id RETURNING d.id, d.campaign_id,"
    " d.step_index, d.customer_id, d.email, d.idempotency_key, d.attempts,"
    " d.flow_run_id)"
    " SELECT cl.id, coalesce(cl.campaign_id::text, ''), cl.step_index,"
    " cl.customer_id, cl.email, cl.idempotency_key, cl.attempts,"
    " coalesce(ds.subject, rs.subject, ''),"
    " coalesce(ds.body_text, rs.body_text, ''), cu.first_name, cu.last_name,"
    " cu.shipping_state, cu.shipping_country,"
    " (cu.marketing_opt_in AND cu.unsubscribed_at IS NULL),"
    " coalesce(cl.flow_run_id::text, ''), ca.send_speed_per_minute,"
    " p.was = 'failed'"
    " FROM claimed cl JOIN picked p ON p.id = cl.id"
    " JOIN customers cu ON cu.id = cl.customer_id"
    " LEFT JOIN campaigns ca ON ca.id = cl.campaign_id"
    " LEFT JOIN delivery_steps ds ON ds.campaign_id = cl.campaign_id"
    " AND ds.step_index = cl.step_index"
    " LEFT JOIN flow_run_steps rs ON rs.run_id = cl.flow_run_id"
    " AND rs.step_index = cl.step_index ORDER BY cl.id";

// $1 ids, $2 attempts, $3 delays in ms (array literals), matched pairwise.
constexpr const char* defer_sql =
    "UPDATE deliveries d SET"
    " status = CASE WHEN d.attempts <= 1 THEN 'pending' ELSE 'failed' END,"
    " attempts = d.attempts - 1, lease_until = NULL,"
    " next_attempt_at = " NOW_UTC " + c.delay * interval '1 millisecond'"
    " FROM unnest($1::bigint[], $2::int[], $3::bigint[])"
    " AS c(id, attempts, delay)"
    " WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'sending'";

constexpr const char* sent_sql =
    "UPDATE deliveries SET status = 'sent', sent_at = " NOW_UTC
    ", message_id = $3, lease_until = NULL, last_error = NULL"
    " WHERE id = $1 AND attempts = $2 AND status = 'sending'";

// $4 retryable, $5 max attempts, $6 backoff ms, $7 max age ms.
#define GIVE_UP                                                                \
  "(NOT $4::boolean OR attempts >= $5::int OR created_at <= " NOW_UTC          \
  " - $7::bigint * interval '1 millisecond')"
constexpr const char* failure_sql =
    "UPDATE deliveries SET"
    " status = CASE WHEN " GIVE_UP " THEN 'dead' ELSE 'failed' END,"
    " next_attempt_at = CASE WHEN " GIVE_UP " THEN next_attempt_at"
    " ELSE " NOW_UTC " + $6::float8 * power(2, least(attempts - 1, 20))"
    " * interval '1 millisecond' END,"
    " lease_until = NULL, last_error = $3"
    " WHERE id = $1 AND attempts = $2 AND status = 'sending'"
    " RETURNING status";
#undef GIVE_UP

constexpr const char* list_sql =
    "SELECT id, coalesce(campaign_id::text, ''), step_index, customer_id,"
    " email, status, attempts, due_at, next_attempt_at, last_error, sent_at,"
    " message_id, idempotency_key, created_at,"
    " coalesce(flow_run_id::text, '') FROM deliveries"
    " WHERE ($1 = '' OR campaign_id = nullif($1, '')::uuid)"
    " AND ($2::text IS NULL OR status = $2) AND id > $3"
    " ORDER BY id LIMIT $4";

campaign_execution read_execution(const pqxx::row& row) {
  campaign_execution e;
  e.phase = optional_text(row[0]);
  e.scheduled_at = optional_timestamp(row[1]);
  e.started_at = optional_timestamp(row[2]);
  e.finished_at = optional_timestamp(row[3]);
  e.paused_reason = optional_text(row[4]);
  e.audience = row[5].as<int64_t>();
  e.pending = row[6].as<int64_t>();
  e.sent = row[7].as<int64_t>();
  e.failed = row[8].as<int64_t>();
  e.dead = row[9].as<int64_t>();
  e.opened = row[11].as<int64_t>();
  e.clicked = row[12].as<int64_t>();
  e.unsubscribed = row[13].as<int64_t>();
  return e;
}

constexpr const char* replay_sql =
    "WITH r AS (UPDATE deliveries SET status = 'pending', attempts = 0,"
    " next_attempt_at = " NOW_UTC ", lease_until = NULL, last_error = NULL"
    " WHERE status = 'dead'"
    " AND (cardinality($1::bigint[]) = 0 OR id = ANY($1::bigint[]))"
    " AND ($2 = '' OR campaign_id = nullif($2, '')::uuid)"
    // Rows of an exited run stay dead: nothing would ever claim them.
    " AND (flow_run_id IS NULL OR NOT EXISTS (SELECT 1 FROM flow_runs x"
    " WHERE x.id = flow_run_id AND x.status = 'exited'))"
    " RETURNING campaign_id, flow_run_id),"
    " c AS (UPDATE campaigns SET status = 'active', exec_phase = 'sending',"
    " finished_at = NULL WHERE id IN (SELECT campaign_id FROM r)"
    " AND status = 'completed' AND exec_phase = 'done' RETURNING id),"
    // A completed run sends again; an exited one stays exited.
    " fr AS (UPDATE flow_runs SET status = 'active', finished_at = NULL"
    " WHERE id IN (SELECT flow_run_id FROM r) AND status = 'completed'"
    " RETURNING id)"
    " SELECT (SELECT count(*) FROM r), (SELECT coalesce(array_agg(DISTINCT"
    " campaign_id::text), '{}') FROM r WHERE campaign_id IS NOT NULL),"
    " (SELECT count(*) FROM c), (SELECT count(*) FROM fr)";

std::string ms(millis value) {
  return std::to_string(value.count());
}

} // namespace

caf::expected<outcome<campaign_execution>>
get_campaign_execution(pqxx::connection& conn, const std::string& id) {
  using result = outcome<campaign_execution>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::campaign_missing);
  return in_transaction(conn, "campaign_execution", [&](pqxx::work& tx) {
    auto rows = tx.exec_params(execution_sql, id);
    if (rows.empty())
      return result::refused(refusal::campaign_missing);
    return result::of(read_execution(rows[0]));
  });
}

caf::expected<std::map<std::string, campaign_execution>>
list_campaign_executions(pqxx::connection& conn,
                         const std::vector<std::string>& known) {
  auto skip = internal::array_literal(
      known, [](const std::string& id) { return id; },
      [](const std::string& id) { return internal::is_uuid(id); });
  return in_transaction(conn, "campaign_executions", [&](pqxx::work& tx) {
    // The planner costs the lateral count of every campaign as if it ran
    // (it does not for completed ones), which crosses jit_above_cost: JIT
    // compilation then takes ~160 ms of a query that runs in under 1 ms.
    tx.exec("SET LOCAL jit = off");
    std::map<std::string, campaign_execution> out;
    for (const auto& row : tx.exec_params(executions_sql, skip))
      out.emplace(row[10].as<std::string>(), read_execution(row));
    return out;
  });
}

caf::expected<transition_result>
transition_campaign(pqxx::connection& conn, const std::string& id,
                    const std::string& status, const transition_rule& allowed) {
  if (!internal::is_uuid(id))
    return transition_result{};
  return in_transaction(conn, "transition_campaign", [&](pqxx::work& tx) {
    transition_result out;
    auto rows = tx.exec_params(lock_campaign_sql, id);
    if (rows.empty())
      return out;
    out.found = true;
    auto from = rows[0][0].as<std::string>();
    auto phase = optional_text(rows[0][1]);
    out.conflict = allowed(from, phase);
    if (!out.conflict.empty() || from == status)
      return out;
    if (status == "active") {
      // Resuming keeps the phase; a failed start is tried again.
      tx.exec_params("UPDATE campaigns SET status = 'active',"
                     " dead_at_resume = (SELECT count(*) FROM deliveries"
                     " WHERE campaign_id = $1::uuid AND status = 'dead'),"
                     " paused_reason = NULL, exec_phase = CASE"
                     " WHEN exec_phase = 'failed' THEN NULL ELSE exec_phase"
                     " END WHERE id = $1::uuid",
                     id);
    } else if (status == "paused") {
      tx.exec_params("UPDATE campaigns SET status = 'paused',"
                     " paused_reason = 'paused by a user' WHERE id = $1::uuid",
                     id);
    } else if (status == "completed") {
      tx.exec_params("UPDATE campaigns SET status = 'completed',"
                     " exec_phase = 'done', finished_at = coalesce("
                     "finished_at, " NOW_UTC ") WHERE id = $1::uuid",
                     id);
    } else {
      tx.exec_params("UPDATE campaigns SET status = 'draft',"
                     " exec_phase = NULL, scheduled_at = NULL,"
                     " paused_reason = NULL, finished_at = NULL"
                     " WHERE id = $1::uuid",
                     id);
    }
    return out;
  });
}

caf::expected<std::vector<claimed_delivery>>
claim_deliveries(pqxx::connection& conn, int64_t limit, millis lease,
                 const std::string& claimant) {
  return in_transaction(conn, "claim_deliveries", [&](pqxx::work& tx) {
    std::vector<claimed_delivery> out;
    for (const auto& row :
         tx.exec_params(claim_sql, limit, ms(lease), claimant)) {
      claimed_delivery d;
      d.id = row[0].as<int64_t>();
      d.campaign_id = row[1].as<std::string>();
      d.step_index = row[2].as<int64_t>();
      d.customer_id = row[3].as<std::string>();
      d.email = row[4].as<std::string>();
      d.idempotency_key = row[5].as<std::string>();
      d.attempts = row[6].as<int64_t>();
      d.subject = row[7].as<std::string>();
      d.body_text = row[8].as<std::string>();
      d.first_name = row[9].as<std::string>();
      d.last_name = row[10].as<std::string>();
      d.shipping_state = optional_text(row[11]);
      d.shipping_country = optional_text(row[12]);
      d.may_receive = row[13].as<bool>();
      d.flow_run_id = row[14].as<std::string>();
      if (!row[15].is_null())
        d.send_speed_per_minute = row[15].as<int64_t>();
      d.was_failed = row[16].as<bool>();
      out.push_back(std::move(d));
    }
    return out;
  });
}

caf::expected<int64_t> defer_claims(pqxx::connection& conn,
                                    const std::vector<deferred_claim>& claims) {
  if (claims.empty())
    return int64_t{0};
  std::string ids = "{";
  std::string attempts = "{";
  std::string delays = "{";
  for (const auto& c : claims) {
    if (ids.size() > 1) {
      ids += ',';
      attempts += ',';
      delays += ',';
    }
    ids += std::to_string(c.id);
    attempts += std::to_string(c.attempts);
    delays += std::to_string(std::max<int64_t>(0, c.delay.count()));
  }
  ids += '}';
  attempts += '}';
  delays += '}';
  return in_transaction(conn, "defer_claims", [&](pqxx::work& tx) {
    return static_cast<int64_t>(
        tx.exec_params(defer_sql, ids, attempts, delays).affected_rows());
  });
}

caf::expected<bool> record_sent(pqxx::connection& conn, int64_t id,
                                int64_t attempts,
                                const std::string& message_id) {
  return in_transaction(conn, "record_sent", [&](pqxx::work& tx) {
    return tx.exec_params(sent_sql, id, attempts, message_id).affected_rows() ==
           1;
  });
}

caf::expected<std::optional<std::string>>
record_failure(pqxx::connection& conn, int64_t id, int64_t attempts,
               const std::string& error, bool retryable,
               const retry_rules& rules) {
  return in_transaction(conn, "record_failure",
                        [&](pqxx::work& tx) -> std::optional<std::string> {
                          auto rows = tx.exec_params(
                              failure_sql, id, attempts, error,
                              param(retryable), rules.max_attempts,
                              ms(rules.backoff), ms(rules.max_age));
                          if (rows.empty())
                            return std::nullopt;
                          return rows[0][0].as<std::string>();
                        });
}

caf::expected<std::vector<delivery_record>>
list_deliveries(pqxx::connection& conn, const std::string& campaign_id,
                const std::optional<std::string>& status, int64_t after_id,
                int64_t limit) {
  if (!campaign_id.empty() && !internal::is_uuid(campaign_id))
    return std::vector<delivery_record>{};
  return in_transaction(conn, "list_deliveries", [&](pqxx::work& tx) {
    std::vector<delivery_record> out;
    for (const auto& row : tx.exec_params(list_sql, campaign_id, param(status),
                                          after_id, limit)) {
      delivery_record d;
      d.id = row[0].as<int64_t>();
      d.campaign_id = row[1].as<std::string>();
      d.step_index = row[2].as<int64_t>();
      d.customer_id = row[3].as<std::string>();
      d.email = row[4].as<std::string>();
      d.status = row[5].as<std::string>();
      d.attempts = row[6].as<int64_t>();
      d.due_at = internal::iso_timestamp(row[7].c_str());
      d.next_attempt_at = internal::iso_timestamp(row[8].c_str());
      d.last_error = optional_text(row[9]);
      d.sent_at = optional_timestamp(row[10]);
      d.message_id = optional_text(row[11]);
      d.idempotency_key = row[12].as<std::string>();
      d.created_at = internal::iso_timestamp(row[13].c_str());
      d.flow_run_id = row[14].as<std::string>();
      out.push_back(std::move(d));
    }
    return out;
  });
}

caf::expected<replay_result> replay_dead(pqxx::connection& conn,
                                         const std::vector<int64_t>& ids,
                                         const std::string& campaign_id) {
  if (ids.empty() && campaign_id.empty())
    return replay_result{};
  if (!campaign_id.empty() && !internal::is_uuid(campaign_id))
    return replay_result{};
  auto array = internal::array_literal(
      ids, [](int64_t id) { return std::to_string(id); });
  return in_transaction(conn, "replay_dead", [&](pqxx::work& tx) {
    auto row = tx.exec_params(replay_sql, array, campaign_id)[0];
    replay_result out;
    out.replayed = row[0].as<int64_t>();
    auto list = row[1].as_array();
    for (auto item = list.get_next();
         item.first != pqxx::array_parser::juncture::done;
         item = list.get_next())
      if (item.first == pqxx::array_parser::juncture::string_value)
        out.campaign_ids.push_back(item.second);
    return out;
  });
}

} // namespace cdpd::storage
