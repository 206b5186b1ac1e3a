#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/all.hpp>
#include <prometheus/registry.h>

#include "actors/limits/limiter_region.hpp"

/// Helpers for the limiter tests: collecting verdicts from actor threads,
/// asking a region synchronously, reading the limiter metrics.
namespace cdpd::test {

/// Longest wait for something that should happen at once (a verdict, a
/// passivation after a millisecond idle timeout). A passing test never
/// waits for it.
constexpr auto settle_timeout = std::chrono::seconds{10};

/// Verdicts delivered to the callbacks made by `sink()`, from any thread.
class verdict_log : public std::enable_shared_from_this<verdict_log> {
public:
  /// A callback that records its verdict here.
  std::function<void(const actors::limits::verdict&)> sink();

  /// Waits until at least `n` verdicts arrived; false after `timeout`.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout);

  /// The verdicts so far.
  std::vector<actors::limits::verdict> snapshot();

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<actors::limits::verdict> got_;
};

/// One rate of `limit` per `period`, named `name`.
actors::limits::rate make_rate(std::string_view name, int64_t limit,
                               std::chrono::milliseconds period);

/// Sends one request through `region` and waits for its verdict; none when
/// no verdict came within settle_timeout.
std::optional<actors::limits::verdict>
ask(const actors::limits::limiter_region& region, const std::string& key,
    std::vector<actors::limits::rate> rates, int64_t cost = 1,
    bool peek = false);

/// The value of the counter or gauge `name` (with label outcome=`outcome`
/// when given); 0 when it does not exist yet.
double metric(prometheus::Registry& registry, const std::string& name,
              const std::string& outcome = {});

/// Two client-address keys that hash to different hosts among `hosts` (>1).
std::pair<std::string, std::string> keys_on_different_hosts(int hosts);

/// Two client-address keys that hash to the same host among `hosts`.
std::pair<std::string, std::string> keys_on_same_host(int hosts);

/// Spawns hosts 0 .. n-1 and registers them under their registry names,
/// as the supervision tree would (without proxies); stop() undoes it.
class bare_hosts {
public:
  bare_hosts(caf::actor_system& sys, int n,
             const actors::limits::limiter_options& options);
  ~bare_hosts();

  /// Unregisters every host and stops it (its limiters stop with it).
  void stop();

  /// Host `index`, for tests that stop one.
  const caf::actor& host(int index) const { return hosts_.at(index); }

private:
  caf::actor_system* sys_;
  std::vector<caf::actor> hosts_;
};

} // namespace cdpd::test
