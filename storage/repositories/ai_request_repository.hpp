#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// The audit of the AI routes: table ai_requests (migration 0011).
namespace cdpd::storage {

/// One call of an AI route.
struct ai_request_entry {
  std::string account; ///< the caller: account:<id>, apikey:<prefix>, ip:<a>
  std::string route;   ///< "segments/build"
  std::string prompt;
  std::string engine;               ///< "offline" or a model
  std::optional<std::string> model; ///< the provider model asked
  double latency_ms = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  std::string outcome; ///< ok, refused, invalid, not_found, error
  bool cache_hit = false;
};

/// A stored call.
struct ai_request_record {
  std::int64_t id = 0;
  ai_request_entry entry;
  std::string created_at; ///< naive ISO, UTC
};

/// Stores one call; replies true.
caf::expected<bool> record_ai_request(pqxx::connection& conn,
                                      const ai_request_entry& entry);

/// The newest `limit` calls with an id below `before_id` (all when none),
/// newest first.
caf::expected<std::vector<ai_request_record>>
list_ai_requests(pqxx::connection& conn, std::int64_t limit,
                 std::optional<std::int64_t> before_id);

} // namespace cdpd::storage
