#include "net/http/connection_registry.hpp"

#include <algorithm>

namespace cdpd::net {

connection_registry::connection_registry(std::size_t max_connections,
                                         std::size_t per_address,
                                         http_metrics& metrics)
    : limit_(std::max<std::size_t>(1, max_connections)),
      per_address_limit_(per_address), metrics_(metrics) {}

connection_registry::admission
connection_registry::admit_locked(membership& member,
                                  const std::string& address) {
  if (!alive_ || draining_)
    return admission::closed;
  member.owns_io_ = true;
  ++live_io_;
  if (open_ >= limit_)
    return admission::refused;
  auto& from_address = per_address_[address];
  if (per_address_limit_ > 0 && from_address >= per_address_limit_)
    return admission::refused_for_address;
  ++from_address;
  member.address_ = address;
  member.counted_ = true;
  ++open_;
  metrics_.connection_opened();
  return admission::accepted;
}

void connection_registry::start_request(membership& member) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (member.in_flight_)
    return;
  member.in_flight_ = true;
  ++in_flight_;
  metrics_.request_started();
}

void connection_registry::finish_request(membership& member) {
  std::lock_guard<std::mutex> guard{mutex_};
  finish_request_locked(member);
}

void connection_registry::finish_request_locked(membership& member) {
  if (!member.in_flight_)
    return;
  member.in_flight_ = false;
  --in_flight_;
  metrics_.request_finished();
  changed_.notify_all();
}

void connection_registry::release_connection_locked(membership& member) {
  if (!member.counted_)
    return;
  member.counted_ = false;
  --open_;
  auto it = per_address_.find(member.address_);
  if (it != per_address_.end() && --it->second == 0)
    per_address_.erase(it);
  metrics_.connection_closed();
}

bool connection_registry::release_io_locked(membership& member) {
  if (!member.owns_io_)
    return false;
  member.owns_io_ = false;
  --live_io_;
  changed_.notify_all();
  return true;
}

bool connection_registry::begin_drain() {
  return !draining_.exchange(true);
}

void connection_registry::stop_locked() {
  draining_ = true;
  alive_ = false;
}

bool connection_registry::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{mutex_};
  return changed_.wait_for(guard, timeout, [this] { return in_flight_ == 0; });
}

void connection_registry::wait_io_released(
    std::unique_lock<std::mutex>& guard) {
  changed_.wait(guard, [this] { return live_io_ == 0; });
}

std::size_t connection_registry::open() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return open_;
}

std::size_t connection_registry::in_flight() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return in_flight_;
}

} // namespace cdpd::net
