#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/atoms.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/supervisor.hpp"
#include "apps/cdpd/delivery_subtree.hpp"
#include "net/auth/link_token.hpp"
#include "storage/repositories/flow_run_repository.hpp"
#include "tests/integration/delivery/delivery_test_db.hpp"
#include "tests/integration/email/email_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace std::chrono_literals;
using cdpd::test::child_process;
using cdpd::test::delivery_test_db;
using cdpd::test::parse_mail;
using cdpd::test::parsed_mail;
using cdpd::test::temp_dir;
using cdpd::test::wait_until;
namespace fs = std::filesystem;
namespace st = cdpd::storage;

/// Debian's python3-aiosmtpd runs under the system interpreter.
constexpr const char* python = "/usr/bin/python3";

/// The length of one WAIT day here.
constexpr auto wait_day = 2s;

std::vector<parsed_mail> mails_in(const std::string& maildir) {
  std::vector<parsed_mail> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator{maildir + "/new", ec}) {
    std::ifstream in{entry.path(), std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    found.push_back(parse_mail(text.str()));
  }
  return found;
}

/// A flow SEND, WAIT 1, SEND, EXIT, SEND entered by `cart_abandoned`,
/// run by the node's delivery subtree (enroller and dispatchers) through a
/// real SMTP server (aiosmtpd) on loopback: members get steps 1 and 3 in
/// order, a WAIT day apart, never step 5; others get nothing.
TEST(FlowSmtp, EventEnrolsMembersWhoGetTheStepsBeforeTheExitInOrder) {
  temp_dir dir;
  auto maildir = dir.path() + "/maildir";
  auto port = cdpd::test::free_port();
  child_process smtp{{python, "-m", "aiosmtpd", "-n", "-l",
                      "127.0.0.1:" + std::to_string(port), "-c",
                      "aiosmtpd.handlers.Mailbox", maildir}};
  ASSERT_TRUE(wait_until([&] { return cdpd::test::port_accepts(port); }, 20s))
      << "aiosmtpd did not listen: " << smtp.output();

  delivery_test_db db;
  db.add_customers(20, "CA");
  db.add_customers(5, "NY");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(segment, {{"SEND_EMAIL", "Hello {{first_name}}", "1"},
                                    {"WAIT", "", "", 1},
                                    {"SEND_EMAIL", "Again", "2"},
                                    {"EXIT", "", ""},
                                    {"SEND_EMAIL", "Never", "3"}});
  db.scalar("UPDATE flows SET entry_condition_type = 'cart_abandoned'"
            " RETURNING id");

  auto signer = std::make_shared<const cdpd::net::auth::link_signer>(
      "flow-smtp-test-link-key-of-32-bytes!");
  cdpd::config::settings s;
  s.email.provider = "smtp";
  s.email.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  s.email.from = "Shop <news@shop.example>";
  s.email.rate_per_second = 0;
  s.email.timeout = 10s;
  s.delivery.dispatchers = 2;
  s.delivery.batch_size = 10;
  s.delivery.poll_interval = 100ms;
  s.delivery.wait_day = wait_day;

  caf::actor_system_config cfg;
  cdpd::actors::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  auto subtree = cdpd::app::make_delivery_subtree(s, db.pool(6), dir.path(),
                                                  nullptr, signer);
  ASSERT_TRUE(subtree) << sys.render(subtree.error());
  cdpd::actors::supervisor_spec root;
  root.name = "root";
  root.children.push_back(subtree->child);
  auto sup = cdpd::actors::spawn_supervisor(sys, std::move(root));

  for (const auto& state : {"CA", "NY"})
    for (int i = 1; i <= (std::string{state} == "CA" ? 20 : 5); ++i) {
      st::event_input in;
      in.customer_id =
          db.scalar(std::string{"SELECT id FROM customers WHERE email = 'c"} +
                    state + "-" + std::to_string(i) + "@example.org'");
      in.type = "cart_abandoned";
      auto recorded = st::record_event(db.conn(), in);
      ASSERT_TRUE(recorded && recorded->value);
    }
  auto completed = [&] {
    return db.count("SELECT count(*) FROM flow_runs WHERE status ="
                    " 'completed'");
  };
  bool done = wait_until([&] { return completed() == 20; }, 60s);

  caf::scoped_actor self{sys};
  self->request(sup, 30s, cdpd::actors::shutdown_atom::value)
      .receive([] {},
               [&](caf::error& err) {
                 ADD_FAILURE() << "shutdown: " << sys.render(err);
               });
  ASSERT_TRUE(done) << completed() << " runs completed";
  EXPECT_EQ(db.count("SELECT count(*) FROM flow_runs"), 20);

  ASSERT_TRUE(wait_until([&] { return mails_in(maildir).size() >= 40; }, 10s));
  auto mails = mails_in(maildir);
  ASSERT_EQ(mails.size(), 40u);
  std::map<std::string, std::set<std::string>> steps;
  std::set<std::string> runs;
  for (const auto& m : mails) {
    steps[m.header("to")].insert(m.header("x-delivery-step"));
    runs.insert(m.header("x-flow-run-id"));
    EXPECT_EQ(m.header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  }
  EXPECT_EQ(runs.size(), 20u);
  ASSERT_EQ(steps.size(), 20u);
  for (const auto& [to, got] : steps) {
    EXPECT_EQ(got, (std::set<std::string>{"1", "3"})) << to;
    EXPECT_EQ(to.rfind("cCA-", 0), 0u) << to;
  }
  // Step 3 only after its WAIT day, and after step 1.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN flow_runs r"
                     " ON r.id = d.flow_run_id JOIN customer_events e"
                     " ON e.id = r.event_id WHERE d.step_index = 3 AND"
                     " d.sent_at < e.occurred_at + interval '2 seconds'"),
            0);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries a JOIN deliveries b"
                     " ON a.flow_run_id = b.flow_run_id"
                     " AND a.step_index < b.step_index"
                     " WHERE a.sent_at >= b.sent_at"),
            0);

  smtp.signal(SIGTERM);
  smtp.wait(5s);
}

} // namespace
