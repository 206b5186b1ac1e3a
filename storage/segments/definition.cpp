#include "storage/segments/definition.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace cdpd::storage::segments {

namespace {

using json = nlohmann::json;

struct field_info {
  field id;
  std::string_view name;
  field_type type;
  bool column;
};

constexpr std::array<field_info, 14> fields{{
    {field::email, "email", field_type::string, true},
    {field::phone, "phone", field_type::string, true},
    {field::first_name, "first_name", field_type::string, true},
    {field::last_name, "last_name", field_type::string, true},
    {field::marketing_opt_in, "marketing_opt_in", field_type::boolean, true},
    {field::shipping_state, "shipping_state", field_type::string, true},
    {field::shipping_country, "shipping_country", field_type::string, true},
    {field::total_order_value, "total_order_value", field_type::number, true},
    {field::order_count, "order_count", field_type::number, true},
    {field::last_order_date, "last_order_date", field_type::date, true},
    {field::created_at, "created_at", field_type::date, true},
    {field::days_since_last_order, "days_since_last_order", field_type::number,
     false},
    {field::lifetime_value, "lifetime_value", field_type::number, false},
    {field::average_order_value, "average_order_value", field_type::number,
     false},
}};

constexpr std::array<std::pair<op, std::string_view>, 17> operators{{
    {op::eq, "eq"},
    {op::neq, "neq"},
    {op::gt, "gt"},
    {op::gte, "gte"},
    {op::lt, "lt"},
    {op::lte, "lte"},
    {op::between, "between"},
    {op::in, "in"},
    {op::not_in, "not_in"},
    {op::contains, "contains"},
    {op::not_contains, "not_contains"},
    {op::starts_with, "starts_with"},
    {op::ends_with, "ends_with"},
    {op::exists, "exists"},
    {op::missing, "missing"},
    {op::within_last_days, "within_last_days"},
    {op::not_within_last_days, "not_within_last_days"},
}};

constexpr std::array<op, 7> event_operators{
    op::eq, op::neq, op::gt, op::gte, op::lt, op::lte, op::between};

bool applies(op o, field_type type) {
  switch (o) {
  case op::eq:
  case op::neq:
  case op::in:
  case op::not_in:
  case op::exists:
  case op::missing:
    return true;
  case op::gt:
  case op::gte:
  case op::lt:
  case op::lte:
  case op::between:
    return type != field_type::boolean;
  case op::contains:
  case op::not_contains:
  case op::starts_with:
  case op::ends_with:
    return type == field_type::string;
  case op::within_last_days:
  case op::not_within_last_days:
    return type == field_type::date;
  }
  return false;
}

std::string_view type_name(field_type type) {
  switch (type) {
  case field_type::string:
    return "string";
  case field_type::number:
    return "number";
  case field_type::boolean:
    return "boolean";
  case field_type::date:
    return "date";
  }
  return "unknown";
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty())
      out += ", ";
    out += n;
  }
  return out;
}

std::string quoted(const json& value) {
  if (value.is_string())
    return json(value.get<std::string>()).dump();
  return value.dump();
}

std::string all_operator_names() {
  std::vector<std::string_view> names;
  for (const auto& [o, n] : operators)
    names.push_back(n);
  return join(names);
}

std::string operator_names_for(field_type type) {
  std::vector<std::string_view> names;
  for (const auto& [o, n] : operators)
    if (applies(o, type))
      names.push_back(n);
  return join(names);
}

std::string all_field_names() {
  std::vector<std::string_view> names;
  for (const auto& f : fields)
    names.push_back(f.name);
  return join(names);
}

std::string at(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

std::string index(const std::string& path, std::string_view key, size_t i) {
  return at(path, key) + "[" + std::to_string(i) + "]";
}

// Keys a client may send next to the criteria: the AI builder returns an
// explanation (and an error on failure) together with its criteria.
bool is_ignored_top_level_key(std::string_view key) {
  return key == "logical_operator" || key == "criteria" ||
         key == "explanation" || key == "error";
}

class parser {
public:
  std::vector<definition_error> errors;

  void fail(std::string path, std::string message) {
    errors.push_back({std::move(path), std::move(message)});
  }

  std::optional<logic> parse_logic(const json& obj, const std::string& path) {
    auto it = obj.find("logical_operator");
    if (it == obj.end() || it->is_null())
      return logic::all_of;
    auto where = at(path, "logical_operator");
    if (!it->is_string()) {
      fail(where, "expected one of AND, OR, NOT, got " + it->dump());
      return std::nullopt;
    }
    auto text = it->get<std::string>();
    std::string upper;
    for (char ch : text)
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == "AND")
      return logic::all_of;
    if (upper == "OR")
      return logic::any_of;
    if (upper == "NOT")
      return logic::none_of;
    fail(where, quoted(*it) + " is not a logical operator; expected one of "
                              "AND, OR, NOT");
    return std::nullopt;
  }

  std::optional<op> parse_op(const json& obj, const std::string& path) {
    auto it = obj.find("operator");
    auto where = at(path, "operator");
    if (it == obj.end()) {
      fail(where, "missing; expected one of " + all_operator_names());
      return std::nullopt;
    }
    if (!it->is_string()) {
      fail(where, it->dump() + " is not an operator; expected one of " +
                      all_operator_names());
      return std::nullopt;
    }
    auto o = op_from_name(it->get<std::string>());
    if (!o)
      fail(where, quoted(*it) + " is not an operator; expected one of " +
                      all_operator_names());
    return o;
  }

  // Shape rules for a value: between needs a pair, in/not_in an array,
  // exists/missing nothing, every other operator some value (any JSON type:
  // a type that cannot match is a non-match, not an error).
  bool check_value(op o, const json* value, const std::string& where) {
    switch (o) {
    case op::exists:
    case op::missing:
      return true;
    case op::between:
      if (!value || !value->is_array() || value->size() != 2) {
        fail(where, "between needs an array [low, high], got " +
                        (value ? value->dump() : std::string{"nothing"}));
        return false;
      }
      return true;
    case op::in:
    case op::not_in:
      if (!value || !value->is_array()) {
        fail(where, std::string{name(o)} + " needs an array of values, got " +
                        (value ? value->dump() : std::string{"nothing"}));
        return false;
      }
      return true;
    default:
      if (!value) {
        fail(where,
             "missing; operator " + std::string{name(o)} + " needs a value");
        return false;
      }
      return true;
    }
  }

  std::optional<condition> leaf(field f, op o, const json* value,
                                const std::string& path,
                                const std::string& op_path,
                                const std::string& value_path) {
    if (!applies(o, type_of(f))) {
      fail(op_path, std::string{name(o)} + " does not apply to " +
                        std::string{type_name(type_of(f))} + " field " +
                        std::string{name(f)} + "; expected one of " +
                        operator_names_for(type_of(f)));
      return std::nullopt;
    }
    if (!check_value(o, value, value_path))
      return std::nullopt;
    return condition{f, o, value ? *value : json{}, path};
  }

  std::optional<node> parse_condition(const json& obj,
                                      const std::string& path) {
    std::optional<field> f;
    auto it = obj.find("field");
    auto field_path = at(path, "field");
    if (it == obj.end())
      fail(field_path, "missing; expected one of " + all_field_names() +
                           " (or \"event\" or \"criteria\")");
    else if (!it->is_string() || !(f = field_from_name(it->get<std::string>())))
      fail(field_path, quoted(*it) + " is not a field; expected one of " +
                           all_field_names());
    auto o = parse_op(obj, path);
    if (!f || !o)
      return std::nullopt;
    auto v = obj.find("value");
    auto c = leaf(*f, *o, v == obj.end() ? nullptr : &*v, path,
                  at(path, "operator"), at(path, "value"));
    if (!c)
      return std::nullopt;
    return node{std::move(*c)};
  }

  bool parse_strings(const json& obj, std::string_view key,
                     const std::string& path, std::vector<std::string>& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
      return true;
    auto where = at(path, key);
    if (it->is_string()) {
      out.push_back(it->get<std::string>());
      return true;
    }
    if (it->is_array() && !it->empty() &&
        std::all_of(it->begin(), it->end(),
                    [](const json& j) { return j.is_string(); })) {
      for (const auto& j : *it)
        out.push_back(j.get<std::string>());
      return true;
    }
    fail(where, "expected a string or a non-empty array of strings, got " +
                    it->dump());
    return false;
  }

  std::optional<node> parse_event(const json& obj, const std::string& path) {
    bool ok = true;
    event_condition ev;
    ev.path = path;
    const auto& kind = obj["event"];
    if (!kind.is_string() || kind.get<std::string>() != "order") {
      fail(at(path, "event"),
           quoted(kind) + " is not an event; expected order");
      ok = false;
    }
    if (auto it = obj.find("aggregate"); it != obj.end() && !it->is_null()) {
      if (it->is_string() && it->get<std::string>() == "count") {
        ev.aggregate = aggregate::count;
      } else if (it->is_string() && it->get<std::string>() == "sum") {
        ev.aggregate = aggregate::sum;
      } else {
        fail(at(path, "aggregate"),
             quoted(*it) + " is not an aggregate; expected one of count, sum");
        ok = false;
      }
    }
    if (auto it = obj.find("where"); it != obj.end() && !it->is_null()) {
      auto where_path = at(path, "where");
      if (!it->is_object()) {
        fail(where_path, "expected an object, got " + it->dump());
        ok = false;
      } else {
        for (const auto& [key, val] : it->items()) {
          if (key != "status" && key != "channel" && key != "category" &&
              key != "product_id") {
            fail(at(where_path, key),
                 "is not an order filter; expected one of status, channel, "
                 "category, product_id");
            ok = false;
          }
        }
        ok &= parse_strings(*it, "status", where_path, ev.where.statuses);
        ok &= parse_strings(*it, "channel", where_path, ev.where.channels);
        ok &= parse_strings(*it, "category", where_path, ev.where.categories);
        ok &=
            parse_strings(*it, "product_id", where_path, ev.where.product_ids);
      }
    }
    if (auto it = obj.find("within_last_days");
        it != obj.end() && !it->is_null()) {
      if (it->is_number() && it->get<double>() >= 0) {
        ev.within_last_days = it->get<double>();
      } else {
        fail(at(path, "within_last_days"),
             "expected a number of days >= 0, got " + it->dump());
        ok = false;
      }
    }
    auto o = parse_op(obj, path);
    if (o && std::find(event_operators.begin(), event_operators.end(), *o) ==
                 event_operators.end()) {
      fail(at(path, "operator"),
           std::string{name(*o)} +
               " does not apply to an event condition; expected one of eq, "
               "neq, gt, gte, lt, lte, between");
      o.reset();
    }
    if (!o)
      return std::nullopt;
    ev.oper = *o;
    auto v = obj.find("value");
    if (!check_value(*o, v == obj.end() ? nullptr : &*v, at(path, "value")) ||
        !ok)
      return std::nullopt;
    ev.value = *v;
    return node{std::move(ev)};
  }

  std::optional<node> parse_criterion(const json& item, const std::string& path,
                                      int depth) {
    if (!item.is_object()) {
      fail(path, "expected an object {field, operator, value}, a group "
                 "{logical_operator, criteria} or an event condition, got " +
                     item.dump());
      return std::nullopt;
    }
    if (item.contains("criteria")) {
      auto g = parse_group(item, path, depth + 1);
      if (!g)
        return std::nullopt;
      return node{std::move(*g)};
    }
    if (item.contains("event"))
      return parse_event(item, path);
    return parse_condition(item, path);
  }

  std::optional<group> parse_group(const json& obj, const std::string& path,
                                   int depth) {
    // Deep enough for any real definition, shallow enough that a hostile
    // one cannot exhaust the stack of either back end.
    constexpr int max_depth = 32;
    if (depth > max_depth) {
      fail(path,
           "groups nest deeper than " + std::to_string(max_depth) + " levels");
      return std::nullopt;
    }
    auto how = parse_logic(obj, path);
    const auto& list = obj["criteria"];
    auto list_path = at(path, "criteria");
    if (!list.is_array() && !list.is_null()) {
      fail(list_path, "expected an array of criteria, got " + list.dump());
      return std::nullopt;
    }
    group g;
    g.path = path;
    auto before = errors.size();
    if (list.is_array()) {
      for (size_t i = 0; i < list.size(); ++i) {
        if (auto n =
                parse_criterion(list[i], index(path, "criteria", i), depth))
          g.criteria.push_back(std::move(*n));
      }
    }
    if (!how || errors.size() != before)
      return std::nullopt;
    g.how = *how;
    return g;
  }

  std::optional<group> parse_legacy(const json& obj) {
    auto how = parse_logic(obj, "");
    group g;
    auto before = errors.size();
    for (const auto& [key, ops] : obj.items()) {
      if (is_ignored_top_level_key(key))
        continue;
      auto f = field_from_name(key);
      if (!f) {
        fail(key, "is not a field; expected one of " + all_field_names());
        continue;
      }
      if (!ops.is_object()) {
        fail(key,
             "expected an object {operator: value, ...}, got " + ops.dump());
        continue;
      }
      for (const auto& [op_name, value] : ops.items()) {
        auto op_path = at(key, op_name);
        auto o = op_from_name(op_name);
        if (!o) {
          fail(op_path, json(op_name).dump() +
                            " is not an operator; expected one of " +
                            all_operator_names());
          continue;
        }
        if (auto c = leaf(*f, *o, &value, key, op_path, op_path))
          g.criteria.push_back(node{std::move(*c)});
      }
    }
    if (!how || errors.size() != before)
      return std::nullopt;
    g.how = *how;
    return g;
  }
};

void first_extra(const group& g, std::optional<field>& out) {
  for (const auto& n : g.criteria) {
    if (out)
      return;
    if (const auto* c = std::get_if<condition>(&n.item)) {
      if (is_customer_column(c->field) && c->field != field::email &&
          c->field != field::first_name && c->field != field::last_name)
        out = c->field;
    } else if (const auto* sub = std::get_if<group>(&n.item)) {
      first_extra(*sub, out);
    }
  }
}

} // namespace

std::string to_string(const definition_error& err) {
  if (err.path.empty())
    return err.message;
  return err.path + ": " + err.message;
}

parse_result parse_definition(const nlohmann::json& definition) {
  parse_result result;
  if (definition.is_null()) {
    result.definition = segment_definition{};
    return result;
  }
  if (!definition.is_object()) {
    result.errors.push_back(
        {"", "a segment definition must be a JSON object, got " +
                 definition.dump()});
    return result;
  }
  parser p;
  segment_definition def;
  auto criteria = definition.find("criteria");
  bool has_criteria = criteria != definition.end() &&
                      !(criteria->is_array() && criteria->empty()) &&
                      !criteria->is_null();
  std::optional<group> root;
  if (has_criteria) {
    def.format = definition_format::criteria;
    root = p.parse_group(definition, "", 0);
  } else {
    root = p.parse_legacy(definition);
    def.format = root && !root->criteria.empty() ? definition_format::legacy
                                                 : definition_format::empty;
  }
  if (!p.errors.empty() || !root) {
    result.errors = std::move(p.errors);
    return result;
  }
  def.root = std::move(*root);
  result.definition = std::move(def);
  return result;
}

std::string_view name(field f) noexcept {
  for (const auto& info : fields)
    if (info.id == f)
      return info.name;
  return "unknown";
}

std::optional<field> field_from_name(std::string_view text) noexcept {
  for (const auto& info : fields)
    if (info.name == text)
      return info.id;
  return std::nullopt;
}

field_type type_of(field f) noexcept {
  for (const auto& info : fields)
    if (info.id == f)
      return info.type;
  return field_type::string;
}

bool is_customer_column(field f) noexcept {
  for (const auto& info : fields)
    if (info.id == f)
      return info.column;
  return false;
}

std::string_view name(op o) noexcept {
  for (const auto& [id, text] : operators)
    if (id == o)
      return text;
  return "unknown";
}

std::optional<op> op_from_name(std::string_view text) noexcept {
  for (const auto& [id, n] : operators)
    if (n == text)
      return id;
  return std::nullopt;
}

std::optional<field> first_extra_column(const segment_definition& def) {
  std::optional<field> out;
  if (def.format == definition_format::criteria)
    first_extra(def.root, out);
  return out;
}

} // namespace cdpd::storage::segments
