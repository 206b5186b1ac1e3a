#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/node/node_support.hpp"
#include "tests/support/child_process.hpp"

/// Several cdpd nodes on loopback that share one test database and form
/// one cluster, for the tests in this folder.
namespace cdpd::test {

struct cluster_node {
  std::string name; ///< cluster.name: "n1", "n2", ...
  uint16_t http = 0;
  uint16_t cluster = 0;
  std::unique_ptr<temp_state_dir> state;
  std::unique_ptr<child_process> process;
};

/// Starts `n` nodes named n1..n<n> against `db_url`, with the admin routes
/// on, the others seeded with n1's agent, and `extra` arguments; waits
/// until each answers ready. Fails the calling test (and returns what
/// started) when one does not.
std::vector<cluster_node> start_cluster(const std::string& db_url, int n,
                                        const std::vector<std::string>& extra);

/// GET /admin/cluster of `node`; null when it does not answer with JSON.
nlohmann::json cluster_of(const cluster_node& node);

/// The member `name` as `observer` sees it; null when absent.
nlohmann::json member(const cluster_node& observer, const std::string& name);

/// "up", "suspect", "down", or "" when `observer` does not list `name`.
std::string state_of(const cluster_node& observer, const std::string& name);

/// Waits until every node counts all of `nodes` up (read from /metrics,
/// which no rate limit counts), then a second more, so that each has
/// reached the others' agents. Fails the calling test with the lagging
/// node's output when that takes over 15 s.
bool wait_until_formed(const std::vector<cluster_node>& nodes);

/// Seconds since `t0`, for the printed figures.
double seconds_since(std::chrono::steady_clock::time_point t0);

} // namespace cdpd::test
