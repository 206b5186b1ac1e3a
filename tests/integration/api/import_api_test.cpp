#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/api/api_fixture.hpp"

namespace cdpd::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The fixture imports in batches of 50 lines and reports 5 bad lines.

class import_api : public api_fixture {
protected:
  http_reply post_ndjson(const std::string& target, const std::string& body) {
    return http_call(port, "POST", target, body,
                     {{"Content-Type", "application/x-ndjson"}}, 120s);
  }

  json import(const std::string& kind, const std::string& body,
              int expected_status = 200) {
    auto reply = post_ndjson("/api/import/" + kind, body);
    EXPECT_EQ(reply.status, expected_status) << reply.body;
    return body_of(reply);
  }
};

std::string customer_line(int i) {
  return json{{"external_id", "crm-" + std::to_string(i)},
              {"email", "c" + std::to_string(i) + "@example.com"},
              {"first_name", "First" + std::to_string(i)},
              {"last_name", "Last"},
              {"shipping_state", "CA"}}
             .dump() +
         "\n";
}

std::string customer_lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i)
    out += customer_line(i);
  return out;
}

TEST_F(import_api, customers_load_good_lines_and_report_bad_ones) {
  std::string file = customer_lines(0, 3); // lines 1-3
  file += "{not json\n";                   // line 4
  file += "\n";                            // line 5: blank
  file += R"({"external_id":"crm-x","first_name":"A"})"
          "\n";                   // line 6
  file += customer_lines(3, 120); // lines 7-123
  file += R"({"external_id":"crm-dup","email":"c1@example.com",)"
          R"("first_name":"A","last_name":"B"})"; // line 124, no newline
  auto result = import("customers", file);
  EXPECT_EQ(result["lines"], 123); // the blank line is not counted
  EXPECT_EQ(result["inserted"], 120);
  EXPECT_EQ(result["updated"], 0);
  EXPECT_EQ(result["failed"], 3);
  ASSERT_EQ(result["errors"].size(), 3u);
  EXPECT_EQ(result["errors"][0]["line"], 4);
  EXPECT_NE(
      result["errors"][0]["error"].get<std::string>().find("invalid JSON"),
      std::string::npos);
  EXPECT_EQ(result["errors"][1]["line"], 6);
  EXPECT_NE(result["errors"][1]["error"].get<std::string>().find(
                "email: field required"),
            std::string::npos);
  EXPECT_EQ(result["errors"][2]["line"], 124);
  EXPECT_NE(result["errors"][2]["error"].get<std::string>().find(
                "already belongs to another customer"),
            std::string::npos);
  EXPECT_EQ(result["errors_truncated"], false);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers "
                      "WHERE external_id LIKE 'crm-%'"),
            "120");
  EXPECT_EQ(sql_value("SELECT first_name FROM customers "
                      "WHERE external_id = 'crm-77'"),
            "First77");

  // The same file again changes nothing.
  auto again = import("customers", file);
  EXPECT_EQ(again["inserted"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["unchanged"], 120);
  EXPECT_EQ(again["failed"], 3);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers"), "120");
}

TEST_F(import_api, changed_lines_update_by_external_id) {
  import("customers", customer_lines(0, 10));
  auto changed = json{
      {"external_id", "crm-4"},
      {"email", "c4@example.com"},
      {"first_name", "Renamed"},
      {"last_name",
       "Last"}}.dump();
  auto result = import("customers", customer_lines(0, 4) + changed + "\n");
  EXPECT_EQ(result["inserted"], 0);
  EXPECT_EQ(result["updated"], 1);
  EXPECT_EQ(result["unchanged"], 4);
  EXPECT_EQ(sql_value("SELECT first_name FROM customers "
                      "WHERE external_id = 'crm-4'"),
            "Renamed");
}

TEST_F(import_api, a_body_far_above_the_body_limit_is_streamed) {
  // About 2.6 MB: more than http.max-body-bytes (1 MiB), which bounds
  // ordinary requests.
  auto file = customer_lines(0, 20'000);
  ASSERT_GT(file.size(), 2u * 1024 * 1024);
  auto result = import("customers", file);
  EXPECT_EQ(result["inserted"], 20'000);
  EXPECT_EQ(result["failed"], 0);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers"), "20000");
}

TEST_F(import_api, error_list_is_capped_and_says_so) {
  std::string file;
  for (int i = 0; i < 8; ++i)
    file += "[]\n";
  file += customer_line(1);
  auto result = import("customers", file);
  EXPECT_EQ(result["failed"], 8);
  EXPECT_EQ(result["errors"].size(), 5u);
  EXPECT_EQ(result["errors_truncated"], true);
  EXPECT_EQ(result["inserted"], 1);
}

TEST_F(import_api, an_overlong_line_is_reported_and_skipped) {
  std::string file = customer_line(1);
  file += R"({"external_id":")" + std::string(2 * 1024 * 1024, 'x') + "\"}\n";
  file += customer_line(2);
  auto result = import("customers", file);
  EXPECT_EQ(result["inserted"], 2);
  ASSERT_EQ(result["errors"].size(), 1u);
  EXPECT_EQ(result["errors"][0]["line"], 2);
  EXPECT_NE(result["errors"][0]["error"].get<std::string>().find("longer"),
            std::string::npos);
}

TEST_F(import_api, orders_keep_aggregates_exact_and_reimport_is_a_no_op) {
  import("customers", customer_lines(0, 5));
  auto product = make_product("Lamp", 20);
  std::string file;
  for (int i = 0; i < 60; ++i) {
    json line{
        {"external_id", "ord-" + std::to_string(i)},
        {"customer_external_id", "crm-" + std::to_string(i % 5)},
        {"order_date", "2026-0" + std::to_string(1 + i % 9) + "-15T10:00:00"},
        {"order_status", "delivered"},
        {"total_amount", 10 + i},
        {"channel", "web"},
        {"items", json::array({{{"product_id", product["id"]},
                                {"quantity", 1},
                                {"unit_price", 10 + i}}})}};
    file += line.dump() + "\n";
  }
  file += R"({"external_id":"ord-bad","customer_external_id":"nobody",)"
          R"("total_amount":5})"
          "\n";
  auto result = import("orders", file);
  EXPECT_EQ(result["inserted"], 60);
  EXPECT_EQ(result["failed"], 1);
  ASSERT_EQ(result["errors"].size(), 1u);
  EXPECT_EQ(result["errors"][0]["line"], 61);
  EXPECT_NE(result["errors"][0]["error"].get<std::string>().find("nobody"),
            std::string::npos);
  auto mismatches = [&] {
    return sql_value(
        "SELECT count(*) FROM customers c LEFT JOIN (SELECT customer_id, "
        "sum(total_amount) AS total, count(*) AS n, max(order_date) AS last "
        "FROM orders GROUP BY customer_id) o ON o.customer_id = c.id "
        "WHERE c.total_order_value <> coalesce(o.total, 0) "
        "OR c.order_count <> coalesce(o.n, 0) "
        "OR c.last_order_date IS DISTINCT FROM o.last");
  };
  EXPECT_EQ(mismatches(), "0");
  EXPECT_EQ(sql_value("SELECT count(*) FROM order_items"), "60");

  auto again = import("orders", file);
  EXPECT_EQ(again["inserted"], 0);
  EXPECT_EQ(again["updated"], 0);
  EXPECT_EQ(again["unchanged"], 60);
  EXPECT_EQ(sql_value("SELECT count(*) FROM orders"), "60");
  EXPECT_EQ(sql_value("SELECT count(*) FROM order_items"), "60");
  EXPECT_EQ(mismatches(), "0");
}

TEST_F(import_api, a_form_upload_is_refused_with_a_hint) {
  auto reply =
      http_call(port, "POST", "/api/import/customers", customer_line(1),
                {{"Content-Type", "multipart/form-data; boundary=x"}});
  EXPECT_EQ(reply.status, 415);
  EXPECT_NE(
      body_of(reply)["detail"].get<std::string>().find("application/x-ndjson"),
      std::string::npos);
  EXPECT_EQ(sql_value("SELECT count(*) FROM customers"), "0");
}

TEST_F(import_api, an_empty_body_imports_nothing) {
  auto result = import("customers", "");
  EXPECT_EQ(result["lines"], 0);
  EXPECT_EQ(result["inserted"], 0);
  EXPECT_EQ(result["failed"], 0);
}

} // namespace
} // namespace cdpd::test
