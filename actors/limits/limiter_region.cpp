#include "actors/limits/limiter_region.hpp"

#include <algorithm>
#include <atomic>
#include <exception>

#include <caf/all.hpp>

#include "actors/limits/limit_client.hpp"
#include "actors/log.hpp"

namespace cdpd::actors::limits {

namespace {

/// Registry names are atoms of at most 10 characters: "limits-999".
constexpr int max_hosts = 1000;

/// Rate of the fail-open warnings.
constexpr auto log_interval = std::chrono::minutes{1};

using steady = std::chrono::steady_clock;

/// True at most once per log_interval for one `last` stamp, from any
/// thread.
bool due(std::atomic<int64_t>& last) {
  auto now = steady::now().time_since_epoch().count();
  auto interval =
      std::chrono::duration_cast<steady::duration>(log_interval).count();
  auto prev = last.load(std::memory_order_relaxed);
  if (prev != 0 && now - prev < interval)
    return false;
  return last.compare_exchange_strong(prev, now);
}

std::atomic<int64_t> last_no_host_log{0};
std::atomic<int64_t> last_lost_log{0};

void call(const std::function<void(const verdict&)>& done, const verdict& v) {
  if (!done)
    return;
  try {
    done(v);
  } catch (const std::exception& e) {
    log()->error("rate limit: verdict callback threw: {}", e.what());
  } catch (...) {
    log()->error("rate limit: verdict callback threw");
  }
}

} // namespace

std::string limiter_host_name(int index) {
  return "limits-" + std::to_string(index);
}

std::string limiter_host_direct_name(int index) {
  return "lhost-" + std::to_string(index);
}

int limiter_host_index(std::string_view key, int hosts) {
  if (hosts <= 0)
    return 0;
  // FNV-1a: the same on every node and every build, unlike std::hash.
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int>(h % static_cast<uint64_t>(hosts));
}

limiter_region::limiter_region(caf::actor_system& sys, int hosts)
    : sys_(&sys), hosts_(std::clamp(hosts, 0, max_hosts)),
      client_(std::make_unique<limit_client>(sys, limit_reply_timeout)) {
  for (int i = 0; i < hosts_; ++i)
    names_.push_back({caf::atom_from_string(limiter_host_direct_name(i)),
                      caf::atom_from_string(limiter_host_name(i))});
}

limiter_region::~limiter_region() = default;

void limiter_region::check(limit_request request) const {
  limiter_host_actor host;
  if (hosts_ > 0) {
    const auto& names = names_[static_cast<std::size_t>(
        limiter_host_index(request.key, hosts_))];
    host =
        caf::actor_cast<limiter_host_actor>(sys_->registry().get(names.direct));
    if (!host)
      host = caf::actor_cast<limiter_host_actor>(
          sys_->registry().get(names.proxy));
  }
  if (!host) {
    if (due(last_no_host_log))
      log()->warn("rate limit: no limiter host for key {} (hosts {}); "
                  "allowed (limits fail open)",
                  request.key, hosts_);
    call(request.done, verdict{});
    return;
  }
  limit_query query = std::move(static_cast<limit_query&>(request));
  client_->ask(
      host, std::move(query),
      [sys = sys_, done = std::move(request.done)](caf::expected<verdict> v) {
        if (v) {
          call(done, *v);
          return;
        }
        if (due(last_lost_log))
          log()->warn("rate limit: no verdict from a limiter host ({}); "
                      "allowed (limits fail open)",
                      sys->render(v.error()));
        call(done, verdict{});
      });
}

} // namespace cdpd::actors::limits
