#include "actors/campaigns/campaign_host.hpp"

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <caf/all.hpp>

#include "actors/domain/campaign_run_work.hpp"
#include "actors/domain/campaign_work.hpp"
#include "actors/log.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::campaigns {

namespace {

using actor_map = std::map<std::string, campaign_actor>;

/// A status change waiting for the one before it on the same campaign.
struct queued_change {
  std::string status;
  caf::typed_response_promise<bool> promise;
};

struct host_state {
  campaign_host_options options;
  /// Shared with the cleanup that stops the actors when the host stops.
  std::shared_ptr<actor_map> actors = std::make_shared<actor_map>();
  /// Campaigns without an actor whose status change is in flight, with the
  /// changes asked meanwhile: they run one after the other, as an actor
  /// would run them.
  std::map<std::string, std::deque<queued_change>> changing;
  bool failing = false; ///< the last poll failed (log once)
  static inline const char* name = "campaign-host";
};

using host_ptr = campaign_host::stateful_pointer<host_state>;

/// Longest wait for one actor's snapshot.
constexpr auto view_timeout = std::chrono::seconds{5};

/// Longest wait for an actor to answer a change or a reload. The actor
/// handles one thing at a time, so the answer may wait behind the database
/// step in progress (an audience snapshot), then take the change's own step
/// and the plan after it: three db jobs at most.
millis answer_timeout(host_ptr self) {
  return 3 * self->state.options.campaign.db_timeout;
}

db_actor write_db(host_ptr self) {
  return caf::actor_cast<db_actor>(self->system().registry().get(db_write_key));
}

/// Where campaign `id` is handled. A message that another node sent here
/// is handled here whatever this node's view says: two nodes whose views
/// differ for a moment must not pass it back and forth.
campaign_route route_of(host_ptr self, const std::string& id) {
  if (!self->state.options.route)
    return {};
  const auto& sender = self->current_sender();
  if (sender && sender->node() != self->node())
    return {};
  return self->state.options.route(id);
}

/// Whether this node owns campaign `id` (for the poll, which has no sender).
bool owned_here(host_ptr self, const std::string& id) {
  return !self->state.options.route ||
         self->state.options.route(id).at == campaign_route::where::here;
}

caf::error owner_unreachable(const std::string& id) {
  return caf::make_error(caf::sec::request_receiver_down,
                         "the cluster member that runs campaign " + id +
                             " cannot be reached; retry in a few seconds");
}

campaign_actor actor_of(host_ptr self, const std::string& id) {
  auto it = self->state.actors->find(id);
  return it == self->state.actors->end() ? campaign_actor{} : it->second;
}

campaign_actor ensure_actor(host_ptr self, const std::string& id) {
  if (auto actor = actor_of(self, id))
    return actor;
  auto options = self->state.options.campaign;
  options.id = id;
  auto actor = spawn_campaign_actor(self->system(), std::move(options));
  self->monitor(actor);
  self->state.actors->emplace(id, actor);
  return actor;
}

void poll(host_ptr self) {
  auto done = [self] {
    self->delayed_send(self, self->state.options.poll_interval,
                       campaign_poll_atom::value);
  };
  auto db = write_db(self);
  if (!db)
    return done();
  auto job = domain::live_campaign_ids();
  self->request(db, self->state.options.campaign.db_timeout, db_job_atom::value,
                std::move(job.work))
      .then(
          [self, done](db_result& result) {
            auto ids = db_value<std::vector<std::string>>(result);
            if (!ids) {
              if (!self->state.failing)
                log()->warn("campaign host: cannot read campaigns: {}",
                            storage::describe(ids.error()));
              self->state.failing = true;
              return done();
            }
            self->state.failing = false;
            std::set<std::string> live;
            for (auto& id : *ids)
              if (owned_here(self, id))
                live.insert(std::move(id));
            for (const auto& id : live)
              ensure_actor(self, id);
            // Gone or no longer live: the actor reads its campaign again
            // and stops itself. Owned by another member now: stopped; the
            // owner's actor recovers the campaign from PostgreSQL.
            auto& actors = *self->state.actors;
            for (auto it = actors.begin(); it != actors.end();) {
              if (live.count(it->first)) {
                ++it;
              } else if (!owned_here(self, it->first)) {
                log()->info("campaign host: campaign {} moved to another "
                            "cluster member; its actor here stops",
                            it->first);
                caf::anon_send_exit(it->second,
                                    caf::exit_reason::user_shutdown);
                it = actors.erase(it);
              } else {
                caf::anon_send(it->second, campaign_reload_atom::value);
                ++it;
              }
            }
            done();
          },
          [self, done](caf::error& err) {
            if (!self->state.failing)
              log()->warn("campaign host: cannot read campaigns: {}",
                          storage::describe(err));
            self->state.failing = true;
            done();
          });
}

void change_without_actor(host_ptr self, const std::string& id,
                          queued_change change);

void queue_change(host_ptr self, const std::string& id, queued_change change);

/// Hands a change to the campaign's actor. An actor that stopped before it
/// took the change (its campaign completed, went back to draft or was
/// deleted by the change before) is forgotten, and the change runs here.
void ask_actor(host_ptr self, const std::string& id, campaign_actor actor,
               queued_change change) {
  self->request(actor, answer_timeout(self), campaign_status_atom::value,
                change.status)
      .then([p = change.promise](bool ok) mutable { p.deliver(ok); },
            [self, id, actor, change](caf::error& err) mutable {
              if (err != caf::sec::request_receiver_down) {
                change.promise.deliver(err);
                return;
              }
              auto it = self->state.actors->find(id);
              if (it != self->state.actors->end() && it->second == actor)
                self->state.actors->erase(it);
              queue_change(self, id, std::move(change));
            });
}

/// Hands the next change queued on `id` to its actor, or runs it here.
void next_change(host_ptr self, const std::string& id) {
  auto it = self->state.changing.find(id);
  if (it == self->state.changing.end())
    return;
  if (it->second.empty()) {
    self->state.changing.erase(it);
    return;
  }
  auto change = std::move(it->second.front());
  it->second.pop_front();
  if (auto actor = actor_of(self, id)) {
    // The actor takes this one and every later one (they are forwarded in
    // order, and it handles them in order).
    auto rest = std::move(it->second);
    self->state.changing.erase(it);
    rest.push_front(std::move(change));
    for (auto& c : rest)
      ask_actor(self, id, actor, std::move(c));
    return;
  }
  change_without_actor(self, id, std::move(change));
}

/// A status change of a campaign without an actor, on the db actor; the
/// next one on the same campaign waits for it.
void change_without_actor(host_ptr self, const std::string& id,
                          queued_change change) {
  auto finish = [self, id,
                 promise = change.promise](caf::expected<bool> result) mutable {
    if (result)
      promise.deliver(*result);
    else
      promise.deliver(result.error());
    next_change(self, id);
  };
  auto db = write_db(self);
  if (!db)
    return finish(caf::make_error(caf::sec::request_receiver_down,
                                  "the pg-write db actor is not running"));
  self->state.changing[id]; // in flight
  auto job = domain::change_campaign_status(id, change.status);
  self->request(db, self->state.options.campaign.db_timeout, db_job_atom::value,
                std::move(job.work))
      .then(
          [self, id, status = change.status,
           finish](db_result& result) mutable {
            auto changed = db_value<bool>(result);
            if (!changed || (status != "active" && status != "paused"))
              return finish(std::move(changed));
            // Live now: its actor takes over. The answer waits until it has
            // read the move (and scheduled the campaign), so the caller
            // sees the schedule.
            self->request(ensure_actor(self, id), answer_timeout(self),
                          campaign_reload_atom::value)
                .then([finish](bool) mutable { finish(true); },
                      [finish](caf::error&) mutable { finish(true); });
          },
          [finish](caf::error& err) mutable { finish(err); });
}

/// Runs `change` after the changes in flight on `id`, or now.
void queue_change(host_ptr self, const std::string& id, queued_change change) {
  auto waiting = self->state.changing.find(id);
  if (waiting != self->state.changing.end())
    waiting->second.push_back(std::move(change));
  else if (auto actor = actor_of(self, id))
    ask_actor(self, id, actor, std::move(change));
  else
    change_without_actor(self, id, std::move(change));
}

/// Asks every actor for its snapshot; actors that do not answer in time are
/// left out.
caf::result<std::vector<campaign_snapshot>> view_all(host_ptr self) {
  auto promise = self->make_response_promise<std::vector<campaign_snapshot>>();
  auto actors = *self->state.actors;
  if (actors.empty()) {
    promise.deliver(std::vector<campaign_snapshot>{});
    return promise;
  }
  struct collect {
    std::vector<campaign_snapshot> items;
    std::size_t waiting = 0;
  };
  auto acc = std::make_shared<collect>();
  acc->waiting = actors.size();
  auto one_done = [acc, promise]() mutable {
    if (--acc->waiting == 0) {
      std::sort(acc->items.begin(), acc->items.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
      promise.deliver(std::move(acc->items));
    }
  };
  for (const auto& [id, actor] : actors)
    self->request(actor, view_timeout, campaign_view_atom::value)
        .then(
            [acc, one_done](campaign_snapshot& s) mutable {
              acc->items.push_back(std::move(s));
              one_done();
            },
            [one_done](caf::error&) mutable { one_done(); });
  return promise;
}

campaign_host::behavior_type host_behavior(host_ptr self,
                                           campaign_host_options options) {
  self->state.options = std::move(options);
  self->attach_functor([actors = self->state.actors] {
    for (auto& [id, actor] : *actors)
      caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([self](caf::down_msg& down) {
    auto& actors = *self->state.actors;
    for (auto it = actors.begin(); it != actors.end(); ++it)
      if (it->second.address() == down.source) {
        if (down.reason != caf::exit_reason::normal)
          log()->warn("campaign host: the actor of campaign {} stopped: {}; "
                      "it restarts at the next poll",
                      it->first, self->system().render(down.reason));
        actors.erase(it);
        return;
      }
  });
  self->send(self, campaign_poll_atom::value);
  return {
      [self](campaign_poll_atom) { poll(self); },
      [self](campaign_status_atom atom, const std::string& id,
             const std::string& status) -> caf::result<bool> {
        auto route = route_of(self, id);
        if (route.at == campaign_route::where::unreachable)
          return owner_unreachable(id);
        if (route.at == campaign_route::where::remote)
          return self->delegate(route.remote, atom, id, status);
        // Behind a change in flight here, a later one waits its turn even
        // if the first one gave the campaign an actor.
        auto promise = self->make_response_promise<bool>();
        queue_change(self, id, {status, promise});
        return promise;
      },
      [self](campaign_report_atom atom, const campaign_report& report) {
        auto route = route_of(self, report.campaign_id);
        // An owner that cannot be reached loses the report: its actor
        // reads the counts again when it settles.
        if (route.at == campaign_route::where::unreachable)
          return;
        if (route.at == campaign_route::where::remote) {
          self->send(route.remote, atom, report);
          return;
        }
        // A campaign without an actor is not sending; its counts are read
        // from the table when it gets one.
        if (auto actor = actor_of(self, report.campaign_id))
          self->send(actor, atom, report);
      },
      // A campaign without an actor is not live (or the next poll finds
      // that it is): nothing here holds it.
      [self](campaign_reload_atom atom,
             const std::string& id) -> caf::result<bool> {
        auto route = route_of(self, id);
        if (route.at == campaign_route::where::unreachable)
          return owner_unreachable(id);
        if (route.at == campaign_route::where::remote)
          return self->delegate(route.remote, atom, id);
        auto actor = actor_of(self, id);
        if (!actor)
          return true;
        auto promise = self->make_response_promise<bool>();
        self->request(actor, answer_timeout(self), atom)
            .then([promise](bool ok) mutable { promise.deliver(ok); },
                  [promise](caf::error& err) mutable {
                    // Stopped first: it read the campaign and found it over.
                    if (err == caf::sec::request_receiver_down)
                      promise.deliver(true);
                    else
                      promise.deliver(err);
                  });
        return promise;
      },
      [self](campaign_view_atom) { return view_all(self); },
      [self](campaign_view_atom atom, const std::string& id)
          -> caf::result<std::vector<campaign_snapshot>> {
        using snapshots = std::vector<campaign_snapshot>;
        auto route = route_of(self, id);
        // Unreachable: the table answers, as for a campaign without actor.
        if (route.at == campaign_route::where::unreachable)
          return snapshots{};
        if (route.at == campaign_route::where::remote)
          return self->delegate(route.remote, atom, id);
        auto actor = actor_of(self, id);
        if (!actor)
          return snapshots{};
        auto promise = self->make_response_promise<snapshots>();
        self->request(actor, view_timeout, atom)
            .then(
                [promise](campaign_snapshot& s) mutable {
                  promise.deliver(snapshots{std::move(s)});
                },
                // Stopped meanwhile: the table has the answer.
                [promise](caf::error&) mutable {
                  promise.deliver(snapshots{});
                });
        return promise;
      },
      [self](campaign_actor_atom, const std::string& id) {
        return caf::actor_cast<caf::actor>(actor_of(self, id));
      },
  };
}

} // namespace

std::string campaign_host_name() {
  return caf::to_string(campaign_host_key);
}

campaign_host spawn_campaign_host(caf::actor_system& sys,
                                  campaign_host_options options) {
  return sys.spawn(host_behavior, std::move(options));
}

} // namespace cdpd::actors::campaigns
