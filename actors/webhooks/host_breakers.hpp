#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "actors/supervision/circuit_breaker.hpp"

/// One circuit breaker per endpoint host (the "connector" policy's breaker
/// settings), shared by the node's webhook workers: a host that keeps
/// failing (no answer, 5xx, 429) is not called again until the breaker's
/// reset timeout lets a probe through, whichever of its endpoints is due.
namespace cdpd::actors::webhooks {

class host_breakers {
public:
  using clock = circuit_breaker::clock;

  explicit host_breakers(breaker_policy policy) : policy_(std::move(policy)) {}

  /// Whether a POST to `host` may go now; when not, `wait` is how long
  /// until the next probe.
  bool allow(const std::string& host, std::chrono::milliseconds& wait);

  /// The outcome of an allowed POST: `failed` for a transport failure, 429
  /// or 5xx (the host is in trouble), else a success.
  void record(const std::string& host, bool failed);

  /// The host's breaker state (closed for an unknown host).
  breaker_state state(const std::string& host);

private:
  circuit_breaker& breaker_for(const std::string& host);

  breaker_policy policy_;
  std::mutex mutex_;
  std::map<std::string, circuit_breaker> breakers_;
};

} // namespace cdpd::actors::webhooks
