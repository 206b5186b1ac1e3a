#include "storage/node_registry.hpp"

#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"

namespace cdpd::storage {

namespace {

std::chrono::system_clock::time_point from_epoch(double seconds) {
  auto micros = static_cast<long long>(seconds * 1e6);
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds{micros})};
}

} // namespace

caf::expected<void> register_node(pqxx::connection& conn,
                                  const std::string& node_id,
                                  const std::string& http_address,
                                  const std::string& version) {
  try {
    pqxx::work tx{conn, "register_node"};
    tx.exec_params(
        "INSERT INTO nodes (node_id, http_address, version) VALUES ($1, $2, "
        "$3) "
        "ON CONFLICT (node_id) DO UPDATE SET http_address = "
        "excluded.http_address,"
        " version = excluded.version, started_at = now(), last_seen = now()",
        node_id, http_address, version);
    tx.commit();
    return caf::unit;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

caf::expected<void> touch_node(pqxx::connection& conn,
                               const std::string& node_id) {
  try {
    pqxx::work tx{conn, "touch_node"};
    auto result = tx.exec_params(
        "UPDATE nodes SET last_seen = now() WHERE node_id = $1", node_id);
    if (result.affected_rows() == 0)
      return make_error(errc::query_failed,
                        "node \"" + node_id + "\" is not registered");
    tx.commit();
    return caf::unit;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

caf::expected<std::vector<node_record>> list_nodes(pqxx::connection& conn) {
  try {
    pqxx::work tx{conn, "list_nodes"};
    std::vector<node_record> nodes;
    for (const auto& row :
         tx.exec("SELECT node_id, http_address, version,"
                 " extract(epoch FROM started_at)::float8,"
                 " extract(epoch FROM last_seen)::float8 "
                 "FROM nodes ORDER BY last_seen DESC, node_id")) {
      nodes.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                       row[2].as<std::string>(),
                       from_epoch(row[3].as<double>()),
                       from_epoch(row[4].as<double>())});
    }
    tx.commit();
    return nodes;
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
}

} // namespace cdpd::storage
