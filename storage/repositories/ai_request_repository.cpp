#include "storage/repositories/ai_request_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

constexpr const char* insert_sql =
    "INSERT INTO ai_requests (account, route, prompt, engine, model, "
    "latency_ms, tokens_in, tokens_out, outcome, cache_hit) "
    "VALUES ($1, $2, $3, $4, $5, $6::double precision, $7::integer, "
    "$8::integer, $9, $10::boolean)";

constexpr const char* list_sql =
    "SELECT id, account, route, prompt, engine, model, latency_ms, "
    "tokens_in, tokens_out, outcome, cache_hit, "
    "(created_at AT TIME ZONE 'UTC')::text FROM ai_requests "
    "WHERE $2::bigint IS NULL OR id < $2::bigint ORDER BY id DESC "
    "LIMIT $1::bigint";

} // namespace

caf::expected<bool> record_ai_request(pqxx::connection& conn,
                                      const ai_request_entry& e) {
  prepare(conn, "ai_requests_insert", insert_sql);
  return in_transaction(conn, "record_ai_request", [&](pqxx::work& tx) {
    tx.exec_prepared0("ai_requests_insert", e.account, e.route, e.prompt,
                      e.engine, param(e.model), std::to_string(e.latency_ms),
                      std::to_string(e.tokens_in), std::to_string(e.tokens_out),
                      e.outcome, param(e.cache_hit));
    return true;
  });
}

caf::expected<std::vector<ai_request_record>>
list_ai_requests(pqxx::connection& conn, std::int64_t limit,
                 std::optional<std::int64_t> before_id) {
  prepare(conn, "ai_requests_list", list_sql);
  return in_transaction(conn, "list_ai_requests", [&](pqxx::work& tx) {
    std::optional<std::string> before;
    if (before_id)
      before = std::to_string(*before_id);
    std::vector<ai_request_record> out;
    for (const auto& row : tx.exec_prepared(
             "ai_requests_list", std::to_string(limit), param(before))) {
      ai_request_record r;
      r.id = row[0].as<std::int64_t>();
      r.entry.account = row[1].as<std::string>();
      r.entry.route = row[2].as<std::string>();
      r.entry.prompt = row[3].as<std::string>();
      r.entry.engine = row[4].as<std::string>();
      r.entry.model = internal::optional_text(row[5]);
      r.entry.latency_ms = row[6].as<double>();
      r.entry.tokens_in = row[7].as<std::int64_t>();
      r.entry.tokens_out = row[8].as<std::int64_t>();
      r.entry.outcome = row[9].as<std::string>();
      r.entry.cache_hit = row[10].as<bool>();
      r.created_at = internal::iso_timestamp(row[11].as<std::string>());
      out.push_back(std::move(r));
    }
    return out;
  });
}

} // namespace cdpd::storage
