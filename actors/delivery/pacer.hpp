#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

/// A shared send-rate limit: callers on several threads take evenly spaced
/// slots, so all dispatchers together send at most `per_second` messages a
/// second.
namespace cdpd::actors::delivery {

class pacer {
public:
  /// A pacer for `per_second` messages a second; 0 or less means no limit.
  explicit pacer(int64_t per_second);

  /// Blocks the calling thread until its slot comes; returns at once
  /// without a limit.
  void wait();

private:
  std::mutex mtx_;
  std::chrono::steady_clock::duration interval_{};
  std::chrono::steady_clock::time_point next_{};
};

} // namespace cdpd::actors::delivery
