#include "tests/unit/limits/limiter_test_support.hpp"

#include <future>

#include <prometheus/metric_family.h>

namespace cdpd::test {

using actors::limits::limiter_host_index;
using actors::limits::limiter_host_name;
using actors::limits::verdict;

std::function<void(const verdict&)> verdict_log::sink() {
  return [self = shared_from_this()](const verdict& v) {
    std::lock_guard<std::mutex> guard{self->mtx_};
    self->got_.push_back(v);
    self->cv_.notify_all();
  };
}

bool verdict_log::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return got_.size() >= n; });
}

std::vector<verdict> verdict_log::snapshot() {
  std::lock_guard<std::mutex> guard{mtx_};
  return got_;
}

actors::limits::rate make_rate(std::string_view name, int64_t limit,
                               std::chrono::milliseconds period) {
  actors::limits::rate r;
  r.name = name;
  r.limit = limit;
  r.period = period;
  return r;
}

std::optional<verdict> ask(const actors::limits::limiter_region& region,
                           const std::string& key,
                           std::vector<actors::limits::rate> rates,
                           int64_t cost, bool peek) {
  auto promise = std::make_shared<std::promise<verdict>>();
  auto answer = promise->get_future();
  actors::limits::limit_request request;
  request.key = key;
  request.rates = std::move(rates);
  request.cost = cost;
  request.peek = peek;
  request.done = [promise](const verdict& v) { promise->set_value(v); };
  region.check(std::move(request));
  if (answer.wait_for(settle_timeout) != std::future_status::ready)
    return std::nullopt;
  return answer.get();
}

double metric(prometheus::Registry& registry, const std::string& name,
              const std::string& outcome) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name)
      continue;
    for (const auto& m : family.metric) {
      bool match = outcome.empty();
      for (const auto& label : m.label)
        if (label.name == "outcome" && label.value == outcome)
          match = true;
      if (!match)
        continue;
      return family.type == prometheus::MetricType::Gauge ? m.gauge.value
                                                          : m.counter.value;
    }
  }
  return 0;
}

namespace {

std::pair<std::string, std::string> two_keys(int hosts, bool same) {
  std::string first = "ip:10.0.0.0";
  int home = limiter_host_index(first, hosts);
  for (int n = 1;; ++n) {
    auto key = "ip:10.0.0." + std::to_string(n);
    if ((limiter_host_index(key, hosts) == home) == same)
      return {first, key};
  }
}

} // namespace

std::pair<std::string, std::string> keys_on_different_hosts(int hosts) {
  return two_keys(hosts, false);
}

std::pair<std::string, std::string> keys_on_same_host(int hosts) {
  return two_keys(hosts, true);
}

bare_hosts::bare_hosts(caf::actor_system& sys, int n,
                       const actors::limits::limiter_options& options)
    : sys_(&sys) {
  for (int i = 0; i < n; ++i) {
    auto host = actors::limits::spawn_limiter_host(sys, i, options);
    sys.registry().put(caf::atom_from_string(limiter_host_name(i)),
                       caf::actor_cast<caf::strong_actor_ptr>(host));
    hosts_.push_back(caf::actor_cast<caf::actor>(std::move(host)));
  }
}

bare_hosts::~bare_hosts() {
  stop();
}

void bare_hosts::stop() {
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    sys_->registry().erase(
        caf::atom_from_string(limiter_host_name(static_cast<int>(i))));
    caf::anon_send_exit(hosts_[i], caf::exit_reason::user_shutdown);
  }
  hosts_.clear();
}

} // namespace cdpd::test
