// The links in campaign messages, through real HTTP and PostgreSQL:
// unsubscribe (GET and RFC 8058 one-click POST), the open pixel and click
// redirects; each counted once per delivery, and refused unchanged when
// the token is not one cdpd made.
#include <string>

#include <gtest/gtest.h>

#include "net/auth/link_token.hpp"
#include "net/http/uri.hpp"
#include "tests/integration/api/api_fixture.hpp"

namespace cdpd::test {
namespace {

using net::auth::link_kind;
using namespace std::chrono_literals;

/// An expiry an hour from now, in Unix seconds.
int64_t later() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (std::chrono::system_clock::now() + 1h).time_since_epoch())
      .count();
}

class message_links : public api_fixture {
protected:
  void SetUp() override {
    customer = make_user("reader@example.com")["id"];
    auto segment = make_segment("readers");
    campaign = sql_value("INSERT INTO campaigns (segment_id, name, status)"
                         " VALUES ('" +
                         segment + "', 'News', 'active') RETURNING id");
    delivery = std::stoll(sql_value(
        "INSERT INTO deliveries (campaign_id, step_index, customer_id, email,"
        " due_at, status, next_attempt_at, idempotency_key, sent_at)"
        " VALUES ('" +
        campaign + "', 1, '" + customer +
        "', 'reader@example.com', now(), 'sent', now(), 'k1', now())"
        " RETURNING id"));
  }

  std::string stat(const std::string& column) {
    return sql_value("SELECT COALESCE((SELECT " + column +
                     " FROM campaign_delivery_stats WHERE campaign_id = '" +
                     campaign + "'), 0)");
  }

  std::string hits(const std::string& kind) {
    return sql_value("SELECT COALESCE((SELECT hits FROM delivery_events WHERE"
                     " delivery_id = " +
                     std::to_string(delivery) + " AND kind = '" + kind +
                     "'), 0)");
  }

  std::string customer;
  std::string campaign;
  int64_t delivery = 0;
};

TEST_F(message_links, a_link_scanners_get_only_asks) {
  auto token = links->sign(link_kind::unsubscribe, delivery);
  for (int i = 0; i < 2; ++i) {
    auto page = call("GET", "/u/" + token);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("<form method=\"post\">"), std::string::npos);
    EXPECT_EQ(page.header("content-security-policy"), "default-src 'none'");
  }
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers WHERE unsubscribed_at"
                      " IS NOT NULL"),
            "0");
  EXPECT_EQ(sql_value("SELECT count(*) FROM delivery_events"), "0");
}

TEST_F(message_links, unsubscribe_holds_after_one_request_and_counts_once) {
  auto token = links->sign(link_kind::unsubscribe, delivery);
  auto page = call("POST", "/u/" + token);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("unsubscribed"), std::string::npos);
  EXPECT_EQ(page.header("content-security-policy"), "default-src 'none'");
  EXPECT_EQ(sql_value("SELECT unsubscribed_at IS NOT NULL FROM customers"
                      " WHERE id = '" +
                      customer + "'"),
            "t");
  auto first_time = sql_value("SELECT unsubscribed_at FROM customers WHERE id"
                              " = '" +
                              customer + "'");

  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click".
  raw_connection conn{port};
  std::string body = "List-Unsubscribe=One-Click";
  conn.send("POST /u/" + token +
            " HTTP/1.1\r\nHost: x\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body);
  auto again = conn.read_reply(10s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(stat("unsubscribes"), "1");
  EXPECT_EQ(hits("unsubscribe"), "2");
  EXPECT_EQ(sql_value("SELECT unsubscribed_at FROM customers WHERE id = '" +
                      customer + "'"),
            first_time);
}

TEST_F(message_links, tokens_not_made_by_cdpd_change_nothing) {
  auto token = links->sign(link_kind::unsubscribe, delivery);
  auto altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  net::auth::link_signer stranger{"another-key-another-key-another-key-42"};
  for (const auto& bad :
       {altered, std::to_string(delivery + 1) + token.substr(token.find('.')),
        links->sign(link_kind::open, delivery, {}, later()),
        stranger.sign(link_kind::unsubscribe, delivery), std::string{"x"}}) {
    auto reply = call("GET", "/u/" + bad);
    EXPECT_EQ(reply.status, 404) << bad;
    EXPECT_NE(reply.body.find("not valid"), std::string::npos);
  }
  EXPECT_EQ(sql_value("SELECT count(*) FROM delivery_events"), "0");
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers WHERE unsubscribed_at"
                      " IS NOT NULL"),
            "0");
}

TEST_F(message_links, the_pixel_records_one_open_per_delivery) {
  auto token = links->sign(link_kind::open, delivery, {}, later());
  for (int i = 0; i < 3; ++i) {
    auto reply = call("GET", "/t/o/" + token);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.header("content-type"), "image/gif");
    EXPECT_EQ(reply.body.size(), 43u);
    EXPECT_EQ(reply.body.substr(0, 6), "GIF89a");
    EXPECT_NE(reply.header("cache-control").find("no-store"),
              std::string::npos);
  }
  EXPECT_EQ(stat("emails_opened"), "1");
  EXPECT_EQ(hits("open"), "3");
}

TEST_F(message_links, clicks_redirect_only_to_the_signed_url) {
  std::string url = "https://shop.example/sale?item=42&ref=mail";
  auto token = links->sign(link_kind::click, delivery, url, later());
  auto reply = call("GET", "/t/c/" + token + "?u=" + net::percent_encode(url));
  EXPECT_EQ(reply.status, 302);
  EXPECT_EQ(reply.header("location"), url);

  for (const auto& other :
       {std::string{"https://evil.example/"}, url + "&x=1", std::string{}}) {
    auto refused =
        call("GET", "/t/c/" + token + "?u=" + net::percent_encode(other));
    EXPECT_EQ(refused.status, 404) << other;
    EXPECT_FALSE(refused.has_header("location"));
  }
  // Even a signed javascript: link is no redirect.
  std::string script = "javascript:alert(1)";
  auto signed_script = links->sign(link_kind::click, delivery, script, later());
  EXPECT_EQ(
      call("GET", "/t/c/" + signed_script + "?u=" + net::percent_encode(script))
          .status,
      404);
  EXPECT_EQ(stat("emails_clicked"), "1");
  EXPECT_EQ(sql_value("SELECT last_url FROM delivery_events WHERE kind ="
                      " 'click'"),
            url);
}

TEST_F(message_links, a_deleted_delivery_is_not_found) {
  auto token = links->sign(link_kind::unsubscribe, delivery);
  sql_value("DELETE FROM deliveries WHERE id = " + std::to_string(delivery) +
            " RETURNING id");
  EXPECT_EQ(call("POST", "/u/" + token).status, 404);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers WHERE unsubscribed_at"
                      " IS NOT NULL"),
            "0");
}

} // namespace
} // namespace cdpd::test
