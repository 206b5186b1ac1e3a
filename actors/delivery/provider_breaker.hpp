#pragma once

#include <memory>
#include <mutex>

#include "actors/delivery/dispatcher.hpp"
#include "actors/supervision/circuit_breaker.hpp"

/// The email provider behind a circuit breaker (the "connector" policy's
/// breaker settings), shared by every dispatcher of a node. Retryable send
/// failures (connection refused, timeouts, 4xx/5xx the provider calls
/// temporary) count against it; a permanent failure (a refused recipient)
/// shows the provider is up. While it is open, dispatchers claim nothing,
/// so a provider that is down costs neither connection attempts nor
/// delivery attempts; once the reset timeout passes, one send probes it.
namespace cdpd::actors::delivery {

class provider_breaker : public std::enable_shared_from_this<provider_breaker> {
public:
  explicit provider_breaker(breaker_policy policy);

  /// `send` behind the breaker (the function keeps this breaker alive;
  /// make the breaker with std::make_shared): while the breaker refuses, a
  /// retryable "email provider unavailable (circuit open)" without calling
  /// `send`.
  send_fn guard(send_fn send);

  /// False while the breaker is open (dispatchers then claim nothing).
  bool ready();

  breaker_state state();

private:
  const bool enabled_; ///< breaker_policy::enabled; off passes every send
  std::mutex mutex_;
  circuit_breaker breaker_;
};

} // namespace cdpd::actors::delivery
