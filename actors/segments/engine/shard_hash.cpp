#include "actors/segments/engine/shard_hash.hpp"

#include <array>

#include <openssl/evp.h>

namespace cdpd::actors::segments::engine {

std::uint32_t shard_of(std::string_view customer_id, std::uint32_t shards) {
  if (shards <= 1)
    return 0;
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // MD5 because PostgreSQL has md5() built in: the loader filters with the
  // same hash in SQL. It is a partitioning hash here, not a security one.
  if (EVP_Digest(customer_id.data(), customer_id.size(), digest.data(), &size,
                 EVP_md5(), nullptr) != 1 ||
      size < 4)
    return 0;
  auto head = (std::uint32_t{digest[0]} << 24) |
              (std::uint32_t{digest[1]} << 16) |
              (std::uint32_t{digest[2]} << 8) | std::uint32_t{digest[3]};
  return head % shards;
}

std::string shard_predicate_sql(std::string_view column, std::uint32_t shard,
                                std::uint32_t shards) {
  if (shards <= 1)
    return "TRUE";
  // bit(32)::bigint reads the eight hex digits as an unsigned number.
  return "(('x' || substr(md5(" + std::string{column} +
         "::text), 1, 8))::bit(32)::bigint % " + std::to_string(shards) +
         " = " + std::to_string(shard) + ")";
}

} // namespace cdpd::actors::segments::engine
