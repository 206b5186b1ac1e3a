// Rendezvous placement: every node computes the same owner from the same
// members, keys spread evenly, a change of membership moves only the keys
// of the member that came or went, and placement's view of where an owner
// is (here, reachable, unreachable).
#include <map>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/cluster/placement.hpp"
#include "actors/cluster/rendezvous.hpp"

namespace cdpd::actors::cluster {
namespace {

std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("limits-" + std::to_string(i));
  return out;
}

std::string owner(const std::string& key,
                  const std::vector<std::string>& members) {
  auto i = rendezvous_owner(key, members);
  return i < 0 ? std::string{} : members[static_cast<std::size_t>(i)];
}

TEST(Rendezvous, NoMembersOwnNothing) {
  EXPECT_EQ(rendezvous_owner("limits-0", {}), -1);
}

TEST(Rendezvous, TheOwnerDoesNotDependOnTheOrderOfMembers) {
  std::vector<std::string> a{"n1", "n2", "n3"};
  std::vector<std::string> b{"n3", "n1", "n2"};
  for (const auto& key : keys(200))
    EXPECT_EQ(owner(key, a), owner(key, b)) << key;
}

TEST(Rendezvous, KeysSpreadEvenlyOverMembers) {
  std::vector<std::string> members{"node-a", "node-b", "node-c"};
  std::map<std::string, int> count;
  for (const auto& key : keys(3000))
    ++count[owner(key, members)];
  ASSERT_EQ(count.size(), 3u);
  for (const auto& [name, n] : count) {
    EXPECT_GT(n, 850) << name;
    EXPECT_LT(n, 1150) << name;
  }
}

TEST(Rendezvous, ALostMemberMovesOnlyItsOwnKeys) {
  std::vector<std::string> three{"n1", "n2", "n3"};
  std::vector<std::string> two{"n1", "n3"};
  int moved = 0;
  for (const auto& key : keys(3000)) {
    auto before = owner(key, three);
    auto after = owner(key, two);
    if (before != "n2") {
      EXPECT_EQ(before, after) << key;
    } else {
      ++moved;
      EXPECT_NE(after, "n2");
    }
  }
  EXPECT_GT(moved, 850);
  EXPECT_LT(moved, 1150);
}

TEST(Rendezvous, ANewMemberTakesKeysOnlyForItself) {
  std::vector<std::string> two{"n1", "n2"};
  std::vector<std::string> three{"n1", "n2", "n4"};
  for (const auto& key : keys(1000)) {
    auto after = owner(key, three);
    if (after != "n4") {
      EXPECT_EQ(owner(key, two), after) << key;
    }
  }
}

TEST(Rendezvous, WeightsAreStableAcrossBuilds) {
  // Nodes of one cluster built apart must place alike.
  // Pinned values, computed apart from this code.
  EXPECT_EQ(rendezvous_weight("", ""), 0x25fc6dd36ce04b20ull);
  EXPECT_EQ(rendezvous_weight("n1", "limits-0"), 0xd62113184298f16eull);
  // The separator keeps (name, key) pairs apart.
  EXPECT_NE(rendezvous_weight("n1", "limits-0"),
            rendezvous_weight("n1l", "imits-0"));
}

node_agent_actor::behavior_type quiet_agent() {
  namespace camp = campaigns;
  return {[](cluster_hello_atom) { return std::string{"other"}; },
          [](limit_atom, limits::limit_query&) { return limits::verdict{}; },
          [](camp::campaign_status_atom, std::string&, std::string&) {
            return true;
          },
          [](camp::campaign_report_atom, camp::campaign_report&) {},
          [](camp::campaign_reload_atom, std::string&) { return true; },
          [](camp::campaign_view_atom, std::string&) {
            return std::vector<camp::campaign_snapshot>{};
          }};
}

TEST(Placement, WithoutAViewEveryKeyIsHere) {
  placement p;
  auto o = p.locate("limits-3");
  EXPECT_EQ(o.at, placement::owner::where::here);
  EXPECT_TRUE(o.name.empty());
}

TEST(Placement, OwnersAreHereRemoteOrUnreachable) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto agent = sys.spawn(quiet_agent);
  placement p;
  // n3 is live but this node holds no handle to its agent.
  p.update("n1", {{"n1", {}}, {"n2", agent}, {"n3", {}}});
  std::vector<std::string> names{"n1", "n2", "n3"};
  EXPECT_EQ(p.live_names(), names);
  std::map<std::string, int> seen;
  for (const auto& key : keys(60)) {
    auto o = p.locate(key);
    EXPECT_EQ(o.name, owner(key, names)) << key;
    ++seen[o.name];
    if (o.name == "n1") {
      EXPECT_EQ(o.at, placement::owner::where::here);
    } else if (o.name == "n2") {
      EXPECT_EQ(o.at, placement::owner::where::remote);
      EXPECT_EQ(o.agent, agent);
    } else {
      EXPECT_EQ(o.at, placement::owner::where::unreachable);
      EXPECT_FALSE(o.agent);
    }
  }
  EXPECT_EQ(seen.size(), 3u);
  // A fenced node leaves itself out: its keys belong to the others.
  p.update("n1", {{"n2", agent}, {"n3", {}}});
  for (const auto& key : keys(60))
    EXPECT_NE(p.locate(key).name, "n1");
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
}

} // namespace
} // namespace cdpd::actors::cluster
