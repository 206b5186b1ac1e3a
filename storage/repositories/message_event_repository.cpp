#include "storage/repositories/message_event_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::prepare;

#define UTC_NOW "(now() AT TIME ZONE 'utc')"

// xmax = 0 only on a row this statement inserted: the first event.
constexpr const char* event_sql =
    "WITH d AS (SELECT id, campaign_id, customer_id FROM deliveries"
    "           WHERE id = $1),"
    " ev AS (INSERT INTO delivery_events (delivery_id, kind, last_url)"
    "        SELECT id, $2, $3 FROM d"
    "        ON CONFLICT (delivery_id, kind) DO UPDATE"
    "        SET hits = delivery_events.hits + 1, last_at = " UTC_NOW ","
    "            last_url = COALESCE(EXCLUDED.last_url,"
    "                                delivery_events.last_url)"
    "        RETURNING (xmax = 0) AS first)"
    " SELECT d.campaign_id::text, d.customer_id::text, ev.first FROM d, ev";

// The column name comes from a fixed list (stats_column), never from input.
constexpr const char* stats_sql[] = {
    "INSERT INTO campaign_delivery_stats (campaign_id, emails_opened)"
    " VALUES ($1::uuid, 1) ON CONFLICT (campaign_id) DO UPDATE SET"
    " emails_opened = campaign_delivery_stats.emails_opened + 1,"
    " updated_at = " UTC_NOW,
    "INSERT INTO campaign_delivery_stats (campaign_id, emails_clicked)"
    " VALUES ($1::uuid, 1) ON CONFLICT (campaign_id) DO UPDATE SET"
    " emails_clicked = campaign_delivery_stats.emails_clicked + 1,"
    " updated_at = " UTC_NOW,
    "INSERT INTO campaign_delivery_stats (campaign_id, unsubscribes)"
    " VALUES ($1::uuid, 1) ON CONFLICT (campaign_id) DO UPDATE SET"
    " unsubscribes = campaign_delivery_stats.unsubscribes + 1,"
    " updated_at = " UTC_NOW};

constexpr const char* stats_names[] = {
    "message_stats_open", "message_stats_click", "message_stats_unsubscribe"};

constexpr const char* unsubscribe_sql =
    "UPDATE customers SET unsubscribed_at = COALESCE(unsubscribed_at, " UTC_NOW
    ") WHERE id = $1::uuid RETURNING email";

} // namespace

const char* to_string(message_event kind) {
  switch (kind) {
  case message_event::open:
    return "open";
  case message_event::click:
    return "click";
  case message_event::unsubscribe:
    return "unsubscribe";
  }
  return "open";
}

caf::expected<std::optional<recorded_event>>
record_message_event(pqxx::connection& conn, int64_t delivery_id,
                     message_event kind,
                     const std::optional<std::string>& url) {
  auto index = static_cast<std::size_t>(kind);
  prepare(conn, "message_event", event_sql);
  prepare(conn, stats_names[index], stats_sql[index]);
  prepare(conn, "message_unsubscribe", unsubscribe_sql);
  return in_transaction(
      conn, "record_message_event",
      [&](pqxx::work& tx) -> std::optional<recorded_event> {
        auto rows = tx.exec_prepared("message_event", delivery_id,
                                     to_string(kind), url);
        if (rows.empty())
          return std::nullopt;
        recorded_event out;
        // A flow run's delivery has no campaign and no campaign stats.
        if (!rows[0][0].is_null())
          out.campaign_id = rows[0][0].as<std::string>();
        out.first = rows[0][2].as<bool>();
        if (out.first && !out.campaign_id.empty())
          tx.exec_prepared(stats_names[index], out.campaign_id);
        if (kind == message_event::unsubscribe) {
          auto customer = tx.exec_prepared("message_unsubscribe",
                                           rows[0][1].as<std::string>());
          if (!customer.empty())
            out.email = customer[0][0].as<std::string>();
        }
        return out;
      });
}

} // namespace cdpd::storage
