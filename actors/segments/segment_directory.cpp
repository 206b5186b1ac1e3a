#include "actors/segments/segment_directory.hpp"

#include <utility>

namespace cdpd::actors::segments {

live_definitions_ptr segment_directory::definitions() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return current_;
}

void segment_directory::publish(live_definitions_ptr next) {
  std::lock_guard<std::mutex> lock{mutex_};
  if (next && (!current_ || next->version > current_->version))
    current_ = std::move(next);
}

} // namespace cdpd::actors::segments
