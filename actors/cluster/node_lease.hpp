#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace cdpd::actors::cluster {

/// This node's membership lease as its own work sees it, shared without
/// messages: valid until a steady-clock deadline that the membership actor
/// moves on each renewal, counted from before the renewal was sent and
/// therefore never past the lease PostgreSQL holds. Work that acts on what
/// the cluster gave this node checks valid() right before it acts: a node
/// frozen (SIGSTOP) past its deadline wakes up invalid, before its
/// membership actor has run again.
class node_lease {
public:
  using clock = std::chrono::steady_clock;

  /// True while the lease of incarnation() holds.
  bool valid() const {
    return clock::now().time_since_epoch().count() <
           deadline_.load(std::memory_order_acquire);
  }

  /// The incarnation holding the lease; 0 when none does.
  int64_t incarnation() const {
    return incarnation_.load(std::memory_order_acquire);
  }

  /// How long the lease still holds; zero or less when it does not.
  std::chrono::milliseconds remaining() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        clock::duration{deadline_.load(std::memory_order_acquire)} -
        clock::now().time_since_epoch());
  }

  /// The membership actor renewed (or took) the lease of `incarnation`.
  void hold(int64_t incarnation, clock::time_point until) {
    incarnation_.store(incarnation, std::memory_order_release);
    deadline_.store(until.time_since_epoch().count(),
                    std::memory_order_release);
  }

  /// Fenced: nothing holds a lease until the next join.
  void drop() {
    deadline_.store(0, std::memory_order_release);
    incarnation_.store(0, std::memory_order_release);
  }

private:
  std::atomic<int64_t> incarnation_{0};
  std::atomic<clock::rep> deadline_{0};
};

} // namespace cdpd::actors::cluster
