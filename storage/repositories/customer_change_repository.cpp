#include "storage/repositories/customer_change_repository.hpp"

#include <pqxx/pqxx>

namespace cdpd::storage {

std::string current_snapshot(pqxx::transaction_base& tx) {
  return tx.exec1("SELECT pg_current_snapshot()::text")[0].as<std::string>();
}

std::vector<std::string> customers_changed_since(pqxx::transaction_base& tx,
                                                 const std::string& snapshot,
                                                 const std::string& condition) {
  auto snap = tx.quote(snapshot) + "::pg_snapshot";
  auto rows = tx.exec("SELECT DISTINCT customer_id::text FROM customer_changes "
                      "WHERE xid >= pg_snapshot_xmin(" +
                      snap + ") AND NOT pg_visible_in_snapshot(xid, " + snap +
                      ") AND " + condition);
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(r[0].as<std::string>());
  return out;
}

int64_t prune_customer_changes(pqxx::transaction_base& tx,
                               const std::string& horizon) {
  auto r =
      tx.exec0("DELETE FROM customer_changes WHERE xid < pg_snapshot_xmin(" +
               tx.quote(horizon) + "::pg_snapshot)");
  return static_cast<int64_t>(r.affected_rows());
}

} // namespace cdpd::storage
