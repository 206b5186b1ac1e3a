#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// Which customer shard a customer belongs to. Customers are split into a
/// fixed number of virtual shards by a hash of their id that is the same on
/// every node, every build and in SQL, so a shard can load exactly its
/// customers with a WHERE clause.
namespace cdpd::actors::segments::engine {

/// The shard of `customer_id` (lower-case UUID text, as `id::text` prints
/// it) among `shards`: the first four bytes of the MD5 digest of the text,
/// read big-endian as an unsigned 32-bit number, modulo `shards`. 0 when
/// `shards` <= 1.
std::uint32_t shard_of(std::string_view customer_id, std::uint32_t shards);

/// A SQL boolean expression that is true for the rows whose uuid column
/// `column` (e.g. "c.id", trusted text from code, never from a request)
/// maps to `shard` under shard_of; "TRUE" when `shards` <= 1.
std::string shard_predicate_sql(std::string_view column, std::uint32_t shard,
                                std::uint32_t shards);

} // namespace cdpd::actors::segments::engine
