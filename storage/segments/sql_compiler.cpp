#include "storage/segments/sql_compiler.hpp"

#include <algorithm>

#include "storage/segments/values.hpp"

namespace cdpd::storage::segments {

namespace {

using json = nlohmann::json;
using expr = std::optional<std::string>; // nullopt: the node adds no result

class compiler {
public:
  explicit compiler(timestamp now) : now_(now) {}

  std::vector<std::optional<std::string>> params;

  std::string bind(std::string value, const char* cast) {
    params.emplace_back(std::move(value));
    return "$" + std::to_string(params.size()) + cast;
  }

  std::string now_param() {
    if (!now_sql_)
      now_sql_ = bind(to_sql_text(now_), "::timestamp");
    return *now_sql_;
  }

  // The whitelist: the only place a field becomes SQL.
  std::string column(field f) {
    switch (f) {
    case field::email:
      return "c.email";
    case field::phone:
      return "c.phone";
    case field::first_name:
      return "c.first_name";
    case field::last_name:
      return "c.last_name";
    case field::marketing_opt_in:
      return "c.marketing_opt_in";
    case field::shipping_state:
      return "c.shipping_state";
    case field::shipping_country:
      return "c.shipping_country";
    case field::total_order_value:
      return "c.total_order_value";
    case field::order_count:
      return "c.order_count";
    case field::last_order_date:
      return "c.last_order_date";
    case field::created_at:
      return "c.created_at";
    case field::days_since_last_order:
      return "COALESCE(floor(extract(epoch FROM (" + now_param() +
             " - c.last_order_date)) / 86400), 999999)";
    case field::lifetime_value:
      return "(SELECT COALESCE(sum(o.total_amount), 0) FROM orders o "
             "WHERE o.customer_id = c.id)";
    case field::average_order_value:
      return "(SELECT avg(o.total_amount) FROM orders o "
             "WHERE o.customer_id = c.id)";
    }
    return "NULL";
  }

  std::string compile_root(const group& root) {
    auto e = compile_group(root);
    return e ? *e : "FALSE";
  }

private:
  timestamp now_;
  std::optional<std::string> now_sql_;

  expr compile_node(const node& n) {
    if (const auto* g = std::get_if<group>(&n.item))
      return compile_group(*g);
    // PostgreSQL rejects parameters that no expression references, so a
    // leaf that turns out FALSE takes back whatever it bound.
    auto mark = params.size();
    auto saved_now = now_sql_;
    auto e = std::holds_alternative<condition>(n.item)
                 ? compile_condition(std::get<condition>(n.item))
                 : compile_event(std::get<event_condition>(n.item));
    if (e && *e == "FALSE") {
      params.resize(mark);
      now_sql_ = saved_now;
    }
    return e;
  }

  // Criteria that give no result are left out; a group without any result
  // gives none itself ("no results -> no match" at the top).
  expr compile_group(const group& g) {
    std::vector<std::string> parts;
    for (const auto& n : g.criteria)
      if (auto e = compile_node(n))
        parts.push_back(std::move(*e));
    if (parts.empty())
      return std::nullopt;
    std::string joined;
    const char* sep = g.how == logic::all_of ? " AND " : " OR ";
    for (const auto& p : parts) {
      if (!joined.empty())
        joined += sep;
      joined += p;
    }
    if (g.how == logic::none_of)
      return "(NOT (" + joined + "))";
    return "(" + joined + ")";
  }

  // A value converted to its field's type, bound only where a comparison
  // uses it (PostgreSQL rejects parameters that no expression references).
  struct typed {
    std::string text;                   // the value, or a day's start
    const char* cast = "";              // "::numeric", "::text", ...
    std::optional<std::string> day_end; // a date-only value's next midnight
  };

  static std::optional<typed> typed_value(field_type type, const json& value) {
    switch (type) {
    case field_type::number:
      if (auto text = number_text(value))
        return typed{*text, "::numeric", std::nullopt};
      return std::nullopt;
    case field_type::string:
      if (value.is_string())
        return typed{value.get<std::string>(), "::text", std::nullopt};
      return std::nullopt;
    case field_type::boolean:
      if (value.is_boolean())
        return typed{value.get<bool>() ? "true" : "false", "::boolean",
                     std::nullopt};
      return std::nullopt;
    case field_type::date:
      if (!value.is_string())
        return std::nullopt;
      if (auto d = parse_date_value(value.get<std::string>())) {
        typed t{to_sql_text(d->start), "::timestamp", std::nullopt};
        if (d->day_end)
          t.day_end = to_sql_text(*d->day_end);
        return t;
      }
      return std::nullopt;
    }
    return std::nullopt;
  }

  static std::string ordered(const std::string& col, field_type type) {
    // Python's ordering of str is by code point, which is byte order in
    // UTF-8: the "C" collation.
    return type == field_type::string ? col + " COLLATE \"C\"" : col;
  }

  // A comparison of a column with a value; a date-only value compares by
  // whole days.
  std::string compare(op o, const std::string& col, field_type type,
                      const typed& v) {
    if (v.day_end) {
      switch (o) {
      case op::eq: {
        auto start = bind(v.text, v.cast);
        auto end = bind(*v.day_end, v.cast);
        return "(" + col + " >= " + start + " AND " + col + " < " + end + ")";
      }
      case op::gt:
        return col + " >= " + bind(*v.day_end, v.cast);
      case op::lte:
        return col + " < " + bind(*v.day_end, v.cast);
      default:
        break;
      }
    }
    auto lhs = ordered(col, type);
    switch (o) {
    case op::eq:
      return col + " = " + bind(v.text, v.cast);
    case op::gt:
      return lhs + " > " + bind(v.text, v.cast);
    case op::gte:
      return lhs + " >= " + bind(v.text, v.cast);
    case op::lt:
      return lhs + " < " + bind(v.text, v.cast);
    case op::lte:
      return lhs + " <= " + bind(v.text, v.cast);
    default:
      return "FALSE";
    }
  }

  static std::string never_null(const std::string& e) {
    return "COALESCE(" + e + ", FALSE)";
  }

  expr compile_condition(const condition& c) {
    auto type = type_of(c.field);
    auto col = column(c.field);
    switch (c.oper) {
    case op::exists:
      if (type == field_type::string)
        return "(" + col + " IS NOT NULL AND " + col + " <> '')";
      return "(" + col + " IS NOT NULL)";
    case op::missing:
      if (type == field_type::string)
        return "(" + col + " IS NULL OR " + col + " = '')";
      return "(" + col + " IS NULL)";
    default:
      break;
    }
    if (type == field_type::date && c.value.is_string()) {
      if (auto n = parse_relative_days(c.value.get<std::string>()))
        return relative(c.oper, col, *n);
    }
    switch (c.oper) {
    case op::eq:
    case op::gt:
    case op::gte:
    case op::lt:
    case op::lte: {
      auto v = typed_value(type, c.value);
      if (!v)
        return "FALSE";
      return never_null(compare(c.oper, col, type, *v));
    }
    case op::neq: {
      auto v = typed_value(type, c.value);
      if (!v)
        return "FALSE";
      return never_null("NOT (" + compare(op::eq, col, type, *v) + ")");
    }
    case op::between: {
      auto lo = typed_value(type, c.value[0]);
      auto hi = typed_value(type, c.value[1]);
      if (!lo || !hi)
        return "FALSE";
      auto low = compare(op::gte, col, type, *lo);
      auto high = compare(op::lte, col, type, *hi);
      return never_null("(" + low + " AND " + high + ")");
    }
    case op::in:
    case op::not_in: {
      std::string any;
      for (const auto& item : c.value) {
        if (auto v = typed_value(type, item)) {
          if (!any.empty())
            any += " OR ";
          any += compare(op::eq, col, type, *v);
        }
      }
      if (c.oper == op::in)
        return any.empty() ? "FALSE" : never_null("(" + any + ")");
      if (any.empty())
        return "(" + col + " IS NOT NULL)";
      return never_null("NOT (" + any + ")");
    }
    case op::contains:
    case op::not_contains:
    case op::starts_with:
    case op::ends_with:
      return text_match(c.oper, col, c.value);
    case op::within_last_days:
    case op::not_within_last_days: {
      auto n = number_text(c.value);
      if (!n || c.value.get<double>() < 0)
        return "FALSE";
      auto cutoff = bind(to_sql_text(days_before(now_, c.value.get<double>())),
                         "::timestamp");
      if (c.oper == op::within_last_days)
        return never_null(col + " >= " + cutoff);
      return "(" + col + " IS NULL OR " + col + " < " + cutoff + ")";
    }
    default:
      return "FALSE";
    }
  }

  // "relative_N" as the prototype reads it: a null date is the minimum
  // date, lt means "within N days", gt "older or never", and any other
  // operator gives no result.
  expr relative(op o, const std::string& col, int n) {
    if (o != op::lt && o != op::gt)
      return std::nullopt;
    auto cutoff = bind(to_sql_text(days_before(now_, n)), "::timestamp");
    if (o == op::lt)
      return never_null(col + " > " + cutoff);
    return "(" + col + " IS NULL OR " + col + " < " + cutoff + ")";
  }

  // Case-insensitive substring tests without LIKE, so % _ and \ in the
  // value are ordinary characters.
  expr text_match(op o, const std::string& col, const json& value) {
    if (!value.is_string())
      return "FALSE";
    auto v = bind(value.get<std::string>(), "::text");
    auto lc = "lower(" + col + ")";
    auto lv = "lower(" + v + ")";
    switch (o) {
    case op::contains:
      return never_null("strpos(" + lc + ", " + lv + ") > 0");
    case op::not_contains:
      return never_null("strpos(" + lc + ", " + lv + ") = 0");
    case op::starts_with:
      return never_null("starts_with(" + lc + ", " + lv + ")");
    case op::ends_with:
      return never_null("right(" + lc + ", char_length(" + v + ")) = " + lv);
    default:
      return "FALSE";
    }
  }

  std::string any_of(const std::string& col,
                     const std::vector<std::string>& values, const char* cast,
                     bool uuids) {
    std::string list;
    for (const auto& v : values) {
      if (uuids && !is_uuid(v))
        continue; // cannot name a product: matches nothing
      if (!list.empty())
        list += ", ";
      list += bind(v, cast);
    }
    if (list.empty())
      return "FALSE";
    return col + " IN (" + list + ")";
  }

  expr compile_event(const event_condition& ev) {
    // The compared value is checked first: nothing may be bound for an
    // expression that ends up FALSE.
    std::optional<std::string> lo, hi;
    if (ev.oper == op::between) {
      lo = number_text(ev.value[0]);
      hi = number_text(ev.value[1]);
    } else {
      lo = number_text(ev.value);
    }
    if (!lo || (ev.oper == op::between && !hi))
      return "FALSE";
    std::string where = "o.customer_id = c.id";
    if (!ev.where.statuses.empty())
      where += " AND " +
               any_of("o.order_status", ev.where.statuses, "::text", false);
    if (!ev.where.channels.empty())
      where +=
          " AND " + any_of("o.channel", ev.where.channels, "::text", false);
    if (ev.within_last_days)
      where += " AND o.order_date >= " +
               bind(to_sql_text(days_before(now_, *ev.within_last_days)),
                    "::timestamp");
    if (!ev.where.categories.empty() || !ev.where.product_ids.empty()) {
      std::string items = "oi.order_id = o.id";
      if (!ev.where.categories.empty())
        items += " AND " +
                 any_of("p.category", ev.where.categories, "::text", false);
      if (!ev.where.product_ids.empty())
        items += " AND " +
                 any_of("oi.product_id", ev.where.product_ids, "::uuid", true);
      where += " AND EXISTS (SELECT 1 FROM order_items oi JOIN products p ON "
               "p.id = oi.product_id WHERE " +
               items + ")";
    }
    auto agg = ev.aggregate == aggregate::count
                   ? std::string{"count(*)"}
                   : std::string{"COALESCE(sum(o.total_amount), 0)"};
    auto sub = "(SELECT " + agg + " FROM orders o WHERE " + where + ")";
    if (ev.oper == op::between) {
      auto low = bind(*lo, "::numeric");
      auto high = bind(*hi, "::numeric");
      return never_null("(" + sub + " BETWEEN " + low + " AND " + high + ")");
    }
    const char* sym = "=";
    switch (ev.oper) {
    case op::neq:
      sym = "<>";
      break;
    case op::gt:
      sym = ">";
      break;
    case op::gte:
      sym = ">=";
      break;
    case op::lt:
      sym = "<";
      break;
    case op::lte:
      sym = "<=";
      break;
    default:
      break;
    }
    return never_null(sub + " " + sym + " " + bind(*lo, "::numeric"));
  }
};

constexpr const char* member_columns =
    "c.id::text, c.email, c.phone, c.first_name, c.last_name, "
    "c.marketing_opt_in, c.shipping_state, c.shipping_country, "
    "c.total_order_value::float8, c.order_count, "
    "(extract(epoch FROM c.last_order_date) * 1000000)::bigint, "
    "(extract(epoch FROM c.created_at) * 1000000)::bigint";

compiled_query paged(const segment_definition& def,
                     std::chrono::system_clock::time_point now, page p,
                     const char* columns) {
  auto q = compile_where(def, now);
  q.params.emplace_back(std::to_string(std::max<std::int64_t>(p.limit, 0)));
  auto limit = "$" + std::to_string(q.params.size()) + "::bigint";
  q.params.emplace_back(std::to_string(std::max<std::int64_t>(p.offset, 0)));
  auto offset = "$" + std::to_string(q.params.size()) + "::bigint";
  q.sql = std::string{"SELECT "} + columns + " FROM customers c WHERE " +
          q.sql + " ORDER BY c.created_at, c.id LIMIT " + limit + " OFFSET " +
          offset;
  return q;
}

} // namespace

compiled_query compile_where(const segment_definition& def,
                             std::chrono::system_clock::time_point now) {
  compiler comp{to_timestamp(now)};
  auto sql = comp.compile_root(def.root);
  return {std::move(sql), std::move(comp.params)};
}

compiled_query count_query(const segment_definition& def,
                           std::chrono::system_clock::time_point now) {
  auto q = compile_where(def, now);
  q.sql = "SELECT count(*) FROM customers c WHERE " + q.sql;
  return q;
}

compiled_query member_ids_query(const segment_definition& def,
                                std::chrono::system_clock::time_point now,
                                page p) {
  return paged(def, now, p, "c.id::text");
}

compiled_query members_query(const segment_definition& def,
                             std::chrono::system_clock::time_point now,
                             page p) {
  return paged(def, now, p, member_columns);
}

compiled_query members_by_id_query(std::string id_array) {
  return {std::string{"SELECT "} + member_columns +
              " FROM customers c WHERE c.id = ANY($1::uuid[])",
          {std::move(id_array)}};
}

} // namespace cdpd::storage::segments
