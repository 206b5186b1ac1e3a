#include "actors/limits/limiter_region.hpp"

#include <algorithm>
#include <atomic>
#include <exception>

#include <caf/all.hpp>

#include "actors/limits/limit_client.hpp"
#include "actors/limits/limiter_metrics.hpp"
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
std::atomic<int64_t> last_remote_lost_log{0};
std::atomic<int64_t> last_unreachable_log{0};

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

verdict unavailable_verdict() {
  verdict v;
  v.allowed = false;
  v.unavailable = true;
  v.retry_after_seconds = unavailable_retry_after.count();
  v.retry_after_ms = unavailable_retry_wait.count();
  return v;
}

local_hosts::local_hosts(int hosts) {
  for (int i = 0; i < std::clamp(hosts, 0, max_hosts); ++i)
    names_.push_back({caf::atom_from_string(limiter_host_direct_name(i)),
                      caf::atom_from_string(limiter_host_name(i))});
}

limiter_host_actor local_hosts::find(caf::actor_system& sys,
                                     std::string_view key) const {
  if (names_.empty())
    return {};
  const auto& names =
      names_[static_cast<std::size_t>(limiter_host_index(key, count()))];
  if (auto host = sys.registry().get(names.direct))
    return caf::actor_cast<limiter_host_actor>(host);
  return caf::actor_cast<limiter_host_actor>(sys.registry().get(names.proxy));
}

limiter_region::limiter_region(caf::actor_system& sys, int hosts,
                               host_router router,
                               prometheus::Registry* metrics)
    : sys_(&sys), hosts_(hosts), router_(std::move(router)),
      remote_metrics_(metrics ? std::make_shared<remote_limit_metrics>(*metrics)
                              : nullptr),
      client_(std::make_unique<limit_client>(sys, limit_reply_timeout)),
      // Only a clustered node asks other nodes.
      remote_client_(router_ ? std::make_unique<limit_client>(
                                   sys, remote_limit_reply_timeout)
                             : nullptr) {}

limiter_region::~limiter_region() = default;

void limiter_region::check(limit_request request) const {
  if (hosts_.count() == 0 || !router_) {
    ask_local(std::move(request));
    return;
  }
  auto index = limiter_host_index(request.key, hosts_.count());
  auto route = router_(index);
  switch (route.at) {
  case host_route::where::here:
    ask_local(std::move(request));
    return;
  case host_route::where::remote:
    ask_remote(route.remote, std::move(request));
    return;
  case host_route::where::unreachable:
    if (remote_metrics_)
      remote_metrics_->unreachable();
    if (due(last_unreachable_log))
      log()->warn("rate limit: the node that owns limiter host {} cannot "
                  "be reached; refusing its keys until the cluster view "
                  "moves the host",
                  index);
    call(request.done, unavailable_verdict());
    return;
  }
}

void limiter_region::ask_local(limit_request request) const {
  auto host = hosts_.find(*sys_, request.key);
  if (!host) {
    if (due(last_no_host_log))
      log()->warn("rate limit: no limiter host for key {} (hosts {}); "
                  "allowed (limits fail open)",
                  request.key, hosts_.count());
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

void limiter_region::ask_remote(const limit_answer_actor& agent,
                                limit_request request) const {
  limit_query query = std::move(static_cast<limit_query&>(request));
  remote_client_->ask(
      agent, std::move(query),
      [sys = sys_, done = std::move(request.done), metrics = remote_metrics_,
       sent = steady::now()](caf::expected<verdict> v) {
        if (v) {
          if (metrics)
            metrics->answered(steady::now() - sent);
          call(done, *v);
          return;
        }
        if (metrics)
          metrics->failed();
        if (due(last_remote_lost_log))
          log()->warn("rate limit: no verdict from the node that owns the "
                      "key's limiter host ({}); refused as unavailable",
                      sys->render(v.error()));
        call(done, unavailable_verdict());
      });
}

} // namespace cdpd::actors::limits
