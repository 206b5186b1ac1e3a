#include "actors/delivery/delivery_tree.hpp"

#include <algorithm>

#include <caf/all.hpp>

namespace cdpd::actors::delivery {

namespace {

constexpr millis margin{1'000};

// One enrolment batch: database work only.
constexpr millis enrol_stop{10'000};

/// Reports go to whichever host runs now: a restarted host has a new
/// handle under the same name.
void report_to_host(caf::actor_system& sys,
                    const campaigns::campaign_report& report) {
  auto host = caf::actor_cast<campaigns::campaign_host>(
      sys.registry().get(campaigns::campaign_host_key));
  if (host)
    caf::anon_send(host, campaigns::campaign_report_atom::value, report);
}

} // namespace

std::string dispatcher_name(int index) {
  return "dispatch" + std::to_string(index);
}

supervisor_spec delivery_tree(const delivery_tree_options& options) {
  supervisor_spec spec;
  spec.name = "delivery";
  spec.policy = options.policy;
  spec.metrics = options.metrics;
  if (options.campaigns) {
    child_spec child;
    child.name = campaigns::campaign_host_name();
    child.kind = "campaign-host";
    child.start = [o = *options.campaigns](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(
          campaigns::spawn_campaign_host(sys, o));
    };
    child.policy = options.campaign_policy;
    child.shutdown_timeout = margin;
    spec.children.push_back(std::move(child));
  }
  for (int i = 0; i < options.dispatchers; ++i) {
    auto o = options.dispatcher;
    o.name = dispatcher_name(i);
    o.completes_runs = i == 0;
    child_spec child;
    child.name = o.name;
    child.kind = "delivery-dispatcher";
    child.start = [o, reports = options.campaigns.has_value()](
                      caf::actor_system& sys) mutable {
      if (reports)
        o.report = [&sys](const campaigns::campaign_report& report) {
          report_to_host(sys, report);
        };
      return caf::actor_cast<caf::actor>(spawn_dispatcher(sys, o));
    };
    child.policy = options.child_policy;
    child.shutdown_timeout = options.send_timeout + margin;
    spec.children.push_back(std::move(child));
  }
  if (options.enrols) {
    enroller_options e;
    e.pool = options.dispatcher.pool;
    e.batch_size = options.dispatcher.batch_size;
    e.poll_interval = options.dispatcher.poll_interval;
    e.wait_day = options.wait_day;
    child_spec child;
    child.name = e.name;
    child.kind = "delivery-enroller";
    child.start = [e](caf::actor_system& sys) {
      return caf::actor_cast<caf::actor>(spawn_enroller(sys, e));
    };
    child.policy = options.child_policy;
    child.shutdown_timeout = enrol_stop;
    spec.children.push_back(std::move(child));
  }
  return spec;
}

millis delivery_tree_stop(const delivery_tree_options& options) {
  auto one = options.send_timeout + margin;
  return one * options.dispatchers + (options.enrols ? enrol_stop : millis{0}) +
         (options.campaigns ? margin : millis{0}) + margin;
}

} // namespace cdpd::actors::delivery
