#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>
#include <pqxx/transaction_base>

#include "actors/segments/engine/customer_columns.hpp"

/// Loads the segment engine's customer_columns from PostgreSQL.
namespace cdpd::actors::segments {

/// How far a load has come; reported after every fetched batch.
struct load_progress {
  std::uint64_t customers = 0; ///< customer rows read so far
  std::uint64_t orders = 0;    ///< order rows read so far
  bool done = false;           ///< the last report of a successful load
};

/// Called with progress while loading.
using progress_callback = std::function<void(const load_progress&)>;

/// Reads every customer with its orders and their items from one consistent
/// snapshot (a REPEATABLE READ, read-only transaction) through server-side
/// cursors fetched `batch` rows at a time, so memory holds only the columns
/// and one batch. Rows are ordered by customer id. Lower-casing follows the
/// database's LC_CTYPE. Fails with storage::errc::query_failed,
/// connection_lost or statement_timeout, or invalid_argument when the
/// database's LC_CTYPE is not available on this machine. The columns'
/// `snapshot` is the snapshot they were read at.
caf::expected<engine::customer_columns>
load_columns(pqxx::connection& conn, const progress_callback& progress = {},
             std::uint32_t batch = 20000);

/// One customer shard: the customers whose shard_of(id, count) is `index`
/// (see engine/shard_hash.hpp).
struct shard_filter {
  std::uint32_t index = 0;
  std::uint32_t count = 1; ///< 1 (or 0): every customer
};

/// load_columns restricted to the customers of one shard and their orders,
/// filtered in SQL. Fails like load_columns.
caf::expected<engine::customer_columns>
load_columns(pqxx::connection& conn, shard_filter shard,
             const progress_callback& progress = {},
             std::uint32_t batch = 20000);

/// The customers among `ids` (lower-case UUID text) with their orders, read
/// in the caller's transaction `tx` (its snapshot decides what is seen) and
/// split like load_all_shards: element i holds those of shard i of
/// `shards`. Ids without a customer row (deleted ones) are absent from the
/// result. Each element's `snapshot` is `tx`'s. Fails like load_columns,
/// or with storage::errc::query_failed when an id is not a UUID; `tx` is then
/// aborted.
caf::expected<std::vector<engine::customer_columns>>
load_customers(pqxx::transaction_base& tx, const std::vector<std::string>& ids,
               std::uint32_t shards);

/// Every shard's columns in one pass over one snapshot: element i holds the
/// customers of shard i of `shards` (cheaper than `shards` filtered loads,
/// which each scan the tables). Fails like load_columns.
caf::expected<std::vector<engine::customer_columns>>
load_all_shards(pqxx::connection& conn, std::uint32_t shards,
                const progress_callback& progress = {},
                std::uint32_t batch = 20000);

/// The next shard generation (migration 0021's sequence): increasing over
/// the whole cluster, so loads of one shard on different nodes order.
/// Throws pqxx's exceptions (pg_pool::run turns them into errors).
std::uint64_t next_generation(pqxx::connection& conn);

} // namespace cdpd::actors::segments
