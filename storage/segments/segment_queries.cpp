#include "storage/segments/segment_queries.hpp"

#include <cctype>
#include <unordered_map>

#include <pqxx/pqxx>

#include "storage/pg_errors.hpp"
#include "storage/segments/values.hpp"

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

/// One row of members_query's columns.
customer_row read_member(const pqxx::row& row) {
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
  return c;
}

/// `{a,b,c}`: the ids that are UUIDs (which need no quoting), lower-cased
/// as PostgreSQL prints them.
std::string uuid_array(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (const auto& id : ids) {
    if (!is_uuid(id))
      continue;
    if (out.size() > 1)
      out += ',';
    for (char ch : id)
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out + '}';
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
    for (const auto& row : result)
      rows.push_back(read_member(row));
    return rows;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

caf::expected<std::vector<customer_row>>
members_by_id(pqxx::connection& conn, const std::vector<std::string>& ids) {
  if (ids.empty())
    return std::vector<customer_row>{};
  try {
    auto array = uuid_array(ids);
    auto result =
        run(conn, members_by_id_query(array), "segment_members_by_id");
    std::unordered_map<std::string, customer_row> found;
    found.reserve(result.size());
    for (const auto& row : result) {
      auto c = read_member(row);
      auto key = c.id;
      found.emplace(std::move(key), std::move(c));
    }
    std::vector<customer_row> rows;
    rows.reserve(found.size());
    for (const auto& id : ids) {
      std::string key = id;
      for (auto& ch : key)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto it = found.find(key); it != found.end()) {
        rows.push_back(std::move(it->second));
        found.erase(it);
      }
    }
    return rows;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

} // namespace cdpd::storage::segments
