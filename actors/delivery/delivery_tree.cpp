#include "actors/delivery/delivery_tree.hpp"

#include <algorithm>

namespace cdpd::actors::delivery {

namespace {

constexpr millis margin{1'000};

// One enrolment batch: database work only.
constexpr millis enrol_stop{10'000};

} // namespace

std::string dispatcher_name(int index) {
  return "dispatch" + std::to_string(index);
}

supervisor_spec delivery_tree(const delivery_tree_options& options) {
  supervisor_spec spec;
  spec.name = "delivery";
  spec.policy = options.policy;
  spec.metrics = options.metrics;
  for (int i = 0; i < std::max(1, options.dispatchers); ++i) {
    auto o = options.dispatcher;
    o.name = dispatcher_name(i);
    o.schedules = i == 0;
    child_spec child;
    child.name = o.name;
    child.kind = "delivery-dispatcher";
    child.start = [o](caf::actor_system& sys) {
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
    e.wait_day = options.dispatcher.wait_day;
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
  return one * std::max(1, options.dispatchers) +
         (options.enrols ? enrol_stop : millis{0}) + margin;
}

} // namespace cdpd::actors::delivery
