#include "actors/cluster/membership.hpp"

#include <map>
#include <set>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "actors/limits/limiter_region.hpp"
#include "actors/log.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::cluster {

namespace {

using clock = std::chrono::steady_clock;

/// A member agent this node is connected to and monitors.
struct peer {
  std::string endpoint; ///< address:port it was reached at
  node_agent_actor agent;
};

struct membership_state {
  membership_options options;
  int64_t incarnation = 0; ///< 0: not a member (not joined yet, or fenced)
  clock::time_point fence_at{};
  clock::time_point last_renewal{};
  int64_t version = 0;
  int64_t fences = 0;
  std::vector<member_view> members;
  std::map<std::string, peer> peers;       ///< by member name
  std::set<std::string> connecting;        ///< endpoints being connected
  std::map<std::string, int64_t> suspects; ///< name -> incarnation
  clock::time_point last_error_log{};
  static constexpr const char* name = "cluster-membership";
};

using self_ptr = membership_actor::stateful_pointer<membership_state>;

std::string endpoint_of(const std::string& address, int port) {
  return address + ":" + std::to_string(port);
}

/// A failed database call, at most once per lease period: while
/// PostgreSQL is away every round fails the same way.
void log_db_error(self_ptr self, const char* what, const caf::error& err) {
  auto& st = self->state;
  auto now = clock::now();
  if (now - st.last_error_log < st.options.lease)
    return;
  st.last_error_log = now;
  log()->warn("cluster: cannot {}: {}", what, storage::describe(err));
}

bool holds_lease(const membership_state& st) {
  return st.incarnation != 0 && clock::now() < st.fence_at;
}

/// Stops acting as a member: nothing this node was given may be used until
/// it has joined again with a new incarnation.
void fence(self_ptr self, const std::string& why) {
  auto& st = self->state;
  if (st.incarnation == 0)
    return;
  log()->warn("cluster: {} fenced itself (incarnation {}): {}; joining again",
              st.options.self.name, st.incarnation, why);
  st.options.lease_state->drop();
  st.incarnation = 0;
  ++st.fences;
  if (st.options.metrics)
    st.options.metrics->fences.Increment();
}

/// Fences when the local deadline has passed, before anything else is
/// done: a node that was frozen must not act on what it held.
void check_deadline(self_ptr self) {
  auto& st = self->state;
  if (st.incarnation != 0 && clock::now() >= st.fence_at)
    fence(self, "no lease renewal succeeded in time");
}

/// The lease holds until `lease - renew_every` after the renewal was sent:
/// before PostgreSQL's own lease ends, with a renewal period to spare.
void held_since(self_ptr self, clock::time_point sent) {
  auto& st = self->state;
  st.last_renewal = sent;
  st.fence_at = sent + st.options.lease - st.options.renew_every;
  st.options.lease_state->hold(st.incarnation, st.fence_at);
}

void join(self_ptr self) {
  auto& st = self->state;
  auto sent = clock::now();
  auto joined = st.options.pool->run([&](pqxx::connection& c) {
    return storage::join_cluster(c, st.options.self, st.options.lease);
  });
  if (!joined) {
    log_db_error(self, "join the cluster", joined.error());
    return;
  }
  st.incarnation = *joined;
  held_since(self, sent);
  log()->info("cluster: {} joined as incarnation {}", st.options.self.name,
              st.incarnation);
}

void renew(self_ptr self) {
  auto& st = self->state;
  auto sent = clock::now();
  auto renewed = st.options.pool->run([&](pqxx::connection& c) {
    return storage::renew_membership(c, st.options.self.name, st.incarnation,
                                     st.options.lease);
  });
  if (!renewed)
    log_db_error(self, "renew the membership lease", renewed.error());
  else if (*renewed)
    held_since(self, sent);
  else
    fence(self, "PostgreSQL renewed nothing (the lease had run out, or "
                "another process joined under this name)");
}

/// Suspects whose process holds no database session any more are down
/// now rather than when their lease runs out: a killed process's
/// connections are closed by the kernel at once.
void expire_disconnected(self_ptr self) {
  auto& st = self->state;
  for (const auto& [name, incarnation] : st.suspects) {
    auto expired = st.options.pool->run([&](pqxx::connection& c) {
      return storage::expire_if_disconnected(
          c, name, incarnation,
          storage::membership_session_name(name, incarnation));
    });
    if (expired && *expired)
      log()->info("cluster: {} (incarnation {}) holds no database session; "
                  "its lease ended early",
                  name, incarnation);
  }
}

std::string state_of(const membership_state& st,
                     const storage::member_row& row) {
  if (row.name == st.options.self.name)
    return row.incarnation == st.incarnation && holds_lease(st) ? "up" : "down";
  if (!row.live)
    return "down";
  auto suspect = st.suspects.find(row.name);
  return suspect != st.suspects.end() && suspect->second == row.incarnation
             ? "suspect"
             : "up";
}

void count_states(const membership_state& st) {
  if (!st.options.metrics)
    return;
  double up = 0;
  double suspect = 0;
  double down = 0;
  for (const auto& m : st.members)
    (m.state == "up" ? up : m.state == "suspect" ? suspect : down) += 1;
  st.options.metrics->up.Set(up);
  st.options.metrics->suspect.Set(suspect);
  st.options.metrics->down.Set(down);
}

/// A member that was lost (its lease ended, or it came back as a new
/// incarnation) may have left rows claimed: they go back to the
/// dispatchers of every node now rather than when their delivery lease
/// ends. Every member runs this on every view change; it is idempotent.
void release_lost_claims(self_ptr self) {
  auto released = self->state.options.pool->run(
      [](pqxx::connection& c) { return storage::release_lost_claims(c); });
  if (!released)
    log_db_error(self, "release the deliveries of lost members",
                 released.error());
  else if (*released > 0)
    log()->info("cluster: released {} deliveries claimed by lost members",
                *released);
}

/// A new view when any member joined, rejoined, moved or changed state;
/// true when the view changed.
bool publish(self_ptr self, std::vector<member_view> members) {
  auto& st = self->state;
  auto same = [](const member_view& a, const member_view& b) {
    return a.name == b.name && a.incarnation == b.incarnation &&
           a.state == b.state && a.address == b.address && a.port == b.port;
  };
  bool changed =
      members.size() != st.members.size() ||
      !std::equal(members.begin(), members.end(), st.members.begin(), same);
  st.members = std::move(members);
  if (!changed)
    return false;
  ++st.version;
  if (st.options.metrics)
    st.options.metrics->view_changes.Increment();
  std::string summary;
  for (const auto& m : st.members)
    summary += (summary.empty() ? "" : ", ") + m.name + "#" +
               std::to_string(m.incarnation) + " " + m.state;
  log()->info("cluster: view {}: {}", st.version, summary);
  count_states(st);
  return true;
}

void connect_to(self_ptr self, const std::string& address, uint16_t port);

/// Tells placement which members own keys now: those whose lease holds
/// (suspects too: only PostgreSQL decides, so every node places alike),
/// with the agent of each one this node is connected to.
void share_view(self_ptr self) {
  auto& st = self->state;
  if (!st.options.placement_state)
    return;
  std::vector<placement::member> live;
  for (const auto& m : st.members) {
    if (m.state == "down")
      continue;
    placement::member p{m.name, {}};
    if (m.name != st.options.self.name) {
      auto known = st.peers.find(m.name);
      if (known != st.peers.end() && m.state == "up")
        p.agent = known->second.agent;
    }
    live.push_back(std::move(p));
  }
  st.options.placement_state->update(st.options.self.name, std::move(live));
}

/// Reads the members, publishes the view if it changed and connects to the
/// agents of live members not connected yet.
void poll(self_ptr self) {
  auto& st = self->state;
  if (!st.suspects.empty())
    expire_disconnected(self);
  auto rows = st.options.pool->run(
      [](pqxx::connection& c) { return storage::list_members(c); });
  if (!rows) {
    log_db_error(self, "read the members", rows.error());
    return;
  }
  std::vector<member_view> members;
  for (const auto& row : *rows) {
    members.push_back({row.name, row.address, row.port, row.http_address,
                       row.incarnation, state_of(st, row), row.lease_until_ms});
    auto suspect = st.suspects.find(row.name);
    if (suspect != st.suspects.end() &&
        (suspect->second != row.incarnation || !row.live))
      st.suspects.erase(suspect);
  }
  if (publish(self, std::move(members)))
    release_lost_claims(self);
  share_view(self);
  for (const auto& m : st.members) {
    if (m.name == st.options.self.name || m.state == "down")
      continue;
    auto known = st.peers.find(m.name);
    if (known == st.peers.end() ||
        known->second.endpoint != endpoint_of(m.address, m.port))
      connect_to(self, m.address, static_cast<uint16_t>(m.port));
  }
}

/// Connects to the agent at `address`:`port` without blocking, asks its
/// name and monitors it.
void connect_to(self_ptr self, const std::string& address, uint16_t port) {
  auto& st = self->state;
  auto endpoint = endpoint_of(address, port);
  if (!st.connecting.insert(endpoint).second)
    return;
  auto timeout = st.options.connect_timeout;
  auto failed = [self, endpoint](caf::error& err) {
    auto& st = self->state;
    st.connecting.erase(endpoint);
    for (const auto& m : st.members)
      if (endpoint_of(m.address, m.port) == endpoint && m.state == "up" &&
          m.name != st.options.self.name) {
        log()->info("cluster: cannot reach the agent of {} at {}: {}", m.name,
                    endpoint, self->system().render(err));
        st.suspects[m.name] = m.incarnation;
      }
  };
  self->request(self->system().middleman().actor_handle(), timeout,
                caf::connect_atom::value, address, port)
      .then(
          [self, endpoint, timeout, failed](caf::node_id&,
                                            caf::strong_actor_ptr& ptr,
                                            std::set<std::string>&) {
            auto agent = caf::actor_cast<node_agent_actor>(ptr);
            if (!agent) {
              caf::error none = caf::sec::no_actor_published_at_port;
              failed(none);
              return;
            }
            self->request(agent, timeout, cluster_hello_atom::value)
                .then(
                    [self, endpoint, agent](std::string& name) {
                      auto& st = self->state;
                      st.connecting.erase(endpoint);
                      if (name == st.options.self.name)
                        return;
                      self->monitor(agent);
                      st.peers[name] = {endpoint, agent};
                      st.suspects.erase(name);
                      share_view(self);
                    },
                    failed);
          },
          failed);
}

membership_actor::behavior_type membership(self_ptr self,
                                           membership_options options) {
  self->state.options = std::move(options);
  // A clean stop ends the lease at once, so the others need not wait it
  // out. The lease object outlives the state, which is gone by then.
  self->attach_functor(
      [pool = self->state.options.pool, lease = self->state.options.lease_state,
       name = self->state.options.self.name](const caf::error&) {
        if (auto incarnation = lease->incarnation(); incarnation != 0) {
          lease->drop();
          // Best effort: without it the lease simply runs out.
          static_cast<void>(pool->run([&](pqxx::connection& c) {
            return storage::leave_cluster(c, name, incarnation);
          }));
        }
      });
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    for (auto it = st.peers.begin(); it != st.peers.end(); ++it) {
      if (it->second.agent.address() != down.source)
        continue;
      auto name = it->first;
      st.peers.erase(it);
      for (const auto& m : st.members)
        if (m.name == name && m.state != "down")
          st.suspects[name] = m.incarnation;
      log()->info("cluster: the agent of {} went down ({}); reading the "
                  "members again",
                  name, self->system().render(down.reason));
      check_deadline(self);
      poll(self);
      share_view(self);
      return;
    }
  });
  for (const auto& [host, port] : self->state.options.seeds)
    connect_to(self, host, port);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) {
        auto& st = self->state;
        check_deadline(self);
        if (st.incarnation == 0)
          join(self);
        else if (clock::now() - st.last_renewal >=
                 st.options.renew_every - st.options.poll_every / 2)
          renew(self);
        poll(self);
        self->delayed_send(self, st.options.poll_every, tick_atom::value);
      },
      [self](cluster_view_atom) {
        check_deadline(self);
        auto& st = self->state;
        cluster_view view{st.options.self.name, st.incarnation, st.version,
                          st.fences, st.members};
        // This node's own state is as of now, not of the last poll.
        for (auto& m : view.members)
          if (m.name == st.options.self.name && !holds_lease(st))
            m.state = "down";
        return view;
      },
      [self](check_atom) {
        check_deadline(self);
        if (holds_lease(self->state))
          return check_result{true, 0, {}};
        return check_result{false, 0,
                            "this node holds no valid cluster lease (not "
                            "joined yet, or fenced)"};
      },
  };
}

campaigns::campaign_door local_campaign_host(caf::actor_system& sys) {
  return caf::actor_cast<campaigns::campaign_door>(
      sys.registry().get(campaigns::campaign_host_key));
}

caf::error no_campaign_host() {
  return caf::make_error(caf::sec::request_receiver_down,
                         "no campaign host runs on the owning member (it "
                         "runs no delivery, or is starting)");
}

} // namespace

storage::pg_pool_options membership_pool_options(std::string url) {
  storage::pg_pool_options o;
  o.name = "cluster";
  o.url = std::move(url);
  o.size = 1;
  o.acquire_timeout = millis{1'000};
  o.statement_timeout = millis{1'000};
  o.connect_timeout = millis{1'000};
  return o;
}

membership_actor spawn_membership(caf::actor_system& sys,
                                  membership_options options) {
  return sys.spawn<caf::detached>(membership, std::move(options));
}

caf::expected<node_agent_actor> publish_node_agent(caf::actor_system& sys,
                                                   std::string name,
                                                   const std::string& address,
                                                   uint16_t port,
                                                   int limiter_hosts) {
  auto agent = sys.spawn(
      [name = std::move(name), hosts = limits::local_hosts{limiter_hosts}](
          node_agent_actor::pointer self) -> node_agent_actor::behavior_type {
        return {
            [name](cluster_hello_atom) { return name; },
            [self, hosts](limit_atom, limits::limit_query& query)
                -> caf::result<limits::verdict> {
              auto host = hosts.find(self->system(), query.key);
              // As on the local path: no host (it is restarting) fails open.
              if (!host)
                return limits::verdict{};
              return self->delegate(host, limit_atom::value, std::move(query));
            },
            // Campaign messages keep their sender, so that the host sees they
            // came from another node and handles them here.
            [self](campaigns::campaign_status_atom atom, std::string& id,
                   std::string& status) -> caf::result<bool> {
              auto host = local_campaign_host(self->system());
              if (!host)
                return no_campaign_host();
              return self->delegate(host, atom, std::move(id),
                                    std::move(status));
            },
            [self](campaigns::campaign_report_atom atom,
                   campaigns::campaign_report& report) {
              if (auto host = local_campaign_host(self->system()))
                self->delegate(host, atom, std::move(report));
            },
            [self](campaigns::campaign_reload_atom atom,
                   std::string& id) -> caf::result<bool> {
              auto host = local_campaign_host(self->system());
              if (!host)
                return no_campaign_host();
              return self->delegate(host, atom, std::move(id));
            },
            [self](campaigns::campaign_view_atom atom, std::string& id)
                -> caf::result<std::vector<campaigns::campaign_snapshot>> {
              auto host = local_campaign_host(self->system());
              if (!host)
                return std::vector<campaigns::campaign_snapshot>{};
              return self->delegate(host, atom, std::move(id));
            },
        };
      });
  auto published = sys.middleman().publish(agent, port, address.c_str(), true);
  if (!published) {
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
    return std::move(published.error());
  }
  return agent;
}

std::vector<std::pair<std::string, uint16_t>>
parse_seeds(const std::string& text) {
  std::vector<std::pair<std::string, uint16_t>> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto item = text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    auto first = item.find_first_not_of(' ');
    auto last = item.find_last_not_of(' ');
    if (first != std::string::npos)
      item = item.substr(first, last - first + 1);
    auto colon = item.rfind(':');
    if (colon != std::string::npos && colon > 0) {
      auto port = std::atoi(item.c_str() + colon + 1);
      if (port > 0 && port < 65536)
        out.emplace_back(item.substr(0, colon), static_cast<uint16_t>(port));
    }
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

} // namespace cdpd::actors::cluster
