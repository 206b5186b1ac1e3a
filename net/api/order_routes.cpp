#include <nlohmann/json.hpp>

#include "actors/domain/order_work.hpp"
#include "net/api/datetime_text.hpp"
#include "net/api/db_call.hpp"
#include "net/api/json_codecs.hpp"
#include "net/api/paging.hpp"
#include "net/api/resource_routes.hpp"
#include "net/api/validation.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;
namespace domain = actors::domain;

void bad_datetime(issues& found, json loc) {
  found.add(std::move(loc), "invalid datetime format", "value_error.datetime");
}

std::optional<storage::order_item_input>
read_item(const json& value, const json& loc, issues& found) {
  if (!value.is_object()) {
    found.add(loc, "value is not a valid dict", "type_error.dict");
    return std::nullopt;
  }
  storage::order_item_input item;
  auto product = read_string(value, "product_id", loc, found);
  auto quantity = read_int(value, "quantity", loc, found);
  auto price = read_number(value, "unit_price", loc, found);
  require(product, loc, "product_id", found);
  if (product.value)
    item.product_id = *product.value;
  if (quantity.value) {
    item.quantity = *quantity.value;
    if (item.quantity < 1 || item.quantity > 1'000'000)
      found.add(loc_with(loc, "quantity"),
                "ensure this value is between 1 and 1000000",
                "value_error.number.not_in_range");
  }
  if (price.value && *price.value < 0)
    found.add(loc_with(loc, "unit_price"),
              "ensure this value is greater than or equal to 0",
              "value_error.number.not_ge");
  item.unit_price = price.value;
  return item;
}

/// Reads an order body. user_id is required; total_amount too unless items
/// are given (then it defaults to Σ quantity × unit_price when every item
/// has a price). Defaults: order_date now, order_status "pending",
/// currency "USD", channel "web".
std::optional<storage::order_input> read_order(const std::string& body,
                                               issues& found) {
  auto obj = parse_object(body, found);
  if (!obj)
    return std::nullopt;
  const json loc = json::array({"body"});
  storage::order_input in;
  auto user = read_string(*obj, "user_id", loc, found);
  auto date = read_string(*obj, "order_date", loc, found);
  auto status = read_string(*obj, "order_status", loc, found);
  auto total = read_number(*obj, "total_amount", loc, found);
  auto currency = read_string(*obj, "currency", loc, found);
  auto channel = read_string(*obj, "channel", loc, found);
  auto coupon = read_string(*obj, "coupon_code", loc, found);
  auto items = read_array(*obj, "items", loc, found);
  require(user, loc, "user_id", found);
  if (user.value)
    in.user_id = *user.value;
  if (date.value) {
    in.order_date = parse_datetime(*date.value);
    if (!in.order_date)
      bad_datetime(found, loc_with(loc, "order_date"));
  }
  in.order_status = status.value.value_or("pending");
  in.currency = currency.value.value_or("USD");
  in.channel = channel.value.value_or("web");
  in.coupon_code = coupon.value;
  if (items.value) {
    auto items_loc = loc_with(loc, "items");
    for (std::size_t i = 0; i < items.value->size(); ++i)
      if (auto item =
              read_item((*items.value)[i], loc_with(items_loc, i), found))
        in.items.push_back(std::move(*item));
  }
  if (total.value) {
    in.total_amount = *total.value;
    if (in.total_amount < 0)
      found.add(loc_with(loc, "total_amount"),
                "ensure this value is greater than or equal to 0",
                "value_error.number.not_ge");
  } else {
    bool priced = !in.items.empty();
    double sum = 0;
    for (const auto& item : in.items) {
      priced = priced && item.unit_price.has_value();
      sum += item.quantity * item.unit_price.value_or(0);
    }
    if (priced)
      in.total_amount = sum;
    else
      require(total, loc, "total_amount", found);
  }
  if (!found.empty())
    return std::nullopt;
  return in;
}

http_response order_response(storage::order_record& o) {
  return json_response(200, to_json(o, true));
}

} // namespace

void add_order_routes(router& routes, caf::actor_system& sys) {
  routes.add("GET", "/api/orders/", [&sys](http_request req, responder reply) {
    issues found;
    storage::order_query query;
    query.page = read_page(req, found);
    query.user_id = query_string(req, "user_id");
    query.order_status = query_string(req, "status");
    if (auto from = query_string(req, "from")) {
      query.from = parse_datetime(*from);
      if (!query.from)
        bad_datetime(found, json::array({"query", "from"}));
    }
    if (auto to = query_string(req, "to")) {
      query.to = parse_datetime(*to);
      query.to_whole_day = parse_date(*to).has_value();
      if (!query.to)
        bad_datetime(found, json::array({"query", "to"}));
    }
    if (!found.empty())
      return reply(found.response());
    call_db<storage::page<storage::order_record>>(
        sys, db_role::read, domain::list_orders(std::move(query)),
        std::move(reply), [](storage::page<storage::order_record>& page) {
          json list = json::array();
          for (const auto& o : page.items)
            list.push_back(to_json(o, false));
          auto response = json_response(200, list);
          add_page_headers(response, page);
          return response;
        });
  });
  routes.add(
      "GET", "/api/orders/{id}", [&sys](http_request req, responder reply) {
        call_db<storage::order_record>(sys, db_role::read,
                                       domain::get_order(req.params.at("id")),
                                       std::move(reply), order_response);
      });
  routes.add("POST", "/api/orders/", [&sys](http_request req, responder reply) {
    issues found;
    auto input = read_order(req.body, found);
    if (!input)
      return reply(found.response());
    call_db<storage::order_record>(sys, db_role::write,
                                   domain::create_order(std::move(*input)),
                                   std::move(reply), order_response);
  });
}

} // namespace cdpd::net::api
