#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/fwd.hpp>

/// The AI routes' answers, kept for ai.cache-ttl by (route, normalised
/// prompt, model): in Redis when the node has it (shared by every node,
/// under "cdpd:ai:<sha-256>"), else in this process's memory. A lost or
/// failing Redis is a miss, never an error.
namespace cdpd::net::api {

class ai_answer_cache {
public:
  /// `redis`: ask the registry's "redis" actor; `ttl` 0 turns the cache
  /// off. `sys` must outlive the cache.
  ai_answer_cache(caf::actor_system& sys, std::chrono::milliseconds ttl,
                  bool redis);

  /// The key of a question: the prompt lower-cased, its white space
  /// collapsed and trimmed, hashed with the route and the model.
  static std::string key(std::string_view route, std::string_view prompt,
                         std::string_view model);

  /// Calls `done` once with the answer kept under `key`, or none.
  void get(const std::string& key,
           std::function<void(std::optional<std::string>)> done);

  /// Keeps `answer` under `key` for the TTL (without waiting for Redis).
  void put(const std::string& key, std::string answer);

private:
  using clock = std::chrono::steady_clock;
  struct entry {
    std::string answer;
    clock::time_point expires;
  };

  caf::actor_system& sys_;
  std::chrono::milliseconds ttl_;
  bool redis_;
  std::mutex mutex_;
  std::unordered_map<std::string, entry> memory_;
};

} // namespace cdpd::net::api
