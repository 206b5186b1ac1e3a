#include "storage/segments/segment_queries.hpp"

#include <pqxx/pqxx>

#include "storage/pg_errors.hpp"

namespace cdpd::storage::segments {

namespace {

pqxx::result run(pqxx::connection& conn, const compiled_query& q,
                 const char* name) {
  pqxx::read_transaction tx{conn, name};
  auto result =
      tx.exec_params(q.sql, pqxx::prepare::make_dynamic_params(q.params));
  tx.commit();
  return result;
}

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<std::string>();
}

timestamp from_micros(std::int64_t micros) {
  return timestamp{std::chrono::microseconds{micros}};
}

} // namespace

caf::expected<std::int64_t>
count_members(pqxx::connection& conn, const segment_definition& def,
              std::chrono::system_clock::time_point now) {
  try {
    auto result = run(conn, count_query(def, now), "segment_count");
    return result[0][0].as<std::int64_t>();
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

caf::expected<std::vector<std::string>>
member_ids(pqxx::connection& conn, const segment_definition& def,
           std::chrono::system_clock::time_point now, page p) {
  try {
    auto result = run(conn, member_ids_query(def, now, p), "segment_ids");
    std::vector<std::string> ids;
    ids.reserve(result.size());
    for (const auto& row : result)
      ids.push_back(row[0].as<std::string>());
    return ids;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

caf::expected<std::vector<customer_row>>
members(pqxx::connection& conn, const segment_definition& def,
        std::chrono::system_clock::time_point now, page p) {
  try {
    auto result = run(conn, members_query(def, now, p), "segment_members");
    std::vector<customer_row> rows;
    rows.reserve(result.size());
    for (const auto& row : result) {
      customer_row c;
      c.id = row[0].as<std::string>();
      c.email = row[1].as<std::string>();
      c.phone = optional_text(row[2]);
      c.first_name = row[3].as<std::string>();
      c.last_name = row[4].as<std::string>();
      c.marketing_opt_in = row[5].as<bool>();
      c.shipping_state = optional_text(row[6]);
      c.shipping_country = optional_text(row[7]);
      c.total_order_value = row[8].as<double>();
      c.order_count = row[9].as<std::int64_t>();
      if (!row[10].is_null())
        c.last_order_date = from_micros(row[10].as<std::int64_t>());
      c.created_at = from_micros(row[11].as<std::int64_t>());
      rows.push_back(std::move(c));
    }
    return rows;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

} // namespace cdpd::storage::segments
