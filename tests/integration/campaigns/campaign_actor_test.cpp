#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <cstdio>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/campaigns/campaign_host.hpp"
#include "actors/delivery/dispatcher.hpp"
#include "actors/domain/errc.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/repositories/campaign_run_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
using cdpd::test::wait_until;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;
namespace live = cdpd::actors::campaigns;

/// A provider stand-in that counts sends by idempotency key, as a provider
/// deduplicating by key would see them; every `retry_every`-th send fails
/// for a while and every `dead_every`-th for good (0: never).
struct sink {
  std::mutex mtx;
  std::map<std::string, int> sends;
  std::atomic<int64_t> calls{0};
  int retry_every = 0;
  int dead_every = 0;
  std::chrono::milliseconds delay{0};

  dl::send_fn fn() {
    return [this](const st::claimed_delivery& d) {
      std::this_thread::sleep_for(delay);
      auto n = ++calls;
      dl::send_outcome out;
      if (dead_every > 0 && n % dead_every == 0) {
        out.result = dl::send_outcome::kind::permanent;
        out.error = "550 mailbox unavailable";
        return out;
      }
      if (retry_every > 0 && n % retry_every == 0) {
        out.result = dl::send_outcome::kind::retryable;
        out.error = "421 try again later";
        return out;
      }
      std::lock_guard<std::mutex> guard{mtx};
      ++sends[d.idempotency_key];
      out.message_id = "<" + std::to_string(d.id) + "@test>";
      return out;
    };
  }

  int64_t delivered() {
    std::lock_guard<std::mutex> guard{mtx};
    return static_cast<int64_t>(sends.size());
  }

  bool each_once() {
    std::lock_guard<std::mutex> guard{mtx};
    for (const auto& [key, times] : sends)
      if (times != 1)
        return false;
    return true;
  }
};

/// A campaign host with the node's write db actor on a test database.
class CampaignActors : public ::testing::Test {
protected:
  CampaignActors() : sys{config()}, self{sys} {
    cdpd::actors::db_actor_options o;
    o.name = "pg-write";
    o.workers = 2;
    writer = cdpd::actors::spawn_db_actor(sys, db.pool(2), o);
    sys.registry().put(cdpd::actors::db_write_key,
                       caf::actor_cast<caf::strong_actor_ptr>(writer));
  }

  ~CampaignActors() override {
    for (auto& d : dispatchers)
      stop(d);
    if (host) {
      sys.registry().erase(live::campaign_host_key);
      self->send_exit(host, caf::exit_reason::user_shutdown);
    }
    sys.registry().erase(cdpd::actors::db_write_key);
    self->send_exit(writer, caf::exit_reason::user_shutdown);
  }

  static caf::actor_system_config& config() {
    static caf::actor_system_config cfg;
    return cfg;
  }

  void start_host(int64_t pause_failures = 0,
                  std::chrono::milliseconds settle = 60s) {
    live::campaign_host_options o;
    o.poll_interval = 200ms;
    o.campaign.wait_day = 1h;
    o.campaign.pause_failures = pause_failures;
    o.campaign.settle = settle;
    o.campaign.recheck = 60s;
    o.campaign.default_speed = 120;
    host = live::spawn_campaign_host(sys, o);
    sys.registry().put(live::campaign_host_key,
                       caf::actor_cast<caf::strong_actor_ptr>(host));
  }

  /// A campaign of one SEND_EMAIL step to `recipients` customers in a state
  /// of its own.
  std::string make_campaign(const std::string& state, int recipients) {
    db.add_customers(recipients, state, 0, state);
    auto segment = db.add_segment(state);
    auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi", "Body"}});
    return db.add_campaign(segment, flow);
  }

  /// The host's answer to a status change: empty, or the error's text.
  /// Safe from several threads at once (an actor of its own each).
  std::string move(const std::string& id, const std::string& status) {
    std::string out = "no reply";
    caf::scoped_actor asker{sys};
    asker->request(host, 30s, live::campaign_status_atom::value, id, status)
        .receive([&](bool) { out.clear(); },
                 [&](caf::error& err) {
                   // The domain errors carry the API's text.
                   const auto& text = err.context();
                   out = text.match_elements<std::string>()
                             ? text.get_as<std::string>(0)
                             : sys.render(err);
                 });
    return out;
  }

  caf::actor actor_of(const std::string& id) {
    caf::actor out;
    self->request(host, 5s, live::campaign_actor_atom::value, id)
        .receive([&](caf::actor& a) { out = a; }, [](caf::error&) {});
    return out;
  }

  std::optional<live::campaign_snapshot> view(const std::string& id) {
    std::optional<live::campaign_snapshot> out;
    auto actor = caf::actor_cast<live::campaign_actor>(actor_of(id));
    if (!actor)
      return out;
    self->request(actor, 5s, live::campaign_view_atom::value)
        .receive([&](live::campaign_snapshot& s) { out = std::move(s); },
                 [](caf::error&) {});
    return out;
  }

  std::string step_of(const std::string& id) {
    auto s = view(id);
    return s ? s->step : "";
  }

  std::string status_of(const std::string& id) {
    return db.scalar("SELECT status || '/' || coalesce(exec_phase, '-')"
                     " FROM campaigns WHERE id = '" +
                     id + "'");
  }

  /// A dispatcher that reports to the host, as the node's do.
  dl::dispatcher dispatch(sink& to) {
    dl::dispatcher_options o;
    o.name = "dispatch" + std::to_string(dispatchers.size());
    o.pool = db.pool(2);
    o.send = to.fn();
    o.batch_size = 10;
    o.poll_interval = 50ms;
    o.retry.backoff = 20ms;
    o.retry.max_attempts = 3;
    // Rows a stopped dispatcher held come back soon.
    o.lease = 2s;
    auto* system = &sys;
    o.report = [system](const live::campaign_report& r) {
      auto h = caf::actor_cast<live::campaign_host>(
          system->registry().get(live::campaign_host_key));
      if (h)
        caf::anon_send(h, live::campaign_report_atom::value, r);
    };
    dispatchers.push_back(dl::spawn_dispatcher(sys, o));
    return dispatchers.back();
  }

  /// Stops a dispatcher and waits until it is gone.
  void stop(dl::dispatcher& d) {
    if (!d)
      return;
    self->monitor(d);
    self->send_exit(d, caf::exit_reason::user_shutdown);
    // Bounded, so a dispatcher that does not stop fails the test here
    // instead of hanging it until ctest's timeout.
    self->receive(
        [](caf::down_msg&) {},
        caf::after(std::chrono::seconds{15}) >>
            [] { ADD_FAILURE() << "a dispatcher did not stop within 15 s"; });
    d = nullptr;
  }

  /// Expects the actor's counts to equal the table's.
  void expect_counts_match(const std::string& id) {
    auto s = view(id);
    ASSERT_TRUE(s);
    auto run = st::load_campaign_run(db.conn(), id);
    ASSERT_TRUE(run && *run);
    const auto& e = (*run)->execution;
    EXPECT_EQ(s->audience, e.audience);
    EXPECT_EQ(s->pending, e.pending);
    EXPECT_EQ(s->sent, e.sent);
    EXPECT_EQ(s->failed, e.failed);
    EXPECT_EQ(s->dead, e.dead);
  }

  delivery_test_db db;
  caf::actor_system sys;
  caf::scoped_actor self;
  cdpd::actors::db_actor writer;
  live::campaign_host host;
  std::vector<dl::dispatcher> dispatchers;
};

TEST_F(CampaignActors, LifecycleGoesThroughTheActor) {
  start_host();
  auto id = make_campaign("CA", 3);
  // A start two days ahead keeps it waiting.
  db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc')"
            "::date + 2 WHERE id = '" +
            id + "'");
  EXPECT_EQ(move(id, "paused"), "Only an active campaign can be paused");
  EXPECT_EQ(move(id, "completed"), "A draft campaign cannot be completed");
  EXPECT_NE(move(id, "bogus").find("Invalid status"), std::string::npos);
  EXPECT_NE(move("00000000-0000-0000-0000-000000000000", "active")
                .find("Campaign not found"),
            std::string::npos);
  EXPECT_FALSE(actor_of(id));

  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(actor_of(id)) << "a live campaign has its actor at once";
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "waiting"; }, 5s));
  auto waiting = view(id);
  EXPECT_GT(waiting->next_timer_ms, 24 * 3'600'000);
  EXPECT_EQ(waiting->rate_per_minute, 120) << "the default speed";
  EXPECT_EQ(status_of(id), "active/waiting");

  EXPECT_EQ(move(id, "paused"), "");
  EXPECT_EQ(step_of(id), "paused");
  db.scalar("UPDATE campaigns SET send_speed_per_minute = 30 WHERE id = '" +
            id + "'");
  EXPECT_EQ(move(id, "active"), "");
  EXPECT_EQ(step_of(id), "waiting");
  EXPECT_EQ(view(id)->rate_per_minute, 30) << "its own speed, read on resume";
  // Not started yet: back to draft, and the actor goes away.
  EXPECT_EQ(move(id, "draft"), "");
  ASSERT_TRUE(wait_until([&] { return !actor_of(id); }, 5s));
  EXPECT_EQ(status_of(id), "draft/-");

  // Started: it may not return to draft; completing it stops its actor.
  db.scalar("UPDATE campaigns SET start_date = NULL WHERE id = '" + id + "'");
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "sending"; }, 5s));
  EXPECT_EQ(view(id)->audience, 3);
  EXPECT_EQ(move(id, "draft"),
            "A campaign that started sending cannot return to draft");
  EXPECT_EQ(move(id, "completed"), "");
  ASSERT_TRUE(wait_until([&] { return !actor_of(id); }, 5s));
  EXPECT_EQ(status_of(id), "completed/done");
  EXPECT_EQ(move(id, "active"),
            "Campaign is completed; its status cannot change");
  EXPECT_FALSE(actor_of(id));
}

TEST_F(CampaignActors, CountsWhatRecipientsDid) {
  start_host();
  auto id = make_campaign("OR", 2);
  db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc')"
            "::date + 2 WHERE id = '" +
            id + "'");
  // Opens recorded before the actor read its campaign.
  db.scalar("INSERT INTO campaign_delivery_stats (campaign_id, emails_opened)"
            " VALUES ('" +
            id + "', 5)");
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "waiting"; }, 5s));
  EXPECT_EQ(view(id)->opened, 5);
  live::campaign_report r;
  r.campaign_id = id;
  r.opened = 1;
  r.clicked = 1;
  caf::anon_send(host, live::campaign_report_atom::value, r);
  ASSERT_TRUE(wait_until([&] { return view(id)->clicked == 1; }, 5s));
  EXPECT_EQ(view(id)->opened, 6);
  EXPECT_EQ(view(id)->unsubscribed, 0);
  EXPECT_EQ(step_of(id), "waiting") << "a recipient's event moves no row";
}

TEST_F(CampaignActors, ConcurrentChangesAreSerialised) {
  start_host();
  auto id = make_campaign("CA", 200);
  // Activation (with its snapshot) and a pause race; whatever order the
  // actor takes them in, both are answered and the table agrees with it.
  auto first =
      std::async(std::launch::async, [&] { return move(id, "active"); });
  auto second =
      std::async(std::launch::async, [&] { return move(id, "paused"); });
  auto a = first.get();
  auto b = second.get();
  EXPECT_EQ(a, "");
  EXPECT_TRUE(b.empty() || b == "Only an active campaign can be paused") << b;
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = view(id);
        return s && (s->step == "paused" || s->step == "sending");
      },
      5s));
  auto s = view(id);
  EXPECT_EQ(s->status + "/" + s->exec_phase, status_of(id));

  // A change that arrives while the one before it ends the actor is still
  // answered by the lifecycle, not lost with the actor.
  EXPECT_EQ(move(id, "active"), "");
  for (int i = 0; i < 5; ++i) {
    auto other = make_campaign("S" + std::to_string(i), 3);
    ASSERT_EQ(move(other, "active"), "");
    auto done = std::async(std::launch::async,
                           [&] { return move(other, "completed"); });
    auto again =
        std::async(std::launch::async, [&] { return move(other, "paused"); });
    EXPECT_EQ(done.get(), "");
    auto late = again.get();
    EXPECT_TRUE(late.empty() ||
                late == "Campaign is completed; its status cannot change")
        << late;
  }
}

TEST_F(CampaignActors, StartsWithinASecondOfItsTime) {
  start_host();
  auto id = make_campaign("CA", 5);
  // Three seconds ahead, to the second, in UTC.
  db.scalar("UPDATE campaigns SET start_date = (now() AT TIME ZONE 'utc'"
            " + interval '3 seconds')::date, start_time_of_day ="
            " to_char(now() AT TIME ZONE 'utc' + interval '3 seconds',"
            " 'HH24:MI:SS') WHERE id = '" +
            id + "'");
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "sending"; }, 10s));
  auto late_ms = db.count("SELECT (extract(epoch FROM started_at -"
                          " scheduled_at) * 1000)::bigint FROM campaigns"
                          " WHERE id = '" +
                          id + "'");
  EXPECT_GE(late_ms, 0);
  EXPECT_LT(late_ms, 1000);
  EXPECT_EQ(view(id)->audience, 5);
}

TEST_F(CampaignActors, CountsFollowReportsUnderAFlakyProvider) {
  start_host();
  auto id = make_campaign("CA", 120);
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "sending"; }, 5s));
  sink flaky;
  flaky.retry_every = 3;
  flaky.dead_every = 11;
  flaky.delay = 2ms;
  auto d = dispatch(flaky);
  ASSERT_TRUE(wait_until([&] { return flaky.delivered() >= 50; }, 30s));
  stop(dispatchers.back());
  // The counts come from the reports alone here: the actor reads the table
  // again only a minute after a report.
  std::this_thread::sleep_for(300ms);
  expect_counts_match(id);
  auto s = view(id);
  EXPECT_GT(s->sent, 0);
  EXPECT_GT(s->dead, 0);

  dispatch(flaky);
  ASSERT_TRUE(
      wait_until([&] { return status_of(id) == "completed/done"; }, 60s))
      << status_of(id);
  EXPECT_TRUE(flaky.each_once());
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE campaign_id = '" +
                     id + "' AND status NOT IN ('sent', 'dead')"),
            0);
  EXPECT_TRUE(wait_until([&] { return !actor_of(id); }, 5s));
}

TEST_F(CampaignActors, PausesItselfAfterTooManyFailures) {
  start_host(/*pause_failures=*/4);
  auto id = make_campaign("CA", 60);
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "sending"; }, 5s));
  sink failing;
  failing.dead_every = 2;
  dispatch(failing);
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "paused"; }, 30s));
  // At least four: rows in flight when it paused may add to them.
  auto reason =
      db.scalar("SELECT paused_reason FROM campaigns WHERE id = '" + id + "'");
  int failed = 0;
  ASSERT_EQ(std::sscanf(reason.c_str(),
                        "paused after %d deliveries failed for good", &failed),
            1)
      << reason;
  EXPECT_GE(failed, 4);
  EXPECT_EQ(status_of(id), "paused/sending");
  // Resumed, it counts failures afresh and pauses again.
  std::this_thread::sleep_for(300ms); // the dispatcher's batch runs out
  auto dead = db.count("SELECT count(*) FROM deliveries WHERE status = 'dead'"
                       " AND campaign_id = '" +
                       id + "'");
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "paused"; }, 30s));
  EXPECT_GE(db.count("SELECT count(*) FROM deliveries WHERE status = 'dead'"
                     " AND campaign_id = '" +
                     id + "'"),
            dead + 4);
}

TEST_F(CampaignActors, KilledActorRecoversAndNothingIsSentTwice) {
  start_host(0, /*settle=*/300ms);
  auto id = make_campaign("CA", 150);
  EXPECT_EQ(move(id, "active"), "");
  ASSERT_TRUE(wait_until([&] { return step_of(id) == "sending"; }, 5s));
  sink slow;
  slow.delay = 5ms;
  slow.retry_every = 7;
  dispatch(slow);
  ASSERT_TRUE(wait_until([&] { return slow.delivered() >= 40; }, 30s));
  auto killed = actor_of(id);
  ASSERT_TRUE(killed);
  self->send_exit(killed, caf::exit_reason::kill);
  // The host restarts it at its next poll; it recovers from the table.
  ASSERT_TRUE(wait_until(
      [&] {
        auto now = actor_of(id);
        return now && now != killed;
      },
      5s));
  ASSERT_TRUE(wait_until([&] { return slow.delivered() >= 90; }, 30s));
  stop(dispatchers.back());
  // At rest the counts equal the table's.
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = view(id);
        auto run = st::load_campaign_run(db.conn(), id);
        return s && run && *run && s->sent == (*run)->execution.sent &&
               s->pending == (*run)->execution.pending &&
               s->failed == (*run)->execution.failed;
      },
      5s));
  expect_counts_match(id);
  dispatch(slow);
  ASSERT_TRUE(
      wait_until([&] { return status_of(id) == "completed/done"; }, 60s))
      << status_of(id);
  EXPECT_TRUE(slow.each_once());
  // Every row sent once, or dead after its attempts ran out.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                     " AND campaign_id = '" +
                     id + "'"),
            slow.delivered());
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status IN"
                     " ('sent', 'dead') AND campaign_id = '" +
                     id + "'"),
            150);
}

} // namespace
