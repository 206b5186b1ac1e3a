#include "actors/webhooks/webhook_tree.hpp"

#include <random>

#include "actors/supervision/policy_from_settings.hpp"
#include "actors/webhooks/webhook_worker.hpp"

namespace cdpd::actors::webhooks {

namespace {

std::string random_tag() {
  std::random_device rd;
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 12; ++i)
    out += digits[rd() % 16];
  return out;
}

} // namespace

webhook_subtree make_webhook_subtree(
    const config::settings& s, std::shared_ptr<storage::pg_pool> write_pool,
    prometheus::Registry* registry,
    std::shared_ptr<supervision_metrics> metrics, const std::string& member) {
  auto policy = policy_from_settings(s.supervision, "connector");
  auto breakers = std::make_shared<host_breakers>(policy.breaker);
  std::shared_ptr<webhook_metrics> counters;
  if (registry != nullptr)
    counters = std::make_shared<webhook_metrics>(*registry);
  supervisor_spec spec;
  spec.name = "webhooks";
  spec.policy = policy;
  spec.metrics = std::move(metrics);
  const auto& w = s.webhooks;
  auto run =
      (member.empty() ? std::string{"node"} : member) + ":" + random_tag();
  for (int i = 0; i < w.workers; ++i) {
    webhook_worker_options o;
    o.name = "webhooks-" + std::to_string(i);
    o.owner = run + ":" + std::to_string(i);
    o.pool = write_pool;
    o.limits.retry_for = w.retry_for;
    o.limits.disable_after = w.disable_after;
    o.timeout = w.timeout;
    o.retry_backoff = w.retry_backoff;
    o.max_backoff = w.max_backoff;
    o.poll_interval = w.poll_interval;
    o.lease = w.lease;
    o.batch_size = w.batch_size;
    o.allow_private = w.allow_private;
    o.fans_out = true;
    o.reads_gauges = i == 0;
    o.breakers = breakers;
    o.metrics = counters;
    child_spec child;
    child.name = "whook-" + std::to_string(i);
    child.kind = "webhook-worker";
    child.start = [o](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(spawn_webhook_worker(sys, o));
    };
    child.shutdown_timeout = w.timeout + millis{2'000};
    child.policy = policy;
    spec.children.push_back(std::move(child));
  }
  webhook_subtree out;
  out.stop_bound = w.timeout + millis{3'000};
  out.child = supervisor_child(std::move(spec), out.stop_bound);
  return out;
}

} // namespace cdpd::actors::webhooks
