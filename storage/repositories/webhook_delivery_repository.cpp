#include "storage/repositories/webhook_delivery_repository.hpp"

#include <algorithm>
#include <tuple>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::prepare;

#define NOW_UTC "(now() AT TIME ZONE 'utc')"

// SKIP LOCKED: a node finding another one fanning out leaves it the work
// instead of waiting. The snapshot is read by this statement and the new
// one taken by the next, after the lock is held, so a node that waited
// can never move the snapshot backwards.
constexpr const char* fanout_lock_sql =
    "SELECT snapshot::text FROM webhook_fanout FOR UPDATE SKIP LOCKED";

constexpr const char* fanout_sql =
    "WITH cur AS (SELECT $1::pg_snapshot AS old, pg_current_snapshot() AS new),"
    " added AS ("
    "  INSERT INTO webhook_deliveries"
    "   (endpoint_id, event_id, event_type, event_at, payload)"
    "  SELECT w.id, e.id, e.type, e.occurred_at,"
    "   jsonb_build_object('id', e.id, 'type', e.type, 'timestamp',"
    "    to_char(e.occurred_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "    'data', e.data)::text"
    "  FROM cur, events e JOIN webhook_endpoints w ON w.enabled"
    "   AND (w.event_types IS NULL OR e.type = ANY (w.event_types))"
    "  WHERE e.xid >= pg_snapshot_xmin(cur.old)"
    "   AND NOT pg_visible_in_snapshot(e.xid, cur.old)"
    "   AND pg_visible_in_snapshot(e.xid, cur.new)"
    "  ORDER BY e.seq, w.id RETURNING 1),"
    " moved AS (UPDATE webhook_fanout SET snapshot = cur.new FROM cur"
    "  RETURNING 1)"
    " SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM moved)";

// The head (first pending row) of an enabled endpoint whose head is due
// and unclaimed, locked so that claimers never share an endpoint: a second
// one skips it (SKIP LOCKED) and, once the claim commits, finds the head
// leased. $1: endpoints.
constexpr const char* head_sql =
    "SELECT d.id, d.endpoint_id FROM webhook_endpoints w"
    " CROSS JOIN LATERAL (SELECT h.id, h.next_attempt_at, h.lease_until"
    "  FROM webhook_deliveries h WHERE h.endpoint_id = w.id"
    "  AND h.status = 'pending' ORDER BY h.id LIMIT 1) first"
    " JOIN webhook_deliveries d ON d.id = first.id"
    " WHERE w.enabled AND d.status = 'pending'"
    "  AND d.next_attempt_at <= " NOW_UTC
    "  AND (d.lease_until IS NULL OR d.lease_until < " NOW_UTC ")"
    " ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED";

// The head and the pending rows after it, locked; whether each is free.
// $1 endpoint, $2 head id, $3 rows.
constexpr const char* chain_sql =
    "SELECT id, (lease_until IS NULL OR lease_until < " NOW_UTC ")"
    " FROM webhook_deliveries WHERE endpoint_id = $1::uuid"
    " AND status = 'pending' AND id >= $2 ORDER BY id LIMIT $3 FOR UPDATE";

// $1 ids, $2 owner, $3 lease ms.
constexpr const char* claim_sql =
    "UPDATE webhook_deliveries d"
    " SET lease_until = " NOW_UTC " + $3::bigint * interval '1 millisecond',"
    "  lease_owner = $2, attempts = d.attempts + 1"
    " FROM webhook_endpoints w"
    " WHERE d.id = ANY ($1::bigint[]) AND w.id = d.endpoint_id"
    " RETURNING d.id, d.endpoint_id, w.url, w.secret, d.event_id, d.payload,"
    "  d.attempts, extract(epoch FROM d.event_at)::float8";

constexpr const char* renew_sql =
    "UPDATE webhook_deliveries SET lease_until = " NOW_UTC
    " + $3::bigint * interval '1 millisecond'"
    " WHERE id = ANY ($1::bigint[]) AND lease_owner = $2 AND status = 'pending'"
    " RETURNING id";

constexpr const char* release_sql =
    "UPDATE webhook_deliveries SET lease_until = NULL, lease_owner = NULL,"
    " attempts = attempts - 1, next_attempt_at = "
    "greatest(next_attempt_at, " NOW_UTC
    " + $3::bigint * interval '1 millisecond')"
    " WHERE id = ANY ($1::bigint[]) AND lease_owner = $2 AND status = "
    "'pending'";

// $1 id, $2 owner, $3 outcome (delivered|retry|failed), $4 status, $5 body,
// $6 error, $7 latency, $8 retry after ms, $9 retry_for ms.
constexpr const char* record_sql =
    "UPDATE webhook_deliveries d SET"
    " status = CASE WHEN $3 = 'delivered' THEN 'delivered'"
    "  WHEN $3 = 'retry' AND " NOW_UTC
    " + $8::bigint * interval '1 millisecond'"
    "   < coalesce(d.first_attempt_at, " NOW_UTC
    ") + $9::bigint * interval '1 millisecond'"
    "  THEN 'pending' ELSE 'failed' END,"
    " next_attempt_at = " NOW_UTC " + $8::bigint * interval '1 millisecond',"
    " first_attempt_at = coalesce(d.first_attempt_at, " NOW_UTC "),"
    " lease_until = NULL, lease_owner = NULL,"
    " last_status = $4::int, last_body = $5, last_error = $6,"
    " latency_ms = $7::int"
    " WHERE d.id = $1 AND d.lease_owner = $2 AND d.status = 'pending'"
    " RETURNING d.endpoint_id, d.status";

constexpr const char* finished_sql =
    "UPDATE webhook_deliveries SET finished_at = " NOW_UTC " WHERE id = $1";

constexpr const char* streak_end_sql =
    "UPDATE webhook_endpoints SET failing_since = NULL"
    " WHERE id = $1::uuid AND failing_since IS NOT NULL";

// $1 endpoint, $2 disable_after ms, $3 the failure.
constexpr const char* streak_sql =
    "WITH before AS (SELECT id, enabled,"
    "  coalesce(failing_since, " NOW_UTC ") AS since"
    "  FROM webhook_endpoints WHERE id = $1::uuid FOR UPDATE)"
    " UPDATE webhook_endpoints w SET failing_since = before.since,"
    "  enabled = w.enabled AND before.since > " NOW_UTC
    "   - $2::bigint * interval '1 millisecond',"
    "  disabled_reason = CASE WHEN w.enabled AND before.since <= " NOW_UTC
    "   - $2::bigint * interval '1 millisecond'"
    "   THEN 'failing since ' || to_char(before.since,"
    "    'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ': ' || $3"
    "   ELSE w.disabled_reason END,"
    "  updated_at = CASE WHEN w.enabled AND before.since <= " NOW_UTC
    "   - $2::bigint * interval '1 millisecond' THEN " NOW_UTC
    "   ELSE w.updated_at END"
    " FROM before WHERE w.id = before.id"
    " RETURNING before.enabled AND NOT w.enabled";

constexpr const char* lag_sql =
    "SELECT greatest("
    " (SELECT extract(epoch FROM " NOW_UTC " - min(d.event_at))"
    "  FROM webhook_deliveries d JOIN webhook_endpoints w"
    "   ON w.id = d.endpoint_id AND w.enabled WHERE d.status = 'pending'),"
    " (SELECT extract(epoch FROM " NOW_UTC " - min(e.occurred_at))"
    "  FROM events e, webhook_fanout f"
    "  WHERE e.xid >= pg_snapshot_xmin(f.snapshot)"
    "   AND NOT pg_visible_in_snapshot(e.xid, f.snapshot)"
    "   AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled)),"
    " 0)::float8";

constexpr const char* disabled_sql =
    "SELECT count(*) FROM webhook_endpoints WHERE NOT enabled";

#define DELIVERY_COLUMNS                                                       \
  "id, event_id, event_type, status, attempts, last_status, last_body,"        \
  " last_error, latency_ms, next_attempt_at, created_at, finished_at,"         \
  " replay_of"

constexpr const char* endpoint_exists_sql =
    "SELECT 1 FROM webhook_endpoints WHERE id = $1::uuid";

constexpr const char* log_sql =
    "SELECT " DELIVERY_COLUMNS " FROM webhook_deliveries"
    " WHERE endpoint_id = $1::uuid AND ($2::text IS NULL OR status = $2)"
    " ORDER BY id DESC OFFSET $3 LIMIT $4";

constexpr const char* log_count_sql =
    "SELECT count(*) FROM webhook_deliveries"
    " WHERE endpoint_id = $1::uuid AND ($2::text IS NULL OR status = $2)";

constexpr const char* replay_one_sql =
    "INSERT INTO webhook_deliveries"
    " (endpoint_id, event_id, event_type, event_at, payload, replay_of)"
    " SELECT endpoint_id, event_id, event_type, event_at, payload, id"
    " FROM webhook_deliveries WHERE endpoint_id = $1::uuid AND id = $2"
    " RETURNING " DELIVERY_COLUMNS;

constexpr const char* replay_since_sql =
    "INSERT INTO webhook_deliveries"
    " (endpoint_id, event_id, event_type, event_at, payload)"
    " SELECT w.id, e.id, e.type, e.occurred_at,"
    "  jsonb_build_object('id', e.id, 'type', e.type, 'timestamp',"
    "   to_char(e.occurred_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "   'data', e.data)::text"
    " FROM events e JOIN webhook_endpoints w ON w.id = $1::uuid"
    "  AND (w.event_types IS NULL OR e.type = ANY (w.event_types))"
    " WHERE e.occurred_at >= $2::timestamp ORDER BY e.seq";

constexpr const char* ping_sql =
    "WITH msg AS (SELECT gen_random_uuid() AS id, " NOW_UTC " AS at)"
    " INSERT INTO webhook_deliveries"
    " (endpoint_id, event_id, event_type, event_at, payload)"
    " SELECT w.id, msg.id, 'webhook.ping', msg.at,"
    "  jsonb_build_object('id', msg.id, 'type', 'webhook.ping', 'timestamp',"
    "   to_char(msg.at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    "   'data', jsonb_build_object('webhook_id', w.id))::text"
    " FROM msg, webhook_endpoints w WHERE w.id = $1::uuid"
    " RETURNING " DELIVERY_COLUMNS;

std::optional<int64_t> optional_int(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<int64_t>();
}

webhook_delivery_record read_delivery(const pqxx::row& row) {
  webhook_delivery_record d;
  d.id = row[0].as<int64_t>();
  d.event_id = row[1].as<std::string>();
  d.event_type = row[2].as<std::string>();
  d.status = row[3].as<std::string>();
  d.attempts = row[4].as<int64_t>();
  d.last_status = optional_int(row[5]);
  d.last_body = internal::optional_text(row[6]);
  d.last_error = internal::optional_text(row[7]);
  d.latency_ms = optional_int(row[8]);
  d.next_attempt_at = internal::iso_timestamp(row[9].c_str());
  d.created_at = internal::iso_timestamp(row[10].c_str());
  d.finished_at = internal::optional_timestamp(row[11]);
  d.replay_of = optional_int(row[12]);
  return d;
}

bool endpoint_exists(pqxx::work& tx, const std::string& id) {
  return internal::is_uuid(id) &&
         !tx.exec_prepared("webhooks_exists", id).empty();
}

std::string id_array(const std::vector<int64_t>& ids) {
  return internal::array_literal(ids,
                                 [](int64_t id) { return std::to_string(id); });
}

} // namespace

const char* to_string(webhook_attempt::kind k) {
  switch (k) {
  case webhook_attempt::kind::delivered:
    return "delivered";
  case webhook_attempt::kind::retry:
    return "retry";
  case webhook_attempt::kind::failed:
    return "failed";
  }
  return "failed";
}

caf::expected<int64_t> fan_out_events(pqxx::connection& conn) {
  prepare(conn, "webhooks_fanout_lock", fanout_lock_sql);
  prepare(conn, "webhooks_fanout", fanout_sql);
  return in_transaction(conn, "fan_out_events", [&](pqxx::work& tx) {
    auto locked = tx.exec_prepared("webhooks_fanout_lock");
    if (locked.empty())
      return int64_t{0};
    auto row =
        tx.exec_prepared1("webhooks_fanout", locked[0][0].as<std::string>());
    return row[0].as<int64_t>();
  });
}

caf::expected<std::vector<claimed_webhook>>
claim_webhook_deliveries(pqxx::connection& conn, const std::string& owner,
                         std::chrono::milliseconds lease, int per_endpoint,
                         int endpoints) {
  prepare(conn, "webhooks_heads", head_sql);
  prepare(conn, "webhooks_chain", chain_sql);
  prepare(conn, "webhooks_claim", claim_sql);
  return in_transaction(conn, "claim_webhooks", [&](pqxx::work& tx) {
    // Only an unbroken run from the head is claimed: a row in it still
    // leased (a worker between recording a retry and giving back the rest
    // of its claim) ends the run, so rows are never sent out of order.
    std::vector<int64_t> ids;
    for (const auto& head : tx.exec_prepared("webhooks_heads", endpoints)) {
      for (const auto& row :
           tx.exec_prepared("webhooks_chain", head[1].as<std::string>(),
                            head[0].as<int64_t>(), per_endpoint)) {
        if (!row[1].as<bool>())
          break;
        ids.push_back(row[0].as<int64_t>());
      }
    }
    std::vector<claimed_webhook> out;
    if (ids.empty())
      return out;
    for (const auto& row :
         tx.exec_prepared("webhooks_claim", id_array(ids), owner,
                          static_cast<int64_t>(lease.count()))) {
      claimed_webhook c;
      c.id = row[0].as<int64_t>();
      c.endpoint_id = row[1].as<std::string>();
      c.url = row[2].as<std::string>();
      c.secret = row[3].as<std::string>();
      c.event_id = row[4].as<std::string>();
      c.payload = row[5].as<std::string>();
      c.attempts = row[6].as<int64_t>();
      c.event_at = row[7].as<double>();
      out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.endpoint_id, a.id) < std::tie(b.endpoint_id, b.id);
    });
    return out;
  });
}

caf::expected<std::vector<int64_t>>
renew_webhook_leases(pqxx::connection& conn, const std::vector<int64_t>& ids,
                     const std::string& owner,
                     std::chrono::milliseconds lease) {
  prepare(conn, "webhooks_renew", renew_sql);
  auto list = id_array(ids);
  return in_transaction(conn, "renew_webhook_leases", [&](pqxx::work& tx) {
    std::vector<int64_t> held;
    for (const auto& row :
         tx.exec_prepared("webhooks_renew", list, owner,
                          static_cast<int64_t>(lease.count())))
      held.push_back(row[0].as<int64_t>());
    return held;
  });
}

caf::expected<attempt_recorded>
record_webhook_attempt(pqxx::connection& conn, int64_t id,
                       const std::string& owner, const webhook_attempt& a,
                       const webhook_limits& limits) {
  prepare(conn, "webhooks_record", record_sql);
  prepare(conn, "webhooks_finished", finished_sql);
  prepare(conn, "webhooks_streak_end", streak_end_sql);
  prepare(conn, "webhooks_streak", streak_sql);
  std::optional<std::string> status;
  if (a.status != 0)
    status = std::to_string(a.status);
  std::optional<std::string> error;
  if (!a.error.empty())
    error = a.error;
  return in_transaction(conn, "record_webhook_attempt", [&](pqxx::work& tx) {
    attempt_recorded out;
    auto rows = tx.exec_prepared(
        "webhooks_record", id, owner, to_string(a.result),
        internal::param(status), a.body, internal::param(error), a.latency_ms,
        std::max<int64_t>(a.retry_after, 0),
        static_cast<int64_t>(limits.retry_for.count()));
    if (rows.empty())
      return out;
    out.held = true;
    auto endpoint = rows[0][0].as<std::string>();
    auto now_status = rows[0][1].as<std::string>();
    out.finished = now_status != "pending";
    if (out.finished)
      tx.exec_prepared0("webhooks_finished", id);
    if (a.result == webhook_attempt::kind::delivered) {
      tx.exec_prepared0("webhooks_streak_end", endpoint);
    } else {
      auto why = a.error.empty() ? "HTTP " + std::to_string(a.status) : a.error;
      auto streak = tx.exec_prepared(
          "webhooks_streak", endpoint,
          static_cast<int64_t>(limits.disable_after.count()), why);
      out.endpoint_disabled = !streak.empty() && streak[0][0].as<bool>();
    }
    return out;
  });
}

caf::expected<int64_t> release_webhook_claims(pqxx::connection& conn,
                                              const std::vector<int64_t>& ids,
                                              const std::string& owner,
                                              std::chrono::milliseconds delay) {
  prepare(conn, "webhooks_release", release_sql);
  auto list = id_array(ids);
  return in_transaction(conn, "release_webhook_claims", [&](pqxx::work& tx) {
    return static_cast<int64_t>(
        tx.exec_prepared0("webhooks_release", list, owner,
                          static_cast<int64_t>(delay.count()))
            .affected_rows());
  });
}

caf::expected<std::optional<page<webhook_delivery_record>>>
list_webhook_deliveries(pqxx::connection& conn,
                        const webhook_delivery_query& query) {
  using result = std::optional<page<webhook_delivery_record>>;
  prepare(conn, "webhooks_exists", endpoint_exists_sql);
  prepare(conn, "webhooks_log", log_sql);
  prepare(conn, "webhooks_log_count", log_count_sql);
  return in_transaction(conn, "list_webhook_deliveries", [&](pqxx::work& tx) {
    if (!endpoint_exists(tx, query.endpoint_id))
      return result{};
    page<webhook_delivery_record> out;
    for (const auto& row : tx.exec_prepared("webhooks_log", query.endpoint_id,
                                            internal::param(query.status),
                                            query.skip, query.limit))
      out.items.push_back(read_delivery(row));
    out.total = tx.exec_prepared1("webhooks_log_count", query.endpoint_id,
                                  internal::param(query.status))[0]
                    .as<int64_t>();
    return result{std::move(out)};
  });
}

caf::expected<std::optional<webhook_delivery_record>>
replay_webhook_delivery(pqxx::connection& conn, const std::string& endpoint_id,
                        int64_t id) {
  using result = std::optional<webhook_delivery_record>;
  if (!internal::is_uuid(endpoint_id))
    return result{};
  prepare(conn, "webhooks_replay_one", replay_one_sql);
  return in_transaction(conn, "replay_webhook_delivery", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("webhooks_replay_one", endpoint_id, id);
    if (rows.empty())
      return result{};
    return result{read_delivery(rows[0])};
  });
}

caf::expected<std::optional<int64_t>>
replay_webhooks_since(pqxx::connection& conn, const std::string& endpoint_id,
                      const std::string& since) {
  using result = std::optional<int64_t>;
  prepare(conn, "webhooks_exists", endpoint_exists_sql);
  prepare(conn, "webhooks_replay_since", replay_since_sql);
  return in_transaction(conn, "replay_webhooks_since", [&](pqxx::work& tx) {
    if (!endpoint_exists(tx, endpoint_id))
      return result{};
    return result{static_cast<int64_t>(
        tx.exec_prepared0("webhooks_replay_since", endpoint_id, since)
            .affected_rows())};
  });
}

caf::expected<std::optional<webhook_delivery_record>>
queue_webhook_ping(pqxx::connection& conn, const std::string& endpoint_id) {
  using result = std::optional<webhook_delivery_record>;
  if (!internal::is_uuid(endpoint_id))
    return result{};
  prepare(conn, "webhooks_ping", ping_sql);
  return in_transaction(conn, "queue_webhook_ping", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("webhooks_ping", endpoint_id);
    if (rows.empty())
      return result{};
    return result{read_delivery(rows[0])};
  });
}

caf::expected<double> webhook_outbox_lag(pqxx::connection& conn) {
  prepare(conn, "webhooks_lag", lag_sql);
  return in_transaction(conn, "webhook_outbox_lag", [&](pqxx::work& tx) {
    return tx.exec_prepared1("webhooks_lag")[0].as<double>();
  });
}

caf::expected<int64_t> count_disabled_webhooks(pqxx::connection& conn) {
  prepare(conn, "webhooks_disabled", disabled_sql);
  return in_transaction(conn, "count_disabled_webhooks", [&](pqxx::work& tx) {
    return tx.exec_prepared1("webhooks_disabled")[0].as<int64_t>();
  });
}

} // namespace cdpd::storage
