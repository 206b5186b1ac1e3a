#pragma once

#include <mutex>
#include <string>

#include "actors/segments/segment_messages.hpp"

namespace cdpd::actors::segments {

/// The saved segments a node keeps current, as its segment host last
/// published them: shared by the host (which writes it) and the shards
/// (which read it when a load lands). Thread-safe.
class segment_directory {
public:
  /// The last publication; null before the first.
  live_definitions_ptr definitions() const;

  /// Replaces the publication when `next` is newer than the current one.
  void publish(live_definitions_ptr next);

private:
  mutable std::mutex mutex_;
  live_definitions_ptr current_;
};

} // namespace cdpd::actors::segments
