#include "net/api/import_lines.hpp"

#include <gtest/gtest.h>

using namespace cdpd::net::api;
namespace storage = cdpd::storage;

namespace {

template <class Row>
std::string error_of(const std::variant<Row, line_error>& parsed) {
  if (auto* e = std::get_if<line_error>(&parsed))
    return e->message;
  return "<parsed>";
}

storage::customer_import_row customer_ok(std::string_view line) {
  auto parsed = parse_customer_line(line);
  EXPECT_EQ(error_of(parsed), "<parsed>") << line;
  if (auto* row = std::get_if<storage::customer_import_row>(&parsed))
    return *row;
  return {};
}

storage::order_import_row order_ok(std::string_view line) {
  auto parsed = parse_order_line(line);
  EXPECT_EQ(error_of(parsed), "<parsed>") << line;
  if (auto* row = std::get_if<storage::order_import_row>(&parsed))
    return *row;
  return {};
}

std::string customer_error(std::string_view line) {
  return error_of(parse_customer_line(line));
}

std::string order_error(std::string_view line) {
  return error_of(parse_order_line(line));
}

} // namespace

TEST(import_lines, BlankLinesAreRecognised) {
  EXPECT_TRUE(is_blank_line(""));
  EXPECT_TRUE(is_blank_line(" \t\r\n"));
  EXPECT_FALSE(is_blank_line(" {} "));
  EXPECT_EQ(customer_error("  "), "field required");
}

TEST(import_lines, ParsesAFullCustomerLine) {
  auto row =
      customer_ok(R"({"external_id":"c-1","email":"a@x.io","first_name":"Ann",)"
                  R"("last_name":"Lee","phone":"+1","marketing_opt_in":false,)"
                  R"("shipping_state":null,"total_order_value":99,"unknown":1})"
                  "\r");
  EXPECT_EQ(row.external_id, "c-1");
  EXPECT_EQ(row.fields.email, "a@x.io");
  EXPECT_EQ(row.fields.marketing_opt_in, false);
  EXPECT_EQ(row.fields.phone, std::optional<std::string>{"+1"});
  ASSERT_TRUE(row.fields.shipping_state.has_value()); // given as null
  EXPECT_FALSE(row.fields.shipping_state->has_value());
  EXPECT_FALSE(row.fields.shipping_country.has_value()); // absent: kept
}

TEST(import_lines, CoercesLikePydantic1) {
  auto row = customer_ok(R"({"external_id":42,"email":"a@x.io",)"
                         R"("first_name":7,"last_name":1.5,)"
                         R"("marketing_opt_in":"yes","phone":true})");
  EXPECT_EQ(row.external_id, "42");
  EXPECT_EQ(row.fields.first_name, "7");
  EXPECT_EQ(row.fields.last_name, "1.5");
  EXPECT_EQ(row.fields.marketing_opt_in, true);
  EXPECT_EQ(row.fields.phone, std::optional<std::string>{"True"});
  auto order = order_ok(R"({"external_id":"o","user_id":"u",)"
                        R"("total_amount":"12.5","items":[{"product_id":"p",)"
                        R"("quantity":"2","unit_price":"1"},)"
                        R"({"product_id":"q","quantity":2.9}]})");
  EXPECT_EQ(order.total_amount, 12.5);
  ASSERT_EQ(order.items.size(), 2u);
  EXPECT_EQ(order.items[0].quantity, 2);
  EXPECT_EQ(order.items[0].unit_price, 1.0);
  EXPECT_EQ(order.items[1].quantity, 2); // truncated like int()
  EXPECT_FALSE(order.items[1].unit_price);
}

TEST(import_lines, CustomerErrorsUseTheUserMessages) {
  EXPECT_EQ(customer_error(R"({"external_id":"c"})"),
            "email: field required; first_name: field required; "
            "last_name: field required");
  EXPECT_EQ(customer_error(R"({"email":"a","first_name":"A",)"
                           R"("last_name":null})"),
            "external_id: field required; last_name: none is not an "
            "allowed value");
  EXPECT_EQ(customer_error(R"({"external_id":"c","email":[],)"
                           R"("first_name":"A","last_name":"B",)"
                           R"("marketing_opt_in":"maybe"})"),
            // As POST /api/users/ answers: the wrong type also counts as
            // a missing required value.
            "email: str type expected; marketing_opt_in: value could not "
            "be parsed to a boolean; email: none is not an allowed value");
}

TEST(import_lines, ExternalIdsAreOneTo200Characters) {
  auto line = [](const std::string& id) {
    return R"({"external_id":")" + id +
           R"(","email":"a","first_name":"A","last_name":"B"})";
  };
  EXPECT_EQ(customer_error(line("")),
            "external_id: ensure this value has at least 1 characters");
  EXPECT_EQ(customer_error(line(std::string(201, 'x'))),
            "external_id: ensure this value has at most 200 characters");
  EXPECT_EQ(customer_ok(line(std::string(200, 'x'))).external_id.size(), 200u);
  std::string wide;
  for (int i = 0; i < 200; ++i)
    wide += "é"; // 400 bytes, 200 characters
  EXPECT_EQ(customer_ok(line(wide)).external_id, wide);
  EXPECT_EQ(customer_error(R"({"external_id":null,"email":"a",)"
                           R"("first_name":"A","last_name":"B"})"),
            "external_id: none is not an allowed value");
  EXPECT_EQ(customer_error(R"({"external_id":{},"email":"a",)"
                           R"("first_name":"A","last_name":"B"})"),
            "external_id: str type expected");
}

TEST(import_lines, InvalidJsonAndNonObjects) {
  EXPECT_EQ(customer_error("{\"external_id\":"),
            "invalid JSON: parse error at line 1, column 16: syntax error "
            "while parsing value - unexpected end of input; expected '[', "
            "'{', or a literal");
  EXPECT_EQ(order_error("{x}").rfind("invalid JSON: parse error", 0), 0u);
  EXPECT_EQ(order_error("[1]"), "value is not a valid dict");
  EXPECT_EQ(customer_error("\"text\""), "value is not a valid dict");
  auto deep = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(customer_error(R"({"external_id":"x","email":)" + deep + "}"),
            "JSON nested deeper than 128 levels");
}

TEST(import_lines, ParsesOrderLinesWithDefaultsAndReferences) {
  auto row = order_ok(R"({"external_id":"o-1","customer_external_id":"c-1",)"
                      R"("order_date":"2024-03-01T10:00:00+02:00",)"
                      R"("items":[{"product_external_id":"p-1","quantity":2,)"
                      R"("unit_price":5},{"product_id":"uuid-2",)"
                      R"("unit_price":2.5}]})");
  EXPECT_EQ(row.external_id, "o-1");
  EXPECT_EQ(row.customer_external_id, "c-1");
  EXPECT_EQ(row.customer_id, "");
  EXPECT_EQ(row.order_date, std::optional<std::string>{"2024-03-01T08:00:00"});
  EXPECT_EQ(row.order_status, "pending");
  EXPECT_EQ(row.currency, "USD");
  EXPECT_EQ(row.channel, "web");
  EXPECT_FALSE(row.coupon_code);
  EXPECT_EQ(row.total_amount, 12.5); // Σ quantity × unit_price
  ASSERT_EQ(row.items.size(), 2u);
  EXPECT_EQ(row.items[0].product_external_id, "p-1");
  EXPECT_EQ(row.items[0].product_id, "");
  EXPECT_EQ(row.items[1].product_external_id, "");
  EXPECT_EQ(row.items[1].product_id, "uuid-2");
  EXPECT_EQ(row.items[1].quantity, 1);
  auto by_user = order_ok(R"({"external_id":"o","user_id":"u-1",)"
                          R"("total_amount":3,"order_status":"shipped",)"
                          R"("coupon_code":"SALE10","channel":"mobile"})");
  EXPECT_EQ(by_user.customer_id, "u-1");
  EXPECT_EQ(by_user.customer_external_id, "");
  EXPECT_FALSE(by_user.order_date); // the repository decides
  EXPECT_EQ(by_user.coupon_code, std::optional<std::string>{"SALE10"});
}

TEST(import_lines, OrderErrorsUseTheOrderMessages) {
  EXPECT_EQ(order_error(R"({"external_id":"o","user_id":"u"})"),
            "total_amount: field required");
  EXPECT_EQ(order_error(R"({"user_id":"u","total_amount":-1,)"
                        R"("order_date":"yesterday"})"),
            "external_id: field required; order_date: invalid datetime "
            "format; total_amount: ensure this value is greater than or "
            "equal to 0");
  EXPECT_EQ(order_error(R"({"external_id":"o","user_id":"u","total_amount":1,)"
                        R"("items":[{"product_id":"p","quantity":0},7,)"
                        R"({"product_id":"p","quantity":"x",)"
                        R"("unit_price":-1}]})"),
            "items[0].quantity: ensure this value is between 1 and 1000000; "
            "items[1]: value is not a valid dict; items[2].quantity: value is "
            "not a valid integer; items[2].unit_price: ensure this value is "
            "greater than or equal to 0");
  EXPECT_EQ(order_error(R"({"external_id":"o","user_id":"u","total_amount":1,)"
                        R"("items":{}})"),
            "items: value is not a valid list");
}

TEST(import_lines, OrderLinesNameExactlyOneCustomerAndProduct) {
  EXPECT_EQ(order_error(R"({"external_id":"o","total_amount":1})"),
            "customer_external_id: field required (or give user_id)");
  EXPECT_EQ(order_error(R"({"external_id":"o","total_amount":1,)"
                        R"("user_id":"u","customer_external_id":"c"})"),
            "user_id: give either customer_external_id or user_id, not both");
  EXPECT_EQ(order_error(R"({"external_id":"o","total_amount":1,)"
                        R"("customer_external_id":"","items":[{},)"
                        R"({"product_id":"p","product_external_id":"q"}]})"),
            "customer_external_id: ensure this value has at least 1 "
            "characters; items[0].product_external_id: field required (or "
            "give product_id); items[1].product_id: give either "
            "product_external_id or product_id, not both");
}
