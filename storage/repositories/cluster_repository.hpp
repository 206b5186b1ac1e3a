#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// The `cluster_members` table (migration 0010): who is a member of the
/// cluster, on the database's clock. See actors/cluster/README.md.
namespace cdpd::storage {

/// What a node says about itself when it joins.
struct member_endpoint {
  std::string name;         ///< cluster.name, stable across restarts
  std::string address;      ///< cluster.address
  int port = 0;             ///< cluster.port (the published node agent)
  std::string http_address; ///< host:port of its HTTP API
};

/// One row of `cluster_members` as read by a poll.
struct member_row {
  std::string name;
  std::string address;
  int port = 0;
  std::string http_address;
  int64_t incarnation = 0;
  bool live = false;          ///< lease_until > now() on the database's clock
  bool left = false;          ///< stopped cleanly
  int64_t lease_until_ms = 0; ///< unix milliseconds
};

/// Joins as `self` with a new incarnation (from `cluster_incarnations`)
/// and a lease of `lease` from now; replaces whatever incarnation the name
/// had. Returns the new incarnation.
caf::expected<int64_t> join_cluster(pqxx::connection& conn,
                                    const member_endpoint& self,
                                    std::chrono::milliseconds lease);

/// Moves the lease of (`name`, `incarnation`) to now + `lease`, only while
/// the lease is still valid. False when nothing was renewed: the lease ran
/// out, or another process joined under the same name; the caller is then
/// fenced and must join again.
caf::expected<bool> renew_membership(pqxx::connection& conn,
                                     const std::string& name,
                                     int64_t incarnation,
                                     std::chrono::milliseconds lease);

/// Every member row, by name.
caf::expected<std::vector<member_row>> list_members(pqxx::connection& conn);

/// Ends the lease of (`name`, `incarnation`) now, marking it `left`: a clean
/// stop, so the others need not wait the lease out.
caf::expected<void> leave_cluster(pqxx::connection& conn,
                                  const std::string& name, int64_t incarnation);

/// Ends the lease of (`name`, `incarnation`) now when no database session
/// has `application_name` `session`: the member's own membership connection
/// is gone, so its process is (a killed process's socket is closed by the
/// kernel and its backend exits). True when the lease was ended. A live
/// member whose connection merely dropped renews nothing afterwards and
/// rejoins with a new incarnation, so a wrong guess costs one rejoin.
caf::expected<bool> expire_if_disconnected(pqxx::connection& conn,
                                           const std::string& name,
                                           int64_t incarnation,
                                           const std::string& session);

/// Ends the delivery lease of every row being sent whose claimant
/// ("<name>:<incarnation>", see claimant_tag) is not a live member any
/// more, so that any dispatcher claims it again at once, with the same
/// idempotency key; rows claimed on a single node (no claimant) wait out
/// their own lease. Returns how many rows were released. Idempotent: every
/// member may run it.
caf::expected<int64_t> release_lost_claims(pqxx::connection& conn);

/// What a member's dispatchers write to `deliveries.claimed_by`.
std::string claimant_tag(const std::string& name, int64_t incarnation);

/// One setting all members must share, and this node's value of it.
struct shared_setting {
  std::string name; ///< "ratelimit.hosts"
  std::string value;
};

/// Checks this node's `settings` against the cluster's (migration 0019),
/// under a table lock so that starting members take turns. Writes them
/// when nobody else can be using the stored ones: no other member's lease
/// is valid and no other member wrote them within `lease`. Returns one
/// line per setting that differs from the cluster's while another member
/// uses it (empty: agreed).
caf::expected<std::vector<std::string>>
agree_cluster_settings(pqxx::connection& conn, const std::string& self,
                       const std::vector<shared_setting>& settings,
                       std::chrono::milliseconds lease);

/// The `application_name` of a member's membership connection.
std::string membership_session_name(const std::string& name,
                                    int64_t incarnation);

} // namespace cdpd::storage
