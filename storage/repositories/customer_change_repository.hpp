#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/transaction_base>

/// The `customer_changes` log that statement triggers fill (migration
/// 0008): which customers changed, by the writing transaction's id. The
/// change listener reads it in its own snapshot transactions, so these
/// functions take the caller's transaction and throw pqxx exceptions like
/// any statement in it.
namespace cdpd::storage {

/// The snapshot `tx` reads from, as pg_current_snapshot() text.
std::string current_snapshot(pqxx::transaction_base& tx);

/// The customers changed by transactions that committed after `snapshot`
/// (a pg_snapshot's text) and that `tx` sees, restricted by `condition` (a
/// SQL condition on customer_id, or "TRUE"); lower-case UUID text.
std::vector<std::string> customers_changed_since(pqxx::transaction_base& tx,
                                                 const std::string& snapshot,
                                                 const std::string& condition);

/// Deletes the log rows of transactions older than every one `horizon` (a
/// pg_snapshot's text) may still miss; returns how many went.
int64_t prune_customer_changes(pqxx::transaction_base& tx,
                               const std::string& horizon);

} // namespace cdpd::storage
