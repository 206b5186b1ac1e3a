#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "actors/delivery/dispatcher.hpp"
#include "actors/delivery/enroller.hpp"
#include "storage/repositories/delivery_repository.hpp"
#include "storage/repositories/flow_run_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/support/child_process.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::delivery_test_db;
using cdpd::test::wait_until;
namespace st = cdpd::storage;
namespace dl = cdpd::actors::delivery;
using millis_t = std::chrono::milliseconds;

/// SEND, WAIT 1, SEND, EXIT, SEND: steps 1 and 3 are mail, 5 never is.
const std::vector<delivery_test_db::step> exit_flow = {
    {"SEND_EMAIL", "One {{first_name}}", "First"},
    {"WAIT", "", "", 1},
    {"SEND_EMAIL", "Two", "Second"},
    {"EXIT", "", ""},
    {"SEND_EMAIL", "Never", "Never sent"}};

/// Flow runs against the real PostgreSQL: enrolment by the enroller and
/// sending by dispatcher rounds with a provider that only records.
class FlowRuns : public ::testing::Test {
protected:
  /// A flow entered by `type` on the segment of customers in `state`.
  std::string add_flow(const std::string& state, const std::string& type,
                       const std::vector<delivery_test_db::step>& steps) {
    auto segment = db.add_segment(state);
    auto flow = db.add_flow(segment, steps);
    db.scalar("UPDATE flows SET entry_condition_type = '" + type +
              "' WHERE id = '" + flow + "' RETURNING id");
    return flow;
  }

  std::string customer(const std::string& email) {
    return db.scalar("SELECT id FROM customers WHERE email = '" + email + "'");
  }

  int64_t event(const std::string& customer_id, const std::string& type) {
    st::event_input in;
    in.customer_id = customer_id;
    in.type = type;
    auto recorded = st::record_event(db.conn(), in);
    EXPECT_TRUE(recorded && recorded->value);
    return recorded && recorded->value ? recorded->value->id : 0;
  }

  dl::enroller_options enroller(millis_t wait_day = 1h) {
    dl::enroller_options o;
    o.pool = pool;
    o.batch_size = 7;
    o.wait_day = wait_day;
    return o;
  }

  /// Enrols until no event is left.
  void enrol_all(millis_t wait_day = 1h) {
    for (;;) {
      auto done = dl::run_enrol_round(enroller(wait_day));
      ASSERT_TRUE(done);
      if (done->events == 0)
        return;
    }
  }

  dl::dispatcher_options dispatcher(bool exit_on_leave = true) {
    dl::dispatcher_options o;
    o.pool = pool;
    o.flow_exit_on_leave = exit_on_leave;
    o.send = [this](const st::claimed_delivery& d) {
      std::lock_guard lock{mutex};
      sent.push_back(d);
      dl::send_outcome out;
      out.message_id = "<" + d.idempotency_key + "@test>";
      return out;
    };
    return o;
  }

  delivery_test_db db;
  std::shared_ptr<st::pg_pool> pool = db.pool(4);
  std::mutex mutex;
  std::vector<st::claimed_delivery> sent;
};

TEST_F(FlowRuns, TwoConcurrentEnrollersEnrolEveryEventExactlyOnce) {
  auto flow = add_flow("CA", "cart_abandoned", exit_flow);
  db.add_customers(150, "CA");
  for (int i = 1; i <= 150; ++i)
    event(customer("cCA-" + std::to_string(i) + "@example.org"),
          "cart_abandoned");

  auto other = db.pool(4);
  auto work = [](dl::enroller_options o) {
    for (int idle = 0; idle < 3;) {
      auto done = dl::run_enrol_round(o);
      ASSERT_TRUE(done);
      idle = done->events == 0 ? idle + 1 : 0;
    }
  };
  auto a = enroller();
  auto b = enroller();
  b.pool = other;
  std::thread first{work, a};
  std::thread second{work, b};
  first.join();
  second.join();

  EXPECT_EQ(db.count("SELECT count(*) FROM customer_events"
                     " WHERE processed_at IS NULL"),
            0);
  EXPECT_EQ(
      db.count("SELECT count(*) FROM flow_runs WHERE flow_id = '" + flow + "'"),
      150);
  EXPECT_EQ(db.count("SELECT count(DISTINCT event_id) FROM flow_runs"), 150);
  // Steps 1 and 3 only, with the run's keys; nothing after the EXIT.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries"), 300);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN flow_runs r"
                     " ON r.id = d.flow_run_id WHERE d.campaign_id IS NULL"
                     " AND d.customer_id = r.customer_id"
                     " AND d.idempotency_key = 'run:' || r.id || ':'"
                     " || d.step_index AND d.step_index IN (1, 3)"),
            300);
  EXPECT_EQ(db.count("SELECT count(*) FROM flow_run_steps WHERE subject ="
                     " 'One {{first_name}}' AND step_index = 1"),
            150);
  // Step 3 is due one WAIT day (1h here) after the event.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN flow_runs r"
                     " ON r.id = d.flow_run_id JOIN customer_events e"
                     " ON e.id = r.event_id WHERE d.due_at = e.occurred_at +"
                     " (CASE d.step_index WHEN 1 THEN 0 ELSE 1 END)"
                     " * interval '1 hour'"),
            300);
}

TEST_F(FlowRuns, OnlyMatchingSubscribedMembersOfOlderFlowsEnrol) {
  add_flow("CA", "signup", {{"SEND_EMAIL", "Hi", "Welcome"}});
  db.add_customers(4, "CA", 4); // cCA-4 has not opted in
  db.add_customers(1, "NY");
  db.scalar("UPDATE customers SET unsubscribed_at = now()"
            " WHERE email = 'cCA-3@example.org' RETURNING id");
  for (int i = 1; i <= 4; ++i)
    event(customer("cCA-" + std::to_string(i) + "@example.org"), "signup");
  event(customer("cNY-1@example.org"), "signup");       // outside
  event(customer("cCA-2@example.org"), "order_placed"); // other type
  auto late_event = event(customer("cCA-1@example.org"), "late");
  // Created after the event: does not enrol for it.
  add_flow("CA", "late", {{"SEND_EMAIL", "Late", "Late"}});
  enrol_all();

  EXPECT_EQ(db.count("SELECT count(*) FROM flow_runs"), 2);
  EXPECT_EQ(db.count("SELECT count(*) FROM flow_runs r JOIN customers c"
                     " ON c.id = r.customer_id WHERE c.email IN"
                     " ('cCA-1@example.org', 'cCA-2@example.org')"),
            2);
  EXPECT_EQ(db.count("SELECT count(*) FROM flow_runs WHERE event_id = " +
                     std::to_string(late_event)),
            0);
  EXPECT_EQ(db.count("SELECT count(*) FROM customer_events"
                     " WHERE processed_at IS NULL"),
            0);
}

TEST_F(FlowRuns, StepsAreSentInOrderAndTheRunCompletes) {
  add_flow("CA", "cart_abandoned", exit_flow);
  db.add_customers(3, "CA");
  for (int i = 1; i <= 3; ++i)
    event(customer("cCA-" + std::to_string(i) + "@example.org"),
          "cart_abandoned");
  enrol_all(300ms);
  auto o = dispatcher();
  ASSERT_TRUE(wait_until(
      [&] {
        dl::run_round(o);
        return db.count("SELECT count(*) FROM flow_runs"
                        " WHERE status = 'completed'") == 3;
      },
      20s));
  ASSERT_EQ(sent.size(), 6u);
  std::map<std::string, std::vector<int64_t>> steps;
  for (const auto& d : sent) {
    EXPECT_TRUE(d.campaign_id.empty());
    EXPECT_FALSE(d.flow_run_id.empty());
    steps[d.email].push_back(d.step_index);
    if (d.step_index == 1) {
      EXPECT_EQ(d.subject, "One {{first_name}}");
    }
  }
  for (const auto& [email, order] : steps)
    EXPECT_EQ(order, (std::vector<int64_t>{1, 3})) << email;
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN flow_runs r"
                     " ON r.id = d.flow_run_id JOIN customer_events e"
                     " ON e.id = r.event_id WHERE d.step_index = 3"
                     " AND d.sent_at < e.occurred_at + interval '300 ms'"),
            0);
  EXPECT_EQ(db.count("SELECT count(*) FROM flow_runs WHERE finished_at IS NULL"
                     " OR exit_reason IS NOT NULL"),
            0);
}

TEST_F(FlowRuns, LeavingTheSegmentExitsTheRunBeforeTheNextStep) {
  add_flow("CA", "cart_abandoned", exit_flow);
  db.add_customers(2, "CA");
  for (int i = 1; i <= 2; ++i)
    event(customer("cCA-" + std::to_string(i) + "@example.org"),
          "cart_abandoned");
  enrol_all(1h);
  auto o = dispatcher();
  dl::run_round(o);
  ASSERT_EQ(sent.size(), 2u); // both first steps
  db.scalar("UPDATE customers SET shipping_state = 'NY'"
            " WHERE email = 'cCA-1@example.org' RETURNING id");
  // The second step falls due.
  db.scalar("UPDATE deliveries SET due_at = due_at - interval '1 hour',"
            " next_attempt_at = next_attempt_at - interval '1 hour'"
            " WHERE step_index = 3 RETURNING id");
  auto round = dl::run_round(o);
  EXPECT_EQ(round.exited, 1);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent.back().email, "cCA-2@example.org");
  EXPECT_EQ(db.scalar("SELECT r.status || '/' || r.exit_reason FROM flow_runs r"
                      " JOIN customers c ON c.id = r.customer_id"
                      " WHERE c.email = 'cCA-1@example.org'"),
            "exited/left segment");
  EXPECT_EQ(db.scalar("SELECT d.status || '/' || d.last_error FROM deliveries d"
                      " WHERE d.email = 'cCA-1@example.org'"
                      " AND d.step_index = 3"),
            "dead/left segment");
  EXPECT_EQ(db.scalar("SELECT r.status FROM flow_runs r JOIN customers c"
                      " ON c.id = r.customer_id"
                      " WHERE c.email = 'cCA-2@example.org'"),
            "completed");
  // A dead row of an exited run is not replayed: nothing would claim it.
  auto dead = db.count("SELECT id FROM deliveries WHERE status = 'dead'");
  auto replayed = st::replay_dead(db.conn(), {dead}, "");
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->replayed, 0);
}

TEST_F(FlowRuns, WithoutExitOnLeaveTheRunContinues) {
  add_flow("CA", "cart_abandoned", exit_flow);
  db.add_customers(1, "CA");
  event(customer("cCA-1@example.org"), "cart_abandoned");
  enrol_all(1h);
  auto o = dispatcher(false);
  dl::run_round(o);
  db.scalar("UPDATE customers SET shipping_state = 'NY' RETURNING id");
  db.scalar("UPDATE deliveries SET next_attempt_at = next_attempt_at"
            " - interval '1 hour' WHERE step_index = 3 RETURNING id");
  dl::run_round(o);
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(db.scalar("SELECT status FROM flow_runs"), "completed");
}

TEST_F(FlowRuns, AnUnsubscribedCustomerGetsNothing) {
  add_flow("CA", "cart_abandoned", exit_flow);
  db.add_customers(1, "CA");
  event(customer("cCA-1@example.org"), "cart_abandoned");
  enrol_all(10ms);
  db.scalar("UPDATE customers SET unsubscribed_at = now() RETURNING id");
  auto o = dispatcher();
  ASSERT_TRUE(wait_until(
      [&] {
        dl::run_round(o);
        return db.scalar("SELECT status FROM flow_runs") == "completed";
      },
      10s));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'dead'"),
            2);

  // Subscribed again, the replayed rows reopen the completed run.
  db.scalar("UPDATE customers SET unsubscribed_at = NULL RETURNING id");
  std::vector<int64_t> ids;
  for (const auto& text : {"min", "max"})
    ids.push_back(
        db.count(std::string{"SELECT "} + text + "(id) FROM deliveries"));
  auto replayed = st::replay_dead(db.conn(), ids, "");
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->replayed, 2);
  EXPECT_EQ(db.scalar("SELECT status FROM flow_runs"), "active");
  ASSERT_TRUE(wait_until(
      [&] {
        dl::run_round(o);
        return db.scalar("SELECT status FROM flow_runs") == "completed";
      },
      10s));
  EXPECT_EQ(sent.size(), 2u);
}

} // namespace
