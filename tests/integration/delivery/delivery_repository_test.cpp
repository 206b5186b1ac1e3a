#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <pqxx/transaction>

#include "actors/campaigns/campaign_lifecycle.hpp"
#include "storage/errc.hpp"
#include "storage/repositories/campaign_run_repository.hpp"
#include "storage/repositories/delivery_repository.hpp"
#include "storage/repositories/message_event_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
namespace st = cdpd::storage;

/// A campaign over 20 customers in CA (every 5th not opted in, one more
/// unsubscribed: 15 recipients) and 5 in NY, with the flow SEND, WAIT 2,
/// SEND, WAIT 1, SEND.
class DeliveryRepository : public ::testing::Test {
protected:
  void SetUp() override {
    db.add_customers(20, "CA", 5);
    db.add_customers(5, "NY");
    db.scalar("UPDATE customers SET unsubscribed_at = now()"
              " WHERE email = 'cCA-1@example.org'");
    segment = db.add_segment("CA");
    flow = db.add_flow(segment, {{"SEND_EMAIL", "Hi {{first_name}}", "One"},
                                 {"WAIT", "", "", 2},
                                 {"SEND_EMAIL", "Two", "Two"},
                                 {"WAIT", "", "", 1},
                                 {"SEND_EMAIL", "Three", "Three"}});
    campaign = db.add_campaign(segment, flow);
  }

  /// Activates the campaign and starts it as the scheduler would.
  st::start_result activate_and_start() {
    auto moved = cdpd::actors::campaigns::move_campaign(
        db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active);
    EXPECT_TRUE(moved && moved->found && moved->conflict.empty());
    EXPECT_TRUE(*st::schedule_campaign(db.conn(), campaign, "UTC"));
    EXPECT_LE(start_in_ms(), 0);
    auto started = st::start_campaign(db.conn(), campaign, 1000ms);
    EXPECT_TRUE(started) << st::describe(started.error());
    return started ? *started : st::start_result{};
  }

  /// Milliseconds until the campaign's scheduled start.
  int64_t start_in_ms() {
    auto run = st::load_campaign_run(db.conn(), campaign);
    EXPECT_TRUE(run && *run && (*run)->start_in_ms);
    return run && *run ? (*run)->start_in_ms.value_or(-1) : -1;
  }

  std::string status() {
    return db.scalar("SELECT status FROM campaigns WHERE id = '" + campaign +
                     "'");
  }

  delivery_test_db db;
  std::string segment;
  std::string flow;
  std::string campaign;
};

TEST_F(DeliveryRepository, SnapshotWritesOneRowPerRecipientAndStep) {
  auto started = activate_and_start();
  EXPECT_TRUE(started.started);
  EXPECT_TRUE(started.problem.empty());
  EXPECT_EQ(started.rows, 45);
  EXPECT_EQ(db.count("SELECT count(DISTINCT customer_id) FROM deliveries"), 15);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN customers c"
                     " ON c.id = d.customer_id WHERE NOT c.marketing_opt_in"
                     " OR c.unsubscribed_at IS NOT NULL"
                     " OR c.shipping_state <> 'CA'"),
            0);
  // Due times: the start, then 2 and 3 WAIT days (1 s each here) later.
  EXPECT_EQ(db.scalar("SELECT string_agg(DISTINCT step_index || '@' ||"
                      " (extract(epoch FROM d.due_at - c.started_at) * 1000)"
                      "::bigint, ',' ORDER BY step_index || '@' ||"
                      " (extract(epoch FROM d.due_at - c.started_at) * 1000)"
                      "::bigint) FROM deliveries d JOIN campaigns c"
                      " ON c.id = d.campaign_id"),
            "1@0,3@2000,5@3000");
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE idempotency_key ="
                     " campaign_id || ':' || step_index || ':' || customer_id"),
            45);
  auto exec = st::get_campaign_execution(db.conn(), campaign);
  ASSERT_TRUE(exec && exec->value);
  EXPECT_EQ(exec->value->phase, "sending");
  EXPECT_EQ(exec->value->audience, 45);
  EXPECT_EQ(exec->value->pending, 45);
  EXPECT_TRUE(exec->value->started_at.has_value());
}

TEST_F(DeliveryRepository, RepeatedStartAddsNothing) {
  activate_and_start();
  auto again = st::start_campaign(db.conn(), campaign, 1000ms);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->started); // already sending
  db.scalar("UPDATE campaigns SET exec_phase = 'waiting' WHERE id = '" +
            campaign + "'");
  auto forced = st::start_campaign(db.conn(), campaign, 1000ms);
  ASSERT_TRUE(forced);
  EXPECT_TRUE(forced->started);
  EXPECT_EQ(forced->rows, 0);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries"), 45);
}

TEST_F(DeliveryRepository, CampaignWithoutFlowFailsToStart) {
  auto lone = db.add_campaign(segment, flow, "active");
  db.scalar("UPDATE campaigns SET flow_id = NULL WHERE id = '" + lone + "'");
  ASSERT_TRUE(*st::schedule_campaign(db.conn(), lone, "UTC"));
  auto started = st::start_campaign(db.conn(), lone, 1000ms);
  ASSERT_TRUE(started);
  EXPECT_FALSE(started->started);
  EXPECT_EQ(started->problem, "the campaign has no flow");
  auto exec = st::get_campaign_execution(db.conn(), lone);
  ASSERT_TRUE(exec && exec->value);
  EXPECT_EQ(exec->value->phase, "failed");
  EXPECT_EQ(exec->value->paused_reason, "the campaign has no flow");
}

TEST_F(DeliveryRepository, LifecycleRefusesIllegalTransitions) {
  auto to = [&](const std::string& status) {
    auto wanted = cdpd::actors::campaigns::parse_campaign_status(status);
    EXPECT_TRUE(wanted) << status;
    auto moved =
        cdpd::actors::campaigns::move_campaign(db.conn(), campaign, *wanted);
    EXPECT_TRUE(moved && moved->found);
    return moved ? moved->conflict : std::string{"error"};
  };
  EXPECT_EQ(to("paused"), "Only an active campaign can be paused");
  EXPECT_EQ(to("completed"), "A draft campaign cannot be completed");
  EXPECT_EQ(to("draft"), "");
  EXPECT_EQ(to("active"), "");
  EXPECT_EQ(to("active"), "");
  EXPECT_EQ(to("draft"), ""); // not started yet
  activate_and_start();
  EXPECT_EQ(to("draft"),
            "A campaign that started sending cannot return to draft");
  EXPECT_EQ(to("paused"), "");
  EXPECT_EQ(db.scalar("SELECT paused_reason FROM campaigns"),
            "paused by a user");
  EXPECT_EQ(to("active"), "");
  EXPECT_EQ(db.scalar("SELECT coalesce(paused_reason, '-') FROM campaigns"),
            "-");
  EXPECT_EQ(to("completed"), "");
  EXPECT_EQ(to("active"), "Campaign is completed; its status cannot change");
  EXPECT_EQ(to("completed"), "");
  auto missing = cdpd::actors::campaigns::move_campaign(
      db.conn(), "00000000-0000-0000-0000-000000000000",
      cdpd::actors::campaigns::campaign_status::active);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->found);
}

TEST_F(DeliveryRepository, FutureStartIsScheduledInTheTimezone) {
  db.scalar("UPDATE campaigns SET status = 'active', start_time_of_day ="
            " '09:30', start_date = (now() AT TIME ZONE 'utc')::date + 2");
  ASSERT_TRUE(*st::schedule_campaign(db.conn(), campaign, "America/New_York"));
  EXPECT_EQ(db.scalar("SELECT scheduled_at = ((start_date::date + time"
                      " '09:30') AT TIME ZONE 'America/New_York') AT TIME"
                      " ZONE 'utc' FROM campaigns"),
            "t");
  EXPECT_GT(start_in_ms(), 24 * 3'600'000);
  // A start in the past is due at once.
  db.scalar("UPDATE campaigns SET exec_phase = NULL, start_date ="
            " (now() AT TIME ZONE 'utc')::date - 2");
  ASSERT_TRUE(*st::schedule_campaign(db.conn(), campaign, "America/New_York"));
  EXPECT_LE(start_in_ms(), 0);
  // Scheduled once: a second call leaves the start alone.
  EXPECT_FALSE(*st::schedule_campaign(db.conn(), campaign, "UTC"));
}

TEST_F(DeliveryRepository, ClaimLeasesDueRowsOnce) {
  activate_and_start();
  auto first = st::claim_deliveries(db.conn(), 10, 60s);
  ASSERT_TRUE(first) << st::describe(first.error());
  ASSERT_EQ(first->size(), 10u);
  for (const auto& d : *first) {
    EXPECT_EQ(d.step_index, 1); // only the first step is due yet
    EXPECT_EQ(d.attempts, 1);
    EXPECT_EQ(d.subject, "Hi {{first_name}}");
    EXPECT_TRUE(d.may_receive);
  }
  auto rest = st::claim_deliveries(db.conn(), 100, 60s);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->size(), 5u); // the other first-step rows, none twice
  for (const auto& d : *rest)
    for (const auto& f : *first)
      EXPECT_NE(d.id, f.id);
  EXPECT_TRUE(st::claim_deliveries(db.conn(), 100, 60s)->empty());
}

TEST_F(DeliveryRepository, LaterStepWaitsForTheEarlierOne) {
  activate_and_start();
  db.scalar("UPDATE deliveries SET next_attempt_at ="
            " (now() AT TIME ZONE 'utc') - interval '1 hour'");
  auto first = st::claim_deliveries(db.conn(), 100, 60s);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 15u);
  for (const auto& d : *first)
    EXPECT_EQ(d.step_index, 1);
  st::retry_rules rules;
  const auto& failing = first->front();
  ASSERT_EQ(*st::record_failure(db.conn(), failing.id, failing.attempts, "busy",
                                true, rules),
            "failed");
  for (size_t i = 1; i < first->size(); ++i)
    ASSERT_TRUE(*st::record_sent(db.conn(), (*first)[i].id,
                                 (*first)[i].attempts, "<m@x>"));
  auto second = st::claim_deliveries(db.conn(), 100, 60s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->size(), 14u);
  for (const auto& d : *second) {
    EXPECT_EQ(d.step_index, 3);
    EXPECT_NE(d.customer_id, failing.customer_id);
  }
}

TEST_F(DeliveryRepository, PausedCampaignsAreNotClaimed) {
  activate_and_start();
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::paused));
  EXPECT_TRUE(st::claim_deliveries(db.conn(), 100, 60s)->empty());
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));
  EXPECT_EQ(st::claim_deliveries(db.conn(), 100, 60s)->size(), 15u);
}

TEST_F(DeliveryRepository, OutcomesAreRecordedOnlyByTheHolder) {
  activate_and_start();
  auto claimed = st::claim_deliveries(db.conn(), 4, 60s);
  ASSERT_TRUE(claimed && claimed->size() == 4u);
  const auto& a = (*claimed)[0];
  const auto& b = (*claimed)[1];
  const auto& c = (*claimed)[2];
  const auto& d = (*claimed)[3];
  EXPECT_FALSE(*st::record_sent(db.conn(), a.id, a.attempts + 1, "<x@y>"));
  EXPECT_TRUE(*st::record_sent(db.conn(), a.id, a.attempts, "<x@y>"));
  EXPECT_FALSE(*st::record_sent(db.conn(), a.id, a.attempts, "<x@y>"));
  st::retry_rules rules;
  rules.max_attempts = 2;
  rules.backoff = 60s;
  EXPECT_EQ(
      *st::record_failure(db.conn(), b.id, b.attempts, "busy", true, rules),
      "failed");
  EXPECT_EQ(*st::record_failure(db.conn(), c.id, c.attempts, "no such user",
                                false, rules),
            "dead");
  rules.max_age = 0ms;
  EXPECT_EQ(
      *st::record_failure(db.conn(), d.id, d.attempts, "busy", true, rules),
      "dead");
  // b waits for its backoff.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE id = " +
                     std::to_string(b.id) +
                     " AND next_attempt_at > (now() AT TIME ZONE 'utc') +"
                     " interval '50 seconds' AND last_error = 'busy'"),
            1);
  // A second retryable failure at the last attempt is dead.
  db.scalar("UPDATE deliveries SET next_attempt_at = now() AT TIME ZONE 'utc'"
            " - interval '1 hour' WHERE id = " +
            std::to_string(b.id));
  auto again = st::claim_deliveries(db.conn(), 100, 60s);
  ASSERT_TRUE(again);
  bool found = false;
  for (const auto& r : *again)
    if (r.id == b.id) {
      found = true;
      EXPECT_EQ(r.attempts, 2);
      rules.max_age = 86'400'000ms;
      EXPECT_EQ(
          *st::record_failure(db.conn(), r.id, r.attempts, "busy", true, rules),
          "dead");
    }
  EXPECT_TRUE(found);
  auto exec = st::get_campaign_execution(db.conn(), campaign);
  EXPECT_EQ(exec->value->sent, 1);
  EXPECT_EQ(exec->value->dead, 3);
  auto dead =
      st::list_deliveries(db.conn(), campaign, std::string{"dead"}, 0, 100);
  ASSERT_TRUE(dead);
  EXPECT_EQ(dead->size(), 3u);
  auto all = st::list_deliveries(db.conn(), "", std::nullopt, 0, 1000);
  EXPECT_EQ(all->size(), 45u);
}

TEST_F(DeliveryRepository, TooManyDeadRowsPauseTheCampaign) {
  activate_and_start();
  auto kill = [&](int n) {
    db.scalar("UPDATE deliveries SET status = 'dead' WHERE id IN (SELECT id"
              " FROM deliveries WHERE status = 'pending' ORDER BY id LIMIT " +
              std::to_string(n) + ")");
  };
  kill(1);
  EXPECT_TRUE(st::pause_if_failing(db.conn(), campaign, 2)->empty());
  EXPECT_TRUE(st::pause_if_failing(db.conn(), campaign, 0)->empty());
  kill(1);
  auto paused = st::pause_if_failing(db.conn(), campaign, 2);
  ASSERT_TRUE(paused);
  EXPECT_EQ(*paused, "paused after 2 deliveries failed for good");
  EXPECT_EQ(status(), "paused");
  EXPECT_EQ(db.scalar("SELECT paused_reason FROM campaigns"),
            "paused after 2 deliveries failed for good");
  // Resuming counts failures afresh.
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active));
  kill(1);
  EXPECT_TRUE(st::pause_if_failing(db.conn(), campaign, 2)->empty());
  kill(1);
  EXPECT_FALSE(st::pause_if_failing(db.conn(), campaign, 2)->empty());
}

TEST_F(DeliveryRepository, CampaignCompletesWhenEveryRowIsTerminal) {
  activate_and_start();
  EXPECT_TRUE(!*st::complete_campaign(db.conn(), campaign));
  db.scalar("UPDATE deliveries SET status = 'sent'"
            " WHERE id <> (SELECT max(id) FROM deliveries)");
  EXPECT_TRUE(!*st::complete_campaign(db.conn(), campaign));
  db.scalar("UPDATE deliveries SET status = 'dead'"
            " WHERE id = (SELECT max(id) FROM deliveries)");
  auto done = st::complete_campaign(db.conn(), campaign);
  ASSERT_TRUE(done);
  ASSERT_TRUE(*done);
  EXPECT_EQ(status(), "completed");
  auto exec = st::get_campaign_execution(db.conn(), campaign);
  EXPECT_EQ(exec->value->phase, "done");
  EXPECT_TRUE(exec->value->finished_at.has_value());
}

TEST_F(DeliveryRepository, CompletedCampaignKeepsItsCounts) {
  activate_and_start();
  db.scalar("UPDATE deliveries SET status = 'sent'"
            " WHERE id <> (SELECT max(id) FROM deliveries)");
  db.scalar("UPDATE deliveries SET status = 'dead'"
            " WHERE id = (SELECT max(id) FROM deliveries)");
  ASSERT_TRUE(*st::complete_campaign(db.conn(), campaign));
  auto rows = std::stoll(db.scalar("SELECT count(*) FROM deliveries"));
  // The counts no longer come from the rows: gone rows (pruned, say) leave
  // them as they were at completion.
  db.scalar("DELETE FROM deliveries WHERE status = 'sent'");
  auto exec = st::get_campaign_execution(db.conn(), campaign);
  EXPECT_EQ(exec->value->audience, rows);
  EXPECT_EQ(exec->value->sent, rows - 1);
  EXPECT_EQ(exec->value->dead, 1);
  EXPECT_EQ(exec->value->pending, 0);
  auto all = st::list_campaign_executions(db.conn());
  ASSERT_TRUE(all);
  EXPECT_EQ(all->at(campaign).sent, rows - 1);
  // A replay of its dead row reopens it: counted from its rows again.
  auto replayed = st::replay_dead(db.conn(), {}, campaign);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(status(), "active");
  exec = st::get_campaign_execution(db.conn(), campaign);
  EXPECT_EQ(exec->value->audience, 1);
  EXPECT_EQ(exec->value->pending, 1);
  EXPECT_EQ(exec->value->sent, 0);
}

TEST_F(DeliveryRepository, CompletedByAUserKeepsWhatWasLeft) {
  auto started = activate_and_start();
  ASSERT_TRUE(cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign,
      cdpd::actors::campaigns::campaign_status::completed));
  db.scalar("DELETE FROM deliveries");
  auto exec = st::get_campaign_execution(db.conn(), campaign);
  EXPECT_EQ(exec->value->audience, started.rows);
  EXPECT_EQ(exec->value->pending, started.rows);
}

TEST_F(DeliveryRepository, KnownCampaignsAreNotCountedAgain) {
  activate_and_start();
  auto other = db.add_campaign(segment, flow);
  auto all = st::list_campaign_executions(db.conn(), {campaign, "not-a-uuid"});
  ASSERT_TRUE(all) << st::describe(all.error());
  EXPECT_FALSE(all->contains(campaign));
  EXPECT_TRUE(all->contains(other));
}

TEST_F(DeliveryRepository, LifecycleWritesItsEventsWithTheChange) {
  namespace live = cdpd::actors::campaigns;
  auto events = [&] {
    return db.scalar("SELECT string_agg(type, ' ' ORDER BY seq) FROM events"
                     " WHERE type LIKE 'campaign.%' AND"
                     " data->>'campaign_id' = '" +
                     campaign + "'");
  };
  auto last = [&](const std::string& path) {
    return db.scalar("SELECT data #>> '{" + path +
                     "}' FROM events WHERE type LIKE 'campaign.%' AND"
                     " data->>'campaign_id' = '" +
                     campaign + "' ORDER BY seq DESC LIMIT 1");
  };
  EXPECT_EQ(events(), "campaign.created");
  {
    // A change rolled back leaves no event.
    pqxx::work tx{db.conn()};
    tx.exec_params("UPDATE campaigns SET status = 'active' WHERE id = $1",
                   campaign);
    tx.abort();
  }
  EXPECT_EQ(events(), "campaign.created");
  activate_and_start();
  ASSERT_TRUE(
      live::move_campaign(db.conn(), campaign, live::campaign_status::paused));
  EXPECT_EQ(last("reason"), "paused by a user");
  EXPECT_EQ(last("previous_status"), "active");
  ASSERT_TRUE(
      live::move_campaign(db.conn(), campaign, live::campaign_status::active));
  db.scalar("UPDATE deliveries SET status = 'sent'");
  ASSERT_TRUE(*st::complete_campaign(db.conn(), campaign));
  EXPECT_EQ(events(), "campaign.created campaign.activated campaign.paused"
                      " campaign.resumed campaign.completed");
  EXPECT_EQ(last("counts,sent"), db.scalar("SELECT count(*) FROM deliveries"));
  EXPECT_EQ(last("counts,dead"), "0");
  db.scalar("DELETE FROM campaigns WHERE id = '" + campaign + "'");
  EXPECT_EQ(events(), "campaign.created campaign.activated campaign.paused"
                      " campaign.resumed campaign.completed campaign.deleted");
}

TEST_F(DeliveryRepository, OutcomesAndRecipientsWriteEmailEvents) {
  activate_and_start();
  auto claimed = st::claim_deliveries(db.conn(), 3, 60s);
  ASSERT_TRUE(claimed && claimed->size() == 3u);
  const auto& a = (*claimed)[0];
  const auto& b = (*claimed)[1];
  const auto& c = (*claimed)[2];
  auto types = [&] {
    return db.scalar("SELECT string_agg(type || ':' || (data->>'delivery_id'),"
                     " ' ' ORDER BY seq) FROM events"
                     " WHERE type LIKE 'email.%'");
  };
  EXPECT_EQ(types(), "") << "claims and lease renewals write no event";
  ASSERT_TRUE(*st::record_sent(db.conn(), a.id, a.attempts, "<m1@x>"));
  st::retry_rules rules;
  ASSERT_EQ(
      *st::record_failure(db.conn(), b.id, b.attempts, "busy", true, rules),
      "failed");
  ASSERT_EQ(*st::record_failure(db.conn(), c.id, c.attempts, "no such user",
                                false, rules),
            "dead");
  // The refused record of a claim it no longer holds writes nothing.
  EXPECT_FALSE(*st::record_sent(db.conn(), a.id, a.attempts, "<m1@x>"));
  auto ids = [](int64_t x) { return std::to_string(x); };
  EXPECT_EQ(types(), "email.sent:" + ids(a.id) + " email.failed:" + ids(b.id) +
                         " email.dead:" + ids(c.id));
  EXPECT_EQ(db.scalar("SELECT data->>'message_id' FROM events"
                      " WHERE type = 'email.sent'"),
            "<m1@x>");
  EXPECT_EQ(db.scalar("SELECT data->>'error' FROM events"
                      " WHERE type = 'email.dead'"),
            "no such user");
  EXPECT_EQ(db.scalar("SELECT data->>'campaign_id' FROM events"
                      " WHERE type = 'email.failed'"),
            campaign);
  // A recipient's first open, click and unsubscribe; repeats only add hits.
  using ev = st::message_event;
  ASSERT_TRUE(st::record_message_event(db.conn(), a.id, ev::open));
  ASSERT_TRUE(st::record_message_event(db.conn(), a.id, ev::open));
  ASSERT_TRUE(st::record_message_event(db.conn(), a.id, ev::click,
                                       std::string{"https://shop.example/"}));
  ASSERT_TRUE(st::record_message_event(db.conn(), a.id, ev::unsubscribe));
  EXPECT_EQ(db.scalar("SELECT string_agg(type, ' ' ORDER BY seq) FROM events"
                      " WHERE type IN ('email.opened', 'email.clicked',"
                      " 'email.unsubscribed')"),
            "email.opened email.clicked email.unsubscribed");
  EXPECT_EQ(db.scalar("SELECT data->>'url' FROM events"
                      " WHERE type = 'email.clicked'"),
            "https://shop.example/");
}

} // namespace
