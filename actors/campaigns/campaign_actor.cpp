// A campaign actor serialises its database steps with `await`: while one
// runs, no other message (a status change, a report, a timer) is handled,
// so the lifecycle never sees two moves at once.
#include "actors/campaigns/campaign_actor.hpp"

#include <functional>
#include <optional>
#include <utility>

#include <caf/all.hpp>

#include "actors/campaigns/campaign_execution.hpp"
#include "actors/campaigns/campaign_gauges.hpp"
#include "actors/domain/campaign_run_work.hpp"
#include "actors/domain/campaign_work.hpp"
#include "actors/log.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::campaigns {

namespace {

using steady = std::chrono::steady_clock;

struct actor_state {
  campaign_options options;
  storage::campaign_run_state run;
  campaign_step step = campaign_step::loading;
  /// The step as the exit cleanup sees it: the state is gone by then.
  std::shared_ptr<campaign_step> last_step =
      std::make_shared<campaign_step>(campaign_step::loading);
  std::uint64_t timer_generation = 0;  ///< of the start timer
  std::uint64_t settle_generation = 0; ///< of the count refresh
  /// Reports came since the counts were last read: a refresh is armed.
  bool settle_armed = false;
  /// The table refused to complete the campaign on these counts: not
  /// asked again before a report or a recheck, so the two never loop.
  bool completion_refused = false;
  std::optional<steady::time_point> next_timer;
  static inline const char* name = "campaign";
};

using actor_ptr = campaign_actor::stateful_pointer<actor_state>;

void set_step(actor_ptr self, campaign_step step) {
  auto& st = self->state;
  if (st.options.gauges && st.step != step)
    st.options.gauges->move(st.step, step);
  st.step = step;
  *st.last_step = step;
}

/// Runs `job` on the node's write db actor and calls `on_value(T&)` or
/// `on_error(caf::error&)`; nothing else is handled meanwhile.
template <class T, class OnValue, class OnError>
void run_db(actor_ptr self, db_job<T> job, OnValue on_value, OnError on_error) {
  auto target =
      caf::actor_cast<db_actor>(self->system().registry().get(db_write_key));
  if (!target) {
    auto err = caf::make_error(caf::sec::request_receiver_down,
                               "the pg-write db actor is not running");
    on_error(err);
    return;
  }
  self->request(target, self->state.options.db_timeout, db_job_atom::value,
                std::move(job.work))
      .await(
          [on_value, on_error](db_result& result) mutable {
            auto value = db_value<T>(result);
            if (!value)
              return on_error(value.error());
            on_value(*value);
          },
          [on_error](caf::error& err) mutable { on_error(err); });
}

using done_fn = std::function<void()>;

void plan(actor_ptr self, done_fn done);

/// Logs a failed step and reads the campaign again later.
void retry_later(actor_ptr self, const char* what, const caf::error& err) {
  log()->warn("campaign {}: {}: {}", self->state.options.id, what,
              storage::describe(err));
  auto generation = ++self->state.settle_generation;
  self->state.next_timer = steady::now() + self->state.options.retry;
  self->delayed_send(self, self->state.options.retry,
                     campaign_settle_atom::value, generation);
}

/// Reads the campaign again and acts on what it is now; then `after()`.
void reload(
    actor_ptr self, std::function<void()> after = [] {}) {
  run_db(
      self, domain::load_campaign_run(self->state.options.id),
      [self, after](domain::campaign_run_reply& found) {
        if (!found) {
          // Deleted: nothing is left to run.
          set_step(self, campaign_step::done);
          self->quit();
        } else {
          self->state.run = std::move(*found);
          return plan(self, after);
        }
        after();
      },
      [self, after](caf::error& err) {
        retry_later(self, "reading its state", err);
        after();
      });
}

void arm_settle(actor_ptr self, millis delay) {
  auto generation = ++self->state.settle_generation;
  self->state.next_timer = steady::now() + delay;
  self->delayed_send(self, delay, campaign_settle_atom::value, generation);
}

void schedule(actor_ptr self, done_fn done) {
  set_step(self, campaign_step::scheduling);
  const auto& o = self->state.options;
  run_db(
      self, domain::schedule_campaign(o.id, o.timezone),
      [self, done](bool scheduled) {
        if (scheduled)
          return reload(self, done);
        // Moved meanwhile (by psql or another node): look again later
        // rather than loop.
        arm_settle(self, self->state.options.retry);
        done();
      },
      [self, done](caf::error& err) {
        retry_later(self, "scheduling", err);
        done();
      });
}

void arm_start(actor_ptr self) {
  set_step(self, campaign_step::waiting);
  auto& st = self->state;
  auto delay = millis{std::max<int64_t>(0, st.run.start_in_ms.value_or(0))};
  auto generation = ++st.timer_generation;
  st.next_timer = steady::now() + delay;
  self->delayed_send(self, delay, campaign_timer_atom::value, generation);
}

void start(actor_ptr self) {
  set_step(self, campaign_step::starting);
  const auto& o = self->state.options;
  run_db(
      self, domain::start_campaign(o.id, o.wait_day),
      [self](storage::start_result& started) {
        const auto& id = self->state.options.id;
        if (!started.problem.empty())
          log()->warn("campaign {}: not started: {}", id, started.problem);
        else if (started.started)
          log()->info("campaign {}: started with {} deliveries", id,
                      started.rows);
        reload(self);
      },
      [self](caf::error& err) { retry_later(self, "starting", err); });
}

void complete(actor_ptr self) {
  run_db(
      self, domain::complete_campaign(self->state.options.id),
      [self](bool completed) {
        if (completed)
          log()->info("campaign {}: completed", self->state.options.id);
        else
          self->state.completion_refused = true;
        // Either way the table says what is true now: completed (the actor
        // stops) or rows the counts missed.
        reload(self);
      },
      [self](caf::error& err) { retry_later(self, "completing", err); });
}

void pause_if_failing(actor_ptr self) {
  const auto& o = self->state.options;
  run_db(
      self, domain::pause_if_failing(o.id, o.pause_failures),
      [self](std::string& reason) {
        if (!reason.empty())
          log()->warn("campaign {}: {}", self->state.options.id, reason);
        reload(self);
      },
      [self](caf::error& err) {
        retry_later(self, "pausing for its failures", err);
      });
}

bool nothing_left(const storage::campaign_execution& e) {
  return e.pending <= 0 && e.failed <= 0;
}

bool too_many_failures(const actor_state& st) {
  return st.options.pause_failures > 0 &&
         st.run.execution.dead - st.run.dead_at_resume >=
             st.options.pause_failures;
}

void plan(actor_ptr self, done_fn done) {
  auto& st = self->state;
  // A timer armed for an earlier state must not fire into this one.
  ++st.timer_generation;
  st.next_timer.reset();
  st.settle_armed = false;
  const auto& status = st.run.status;
  const auto& phase = st.run.execution.phase;
  // Phase done with another status: a row from before campaign execution
  // existed, which never sends.
  if (status == "completed" || status == "draft" ||
      phase == std::string{"done"}) {
    set_step(self, campaign_step::done);
    self->quit();
    return done();
  }
  if (status != "active" || phase == std::string{"failed"}) {
    set_step(self, campaign_step::paused);
    return done();
  }
  if (!phase || (*phase == "waiting" && !st.run.execution.scheduled_at))
    return schedule(self, done);
  if (*phase == "waiting") {
    arm_start(self);
    return done();
  }
  set_step(self, campaign_step::sending);
  // The pause and the completion go on after `done`: a caller waits for
  // its own move, not for what the table then says.
  done();
  if (too_many_failures(st))
    return pause_if_failing(self);
  if (nothing_left(st.run.execution) && !st.completion_refused)
    return complete(self);
  arm_settle(self, st.options.recheck);
}

void apply(actor_ptr self, const campaign_report& report) {
  auto& st = self->state;
  auto& e = st.run.execution;
  e.pending += report.pending;
  e.failed += report.failed;
  e.sent += report.sent;
  e.dead += report.dead;
  e.opened += report.opened;
  e.clicked += report.clicked;
  e.unsubscribed += report.unsubscribed;
  if (report.pending == 0 && report.failed == 0 && report.sent == 0 &&
      report.dead == 0)
    return; // what a recipient did moves no row
  st.completion_refused = false;
  if (st.step != campaign_step::sending)
    return;
  if (report.dead > 0 && too_many_failures(st))
    return pause_if_failing(self);
  if (nothing_left(e))
    return complete(self);
  // Armed by the first report after a read, not pushed back by later ones:
  // under steady sending the counts are read again every `settle`.
  if (!st.settle_armed) {
    st.settle_armed = true;
    arm_settle(self, st.options.settle);
  }
}

campaign_snapshot snapshot(const actor_state& st) {
  auto out = snapshot_of(st.run.execution);
  out.id = st.options.id;
  out.status = st.run.status;
  out.step = std::string{to_string(st.step)};
  out.rate_per_minute =
      st.run.speed_per_minute.value_or(st.options.default_speed);
  if (st.next_timer)
    out.next_timer_ms = std::max<int64_t>(
        0, std::chrono::duration_cast<millis>(*st.next_timer - steady::now())
               .count());
  return out;
}

campaign_actor::behavior_type campaign_behavior(actor_ptr self,
                                                campaign_options options) {
  self->state.options = std::move(options);
  if (self->state.options.gauges)
    self->state.options.gauges->enter(self->state.step);
  self->attach_functor(
      [gauges = self->state.options.gauges, last = self->state.last_step] {
        if (gauges)
          gauges->leave(*last);
      });
  reload(self);
  return {
      [self](campaign_status_atom,
             const std::string& status) -> caf::result<bool> {
        auto promise = self->make_response_promise<bool>();
        run_db(
            self,
            domain::change_campaign_status(self->state.options.id, status),
            [self, promise](bool) mutable {
              reload(self, [promise]() mutable { promise.deliver(true); });
            },
            [promise](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
      [self](campaign_report_atom, const campaign_report& report) {
        apply(self, report);
      },
      [self](campaign_reload_atom) -> caf::result<bool> {
        auto promise = self->make_response_promise<bool>();
        reload(self, [promise]() mutable { promise.deliver(true); });
        return promise;
      },
      [self](campaign_timer_atom, std::uint64_t generation) {
        if (generation == self->state.timer_generation &&
            self->state.step == campaign_step::waiting)
          start(self);
      },
      [self](campaign_settle_atom, std::uint64_t generation) {
        if (generation != self->state.settle_generation)
          return;
        self->state.completion_refused = false;
        reload(self);
      },
      [self](campaign_view_atom) { return snapshot(self->state); },
  };
}

} // namespace

campaign_actor spawn_campaign_actor(caf::actor_system& sys,
                                    campaign_options options) {
  return sys.spawn(campaign_behavior, std::move(options));
}

} // namespace cdpd::actors::campaigns
