#include "actors/webhooks/host_breakers.hpp"

namespace cdpd::actors::webhooks {

circuit_breaker& host_breakers::breaker_for(const std::string& host) {
  auto it = breakers_.find(host);
  if (it == breakers_.end())
    it = breakers_.emplace(host, circuit_breaker{policy_}).first;
  return it->second;
}

bool host_breakers::allow(const std::string& host,
                          std::chrono::milliseconds& wait) {
  wait = std::chrono::milliseconds{0};
  if (!policy_.enabled)
    return true;
  std::lock_guard<std::mutex> guard{mutex_};
  auto now = clock::now();
  auto& b = breaker_for(host);
  if (b.allow(now))
    return true;
  wait = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                      b.next_probe() - now),
                  std::chrono::milliseconds{1});
  return false;
}

void host_breakers::record(const std::string& host, bool failed) {
  if (!policy_.enabled)
    return;
  std::lock_guard<std::mutex> guard{mutex_};
  auto& b = breaker_for(host);
  if (failed)
    b.failed(clock::now());
  else
    b.succeeded(clock::now());
}

breaker_state host_breakers::state(const std::string& host) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto it = breakers_.find(host);
  return it == breakers_.end() ? breaker_state::closed : it->second.state();
}

} // namespace cdpd::actors::webhooks
