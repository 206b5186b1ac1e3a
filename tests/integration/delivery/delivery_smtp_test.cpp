#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include "actors/atoms.hpp"
#include "actors/campaigns/campaign_lifecycle.hpp"
#include "actors/storage/db_actor.hpp"
#include "actors/supervision/errc.hpp"
#include "actors/supervision/supervisor.hpp"
#include "apps/cdpd/delivery_subtree.hpp"
#include "net/auth/link_token.hpp"
#include "net/http/uri.hpp"
#include "storage/repositories/delivery_repository.hpp"
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
constexpr auto wait_day = 4s;

/// Every message in the maildir.
std::vector<parsed_mail> received(const std::string& maildir) {
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

size_t received_count(const std::string& maildir) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator{maildir + "/new", ec};
       !ec && it != fs::directory_iterator{}; ++it)
    ++n;
  return n;
}

/// A 3-step campaign (SEND, WAIT 1, SEND, WAIT 1, SEND) to 400 opted-in
/// members, sent by the node's delivery subtree through a real SMTP server
/// (aiosmtpd) on loopback.
TEST(DeliverySmtp, ThreeStepCampaignReachesEveryRecipientInOrder) {
  temp_dir dir;
  auto maildir = dir.path() + "/maildir";
  auto port = cdpd::test::free_port();
  child_process smtp{{python, "-m", "aiosmtpd", "-n", "-l",
                      "127.0.0.1:" + std::to_string(port), "-c",
                      "aiosmtpd.handlers.Mailbox", maildir}};
  ASSERT_TRUE(wait_until([&] { return cdpd::test::port_accepts(port); }, 20s))
      << "aiosmtpd did not listen: " << smtp.output();

  delivery_test_db db;
  db.add_customers(420, "CA", 21); // 20 have not opted in
  db.add_customers(20, "NY");
  auto segment = db.add_segment("CA");
  auto flow = db.add_flow(
      segment, {{"SEND_EMAIL", "Hello {{first_name}}", "Step one"},
                {"WAIT", "", "", 1},
                {"SEND_EMAIL", "Again {{first_name}}", "Step two"},
                {"WAIT", "", "", 1},
                {"SEND_EMAIL", "Last {{first_name}}", "Step three"}});
  auto campaign = db.add_campaign(segment, flow);

  auto signer = std::make_shared<const cdpd::net::auth::link_signer>(
      "delivery-smtp-test-link-key-32-bytes");
  cdpd::config::settings s;
  s.email.provider = "smtp";
  s.email.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  s.email.from = "Shop <news@shop.example>";
  s.email.rate_per_second = 0;
  s.email.timeout = 10s;
  s.delivery.dispatchers = 4;
  s.delivery.batch_size = 50;
  s.delivery.poll_interval = 100ms;
  s.delivery.wait_day = wait_day;
  s.delivery.public_url = "http://127.0.0.1:8000/";

  caf::actor_system_config cfg;
  cdpd::actors::add_error_renderer(cfg);
  caf::actor_system sys{cfg};
  // The campaign actors work through the node's write db actor.
  cdpd::actors::db_actor_options db_options;
  db_options.name = "pg-write";
  db_options.workers = 2;
  auto writer = cdpd::actors::spawn_db_actor(sys, db.pool(2), db_options);
  sys.registry().put(cdpd::actors::db_write_key,
                     caf::actor_cast<caf::strong_actor_ptr>(writer));
  auto subtree = cdpd::app::make_delivery_subtree(s, db.pool(6), dir.path(),
                                                  nullptr, signer);
  ASSERT_TRUE(subtree) << sys.render(subtree.error());
  cdpd::actors::supervisor_spec root;
  root.name = "root";
  root.children.push_back(subtree->child);
  auto sup = cdpd::actors::spawn_supervisor(sys, std::move(root));

  auto moved = cdpd::actors::campaigns::move_campaign(
      db.conn(), campaign, cdpd::actors::campaigns::campaign_status::active);
  ASSERT_TRUE(moved && moved->conflict.empty());
  auto status = [&] {
    return db.scalar("SELECT status FROM campaigns WHERE id = '" + campaign +
                     "'");
  };
  bool completed = wait_until([&] { return status() == "completed"; }, 60s);

  caf::scoped_actor self{sys};
  self->request(sup, 30s, cdpd::actors::shutdown_atom::value)
      .receive([] {},
               [&](caf::error& err) {
                 ADD_FAILURE() << "shutdown: " << sys.render(err);
               });
  sys.registry().erase(cdpd::actors::db_write_key);
  self->send_exit(writer, caf::exit_reason::user_shutdown);
  ASSERT_TRUE(completed) << "status " << status() << ", sent "
                         << db.count("SELECT count(*) FROM deliveries"
                                     " WHERE status = 'sent'");

  // Exactly 1,200 messages, each once, each with the one-click headers.
  ASSERT_TRUE(wait_until([&] { return received_count(maildir) >= 1200; }, 10s));
  auto mails = received(maildir);
  ASSERT_EQ(mails.size(), 1200u);
  std::set<std::string> ids;
  std::set<int64_t> deliveries;
  std::map<std::string, std::set<std::string>> steps_by_recipient;
  for (const auto& m : mails) {
    ids.insert(m.header("message-id"));
    auto unsubscribe = m.header("list-unsubscribe");
    EXPECT_EQ(unsubscribe.rfind("<http://127.0.0.1:8000/u/", 0), 0u);
    // The token is signed for this message's delivery row.
    auto token = unsubscribe.substr(25, unsubscribe.find('>') - 25);
    auto delivery =
        signer->verify(cdpd::net::auth::link_kind::unsubscribe, token);
    EXPECT_TRUE(delivery) << unsubscribe;
    if (delivery)
      deliveries.insert(*delivery);
    EXPECT_EQ(m.header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
    EXPECT_EQ(m.header("x-campaign-id"), campaign);
    steps_by_recipient[m.header("to")].insert(m.header("x-delivery-step"));
  }
  EXPECT_EQ(ids.size(), 1200u);
  EXPECT_EQ(deliveries.size(), 1200u);
  ASSERT_EQ(steps_by_recipient.size(), 400u);
  for (const auto& [to, steps] : steps_by_recipient)
    EXPECT_EQ(steps, (std::set<std::string>{"1", "3", "5"})) << to;
  auto sample = std::find_if(mails.begin(), mails.end(), [](const auto& m) {
    return m.header("to") == "cCA-1@example.org" &&
           m.header("x-delivery-step") == "1";
  });
  ASSERT_NE(sample, mails.end());
  EXPECT_EQ(sample->header("subject"), "Hello F1");

  // In the database: every row sent once, each recipient's steps in order,
  // none before its wait was over.
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries WHERE status = 'sent'"
                     " AND attempts = 1"),
            1200);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries d JOIN campaigns c"
                     " ON c.id = d.campaign_id WHERE d.sent_at < c.started_at"
                     " + (CASE d.step_index WHEN 1 THEN 0 WHEN 3 THEN 1"
                     " ELSE 2 END) * interval '" +
                     std::to_string(wait_day.count()) + " seconds'"),
            0);
  EXPECT_EQ(db.count("SELECT count(*) FROM deliveries a JOIN deliveries b"
                     " ON a.customer_id = b.customer_id"
                     " AND a.step_index < b.step_index"
                     " WHERE a.sent_at >= b.sent_at"),
            0);
  EXPECT_EQ(db.scalar("SELECT exec_phase FROM campaigns"), "done");

  smtp.signal(SIGTERM);
  smtp.wait(5s);
}

TEST(DeliveryLinks, BodyLinksAreTrackedAndTheUnsubscribeLinkIsNot) {
  auto signer = std::make_shared<const cdpd::net::auth::link_signer>(
      "delivery-links-test-link-key-32-bytes");
  cdpd::net::email::message_links links{"https://cdp.example", signer};
  auto unsubscribe = links.unsubscribe(7);
  auto text = "See https://shop.example/sale?a=1&b=2. Or (http://x.example/p),"
              " or <https://y.example/>\nLeave: " +
              unsubscribe;
  int64_t expires = 4'102'444'800; // 2100-01-01
  auto tracked = links.track_clicks(text, 7, expires);
  for (std::string url : {"https://shop.example/sale?a=1&b=2",
                          "http://x.example/p", "https://y.example/"}) {
    auto token =
        signer->sign(cdpd::net::auth::link_kind::click, 7, url, expires);
    EXPECT_NE(tracked.find("https://cdp.example/t/c/" + token +
                           "?u=" + cdpd::net::percent_encode(url)),
              std::string::npos)
        << url << "\n"
        << tracked;
  }
  EXPECT_NE(tracked.find("See https://cdp.example/t/c/"), std::string::npos);
  EXPECT_NE(tracked.find(". Or (https://cdp.example/t/c/"), std::string::npos)
      << tracked;
  EXPECT_NE(tracked.find("Leave: " + unsubscribe), std::string::npos);
  EXPECT_EQ(links.track_clicks("no links here", 7, expires), "no links here");
}

} // namespace

TEST(DeliveryLinks, ACustomerFieldNeverBecomesASignedRedirect) {
  auto signer = std::make_shared<const cdpd::net::auth::link_signer>(
      "delivery-links-test-link-key-32-bytes");
  cdpd::net::email::message_links links{"https://cdp.example", signer};
  cdpd::storage::claimed_delivery d;
  d.id = 7;
  d.email = "mallory@example.org";
  d.idempotency_key = "7";
  d.subject = "Hi";
  d.first_name = "https://evil.example/phish";
  d.body_text = "Hi {{first_name}}, the sale: https://shop.example/sale";
  auto msg =
      cdpd::net::email::render_delivery(d, "Shop <news@shop.example>", links);
  ASSERT_TRUE(msg);
  // The name arrives as text, not wrapped in the brand's redirect.
  EXPECT_NE(msg->text_body.find("Hi https://evil.example/phish,"),
            std::string::npos)
      << msg->text_body;
  EXPECT_EQ(msg->text_body.find(cdpd::net::percent_encode("https://evil")),
            std::string::npos)
      << msg->text_body;
  auto tracked = msg->text_body.find("https://cdp.example/t/c/7.");
  ASSERT_NE(tracked, std::string::npos) << msg->text_body;
  EXPECT_NE(msg->text_body.find(
                "?u=" + cdpd::net::percent_encode("https://shop.example/sale"),
                tracked),
            std::string::npos);
}
