#include "actors/delivery/pacer.hpp"

#include <algorithm>
#include <thread>

namespace cdpd::actors::delivery {

pacer::pacer(int64_t per_second) {
  if (per_second > 0)
    interval_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::nanoseconds{1'000'000'000 / per_second});
}

void pacer::wait() {
  if (interval_.count() == 0)
    return;
  std::chrono::steady_clock::time_point slot;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    slot = std::max(next_, std::chrono::steady_clock::now());
    next_ = slot + interval_;
  }
  std::this_thread::sleep_until(slot);
}

} // namespace cdpd::actors::delivery
