#include "actors/cluster/placement.hpp"

#include <algorithm>

#include "actors/cluster/rendezvous.hpp"

namespace cdpd::actors::cluster {

placement::owner placement::locate(std::string_view key) const {
  std::shared_ptr<const view> v;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    v = current_;
  }
  auto i = rendezvous_owner(key, v->names);
  if (i < 0)
    return {};
  auto at = static_cast<std::size_t>(i);
  owner o;
  o.name = v->names[at];
  if (o.name == v->self)
    return o;
  o.agent = v->agents[at];
  o.at = o.agent ? owner::where::remote : owner::where::unreachable;
  return o;
}

void placement::update(std::string self, std::vector<member> live) {
  std::sort(live.begin(), live.end(),
            [](const member& a, const member& b) { return a.name < b.name; });
  auto next = std::make_shared<view>();
  next->self = std::move(self);
  for (auto& m : live) {
    next->names.push_back(std::move(m.name));
    next->agents.push_back(std::move(m.agent));
  }
  std::lock_guard<std::mutex> guard{mutex_};
  current_ = std::move(next);
}

std::vector<std::string> placement::live_names() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return current_->names;
}

} // namespace cdpd::actors::cluster
