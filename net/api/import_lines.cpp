#include "net/api/import_lines.hpp"

#include <utility>
#include <vector>

#include "net/api/datetime_text.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;

constexpr std::size_t max_external_id_chars = 200;

void bad_datetime(issues& found, json loc) {
  found.add(std::move(loc), "invalid datetime format", "value_error.datetime");
}

std::optional<storage::order_item_input> read_item(const json& value,
                                                   const json& loc,
                                                   bool ids_required,
                                                   issues& found) {
  if (!value.is_object()) {
    found.add(loc, "value is not a valid dict", "type_error.dict");
    return std::nullopt;
  }
  storage::order_item_input item;
  auto product = read_string(value, "product_id", loc, found);
  auto quantity = read_int(value, "quantity", loc, found);
  auto price = read_number(value, "unit_price", loc, found);
  if (ids_required)
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

/// Characters (code points) of UTF-8 text, as pydantic counts str length.
std::size_t char_count(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xC0) != 0x80;
  return n;
}

/// Reads an external id: a string (numbers are converted) of 1 to 200
/// characters; nullopt when absent, null or invalid.
std::optional<std::string> read_external_id(const json& obj, const char* key,
                                            const json& loc, bool required,
                                            issues& found) {
  auto f = read_string(obj, key, loc, found);
  auto raw = obj.find(key);
  // A value of the wrong type is already reported.
  if (required && (raw == obj.end() || raw->is_null()))
    require(f, loc, key, found);
  if (!f.value)
    return std::nullopt;
  auto chars = char_count(*f.value);
  if (chars == 0) {
    found.add(loc_with(loc, key), "ensure this value has at least 1 characters",
              "value_error.any_str.min_length");
    return std::nullopt;
  }
  if (chars > max_external_id_chars) {
    found.add(loc_with(loc, key),
              "ensure this value has at most 200 characters",
              "value_error.any_str.max_length");
    return std::nullopt;
  }
  return f.value;
}

/// True when `obj[key]` is there and not null.
bool given(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() && !i->is_null();
}

/// Records a problem unless exactly one of two alternative members is
/// given.
void require_one_of(const json& obj, const char* first, const char* second,
                    const json& loc, issues& found) {
  bool has_first = given(obj, first);
  bool has_second = given(obj, second);
  if (has_first && has_second)
    found.add(loc_with(loc, second),
              std::string{"give either "} + first + " or " + second +
                  ", not both",
              "value_error");
  else if (!has_first && !has_second)
    found.add(loc_with(loc, first),
              std::string{"field required (or give "} + second + ")",
              "value_error.missing");
}

/// "items[0].quantity" for the loc ["items", 0, "quantity"].
std::string loc_text(const json& loc) {
  std::string out;
  for (const auto& part : loc) {
    if (part.is_number()) {
      out += "[" + part.dump() + "]";
      continue;
    }
    if (!out.empty())
      out += '.';
    out += part.is_string() ? part.get<std::string>() : part.dump();
  }
  return out;
}

line_error to_line_error(const issues& found) {
  // issues keeps its list private; its 422 body lists every entry in order.
  auto detail = json::parse(found.response().body).at("detail");
  std::string message;
  for (const auto& entry : detail) {
    if (!message.empty())
      message += "; ";
    auto where = loc_text(entry.at("loc"));
    if (!where.empty())
      message += where + ": ";
    message += entry.at("msg").get<std::string>();
  }
  return {message};
}

/// The line as a JSON object, or the error for it.
std::variant<json, line_error> parse_line(std::string_view line) {
  if (is_blank_line(line))
    return line_error{"field required"};
  json value;
  try {
    value = parse_json(line);
  } catch (const json_too_deep&) {
    return line_error{"JSON nested deeper than " +
                      std::to_string(max_json_depth) + " levels"};
  } catch (const json_has_nul&) {
    return line_error{"strings must not contain NUL (\\u0000)"};
  } catch (const json::exception& e) {
    // parse_error, or out_of_range for a number beyond double (1e999).
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at ..." -> "parse error
    // at ...": the bracketed id means nothing to the sender.
    if (auto end = what.find("] ");
        what.rfind("[json.", 0) == 0 && end != std::string::npos)
      what.erase(0, end + 2);
    return line_error{"invalid JSON: " + what};
  }
  if (!value.is_object())
    return line_error{"value is not a valid dict"};
  return value;
}

} // namespace

bool is_blank_line(std::string_view line) {
  return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::optional<storage::customer_fields> read_customer_object(const json& obj,
                                                             const json& loc,
                                                             bool create,
                                                             issues& found) {
  storage::customer_fields out;
  auto email = read_string(obj, "email", loc, found);
  auto first = read_string(obj, "first_name", loc, found);
  auto last = read_string(obj, "last_name", loc, found);
  auto opt_in = read_bool(obj, "marketing_opt_in", loc, found);
  if (create) {
    require(email, loc, "email", found);
    require(first, loc, "first_name", found);
    require(last, loc, "last_name", found);
  }
  // Null for a NOT NULL column means "leave it" on update.
  out.email = email.value;
  out.first_name = first.value;
  out.last_name = last.value;
  out.marketing_opt_in = opt_in.value;
  for (auto [key, target] :
       {std::pair{"phone", &out.phone},
        std::pair{"shipping_state", &out.shipping_state},
        std::pair{"shipping_country", &out.shipping_country}}) {
    auto f = read_string(obj, key, loc, found);
    if (f.present && (f.value || f.is_null()))
      *target = f.value;
  }
  if (!found.empty())
    return std::nullopt;
  return out;
}

std::optional<storage::order_input> read_order_object(const json& obj,
                                                      const json& loc,
                                                      bool ids_required,
                                                      issues& found) {
  storage::order_input in;
  auto user = read_string(obj, "user_id", loc, found);
  auto date = read_string(obj, "order_date", loc, found);
  auto status = read_string(obj, "order_status", loc, found);
  auto total = read_number(obj, "total_amount", loc, found);
  auto currency = read_string(obj, "currency", loc, found);
  auto channel = read_string(obj, "channel", loc, found);
  auto coupon = read_string(obj, "coupon_code", loc, found);
  auto items = read_array(obj, "items", loc, found);
  if (ids_required)
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
      if (auto item = read_item((*items.value)[i], loc_with(items_loc, i),
                                ids_required, found))
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

std::variant<storage::customer_import_row, line_error>
parse_customer_line(std::string_view line) {
  auto parsed = parse_line(line);
  if (auto* error = std::get_if<line_error>(&parsed))
    return std::move(*error);
  const auto& obj = std::get<json>(parsed);
  const json loc = json::array();
  issues found;
  auto external_id = read_external_id(obj, "external_id", loc, true, found);
  auto fields = read_customer_object(obj, loc, true, found);
  if (!found.empty())
    return to_line_error(found);
  return storage::customer_import_row{std::move(*external_id),
                                      std::move(*fields)};
}

std::variant<storage::order_import_row, line_error>
parse_order_line(std::string_view line) {
  auto parsed = parse_line(line);
  if (auto* error = std::get_if<line_error>(&parsed))
    return std::move(*error);
  const auto& obj = std::get<json>(parsed);
  const json loc = json::array();
  issues found;
  auto external_id = read_external_id(obj, "external_id", loc, true, found);
  auto customer =
      read_external_id(obj, "customer_external_id", loc, false, found);
  auto input = read_order_object(obj, loc, false, found);
  require_one_of(obj, "customer_external_id", "user_id", loc, found);
  std::vector<std::string> products; // product_external_id per item
  if (auto items = obj.find("items"); items != obj.end() && items->is_array()) {
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      if (!item.is_object())
        continue; // reported by read_order_object
      auto item_loc = loc_with(loc_with(loc, "items"), i);
      products.push_back(
          read_external_id(item, "product_external_id", item_loc, false, found)
              .value_or(""));
      require_one_of(item, "product_external_id", "product_id", item_loc,
                     found);
    }
  }
  if (!found.empty() || !input)
    return to_line_error(found);
  storage::order_import_row row;
  row.external_id = std::move(*external_id);
  row.customer_external_id = customer.value_or("");
  row.customer_id = std::move(input->user_id);
  row.order_date = std::move(input->order_date);
  row.order_status = std::move(input->order_status);
  row.total_amount = input->total_amount;
  row.currency = std::move(input->currency);
  row.channel = std::move(input->channel);
  row.coupon_code = std::move(input->coupon_code);
  for (std::size_t i = 0; i < input->items.size(); ++i) {
    auto& item = input->items[i];
    row.items.push_back({std::move(products[i]), std::move(item.product_id),
                         item.quantity, item.unit_price});
  }
  return row;
}

} // namespace cdpd::net::api
