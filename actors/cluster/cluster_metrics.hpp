#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace cdpd::actors::cluster {

/// The cluster's Prometheus metrics: `cdpd_cluster_members{state}` (up,
/// suspect, down, as this node sees them), `cdpd_cluster_view_changes_total`
/// and `cdpd_cluster_fences_total` (times this node fenced itself).
struct cluster_metrics {
  explicit cluster_metrics(prometheus::Registry& registry);

  prometheus::Gauge& up;
  prometheus::Gauge& suspect;
  prometheus::Gauge& down;
  prometheus::Counter& view_changes;
  prometheus::Counter& fences;
};

} // namespace cdpd::actors::cluster
