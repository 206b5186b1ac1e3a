#include "tests/integration/cluster/cluster_support.hpp"

#include <exception>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/free_port.hpp"
#include "tests/support/http_client.hpp"

namespace cdpd::test {

using namespace std::chrono_literals;
using nlohmann::json;

std::vector<cluster_node> start_cluster(const std::string& db_url, int n,
                                        const std::vector<std::string>& extra) {
  std::vector<cluster_node> nodes(static_cast<std::size_t>(n));
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto& node = nodes[i];
    node.name = "n" + std::to_string(i + 1);
    node.http = free_port();
    do
      node.cluster = free_port();
    while (node.cluster == node.http);
    node.state = std::make_unique<temp_state_dir>();
  }
  for (auto& node : nodes) {
    std::vector<std::string> args{"--postgres.url=" + db_url,
                                  "--state.dir=" + node.state->path(),
                                  "--admin.enabled",
                                  "--cluster.name=" + node.name,
                                  "--cluster.address=127.0.0.1",
                                  "--cluster.port=" +
                                      std::to_string(node.cluster)};
    if (&node != &nodes[0])
      args.push_back("--cluster.seeds=127.0.0.1:" +
                     std::to_string(nodes[0].cluster));
    args.insert(args.end(), extra.begin(), extra.end());
    node.process = start_cdpd(node.http, args);
  }
  for (auto& node : nodes)
    EXPECT_TRUE(wait_ready_status(node.http, 200, 60s))
        << node.name << "\n"
        << node.process->output();
  return nodes;
}

json cluster_of(const cluster_node& node) {
  try {
    auto reply = http_call(node.http, "GET", "/admin/cluster", {}, {}, 2s);
    return json::parse(reply.body, nullptr, false);
  } catch (const std::exception&) {
    return nullptr;
  }
}

json member(const cluster_node& observer, const std::string& name) {
  auto view = cluster_of(observer);
  if (view.is_object() && view.contains("members"))
    for (auto& m : view["members"])
      if (m["name"] == name)
        return m;
  return nullptr;
}

std::string state_of(const cluster_node& observer, const std::string& name) {
  auto m = member(observer, name);
  return m.is_object() ? m["state"].get<std::string>() : "";
}

bool wait_until_formed(const std::vector<cluster_node>& nodes) {
  auto up = "cdpd_cluster_members{state=\"up\"} " +
            std::to_string(nodes.size()) + "\n";
  for (const auto& node : nodes) {
    bool formed = wait_until(
        [&] {
          try {
            return http_call(node.http, "GET", "/metrics", {}, {}, 2s)
                       .body.find(up) != std::string::npos;
          } catch (const std::exception&) {
            return false;
          }
        },
        15s);
    EXPECT_TRUE(formed) << node.name << "\n" << node.process->output();
    if (!formed)
      return false;
  }
  std::this_thread::sleep_for(1s);
  return true;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

} // namespace cdpd::test
