#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage::internal {

void prepare(pqxx::connection& conn, const char* name, const char* sql) {
  conn.prepare(name, sql);
}

std::string bind_name(std::string sql, const std::string& name, size_t n) {
  const auto number = "$" + std::to_string(n);
  for (auto at = sql.find(name); at != std::string::npos;
       at = sql.find(name, at + number.size()))
    sql.replace(at, name.size(), number);
  return sql;
}

std::string iso_timestamp(std::string_view pg_text) {
  std::string out{pg_text};
  if (out.size() > 10 && out[10] == ' ')
    out[10] = 'T';
  auto dot = out.find('.');
  if (dot == std::string::npos)
    return out;
  auto fraction = out.substr(dot + 1);
  if (fraction.find_first_not_of('0') == std::string::npos)
    return out.substr(0, dot);
  fraction.resize(6, '0');
  return out.substr(0, dot + 1) + fraction;
}

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<std::string>();
}

std::optional<std::string> optional_timestamp(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return iso_timestamp(f.c_str());
}

} // namespace cdpd::storage::internal
