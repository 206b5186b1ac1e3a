#include "actors/cluster/cluster_metrics.hpp"

namespace cdpd::actors::cluster {

namespace {

prometheus::Family<prometheus::Gauge>& members_family(prometheus::Registry& r) {
  return prometheus::BuildGauge()
      .Name("cdpd_cluster_members")
      .Help("Cluster members by state as this node sees them.")
      .Register(r);
}

} // namespace

cluster_metrics::cluster_metrics(prometheus::Registry& registry)
    : up(members_family(registry).Add({{"state", "up"}})),
      suspect(members_family(registry).Add({{"state", "suspect"}})),
      down(members_family(registry).Add({{"state", "down"}})),
      view_changes(prometheus::BuildCounter()
                       .Name("cdpd_cluster_view_changes_total")
                       .Help("Changes of this node's cluster view: a member "
                             "joined, rejoined or changed state.")
                       .Register(registry)
                       .Add({})),
      fences(prometheus::BuildCounter()
                 .Name("cdpd_cluster_fences_total")
                 .Help("Times this node fenced itself: it could not renew "
                       "its membership lease in time.")
                 .Register(registry)
                 .Add({})) {}

} // namespace cdpd::actors::cluster
