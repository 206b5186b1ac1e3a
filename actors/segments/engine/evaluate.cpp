#include "actors/segments/engine/evaluate.hpp"

#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "actors/segments/engine/exact_number.hpp"
#include "storage/errc.hpp"
#include "storage/segments/values.hpp"

namespace cdpd::actors::segments::engine {

// The kernels speak the definition's vocabulary (fields, operators, values)
// throughout.
using namespace storage::segments;
using storage::errc;

namespace {

using json = nlohmann::json;
using result = caf::expected<std::optional<row_bitset>>; // nullopt: no result

constexpr int max_scale = 30;

caf::error unsupported(const std::string& path, const std::string& what) {
  return make_error(errc::invalid_argument,
                    "not evaluated in memory at " +
                        (path.empty() ? std::string{"top level"} : path) +
                        ": " + what);
}

// A number value placed at every scale a column can have.
struct number_value {
  std::array<scaled_threshold, max_scale + 1> at;
};

struct date_value_us {
  std::int64_t start = 0;
  std::optional<std::int64_t> end; // a date-only value's next midnight
};

std::int64_t micros(timestamp t) {
  return t.time_since_epoch().count();
}

std::optional<number_value> read_number(const json& v) {
  auto text = number_text(v);
  if (!text)
    return std::nullopt;
  number_value out;
  for (int s = 0; s <= max_scale; ++s) {
    auto t = threshold_at(*text, s);
    if (!t)
      return std::nullopt;
    out.at[static_cast<std::size_t>(s)] = *t;
  }
  return out;
}

std::optional<date_value_us> read_date(const json& v) {
  if (!v.is_string())
    return std::nullopt;
  auto d = parse_date_value(v.get<std::string>());
  if (!d)
    return std::nullopt;
  date_value_us out{micros(d->start), std::nullopt};
  if (d->day_end)
    out.end = micros(*d->day_end);
  return out;
}

std::optional<std::string> read_string(const json& v) {
  if (!v.is_string())
    return std::nullopt;
  return v.get<std::string>();
}

std::optional<bool> read_bool(const json& v) {
  if (!v.is_boolean())
    return std::nullopt;
  return v.get<bool>();
}

bool holds(op o, int c) {
  switch (o) {
  case op::eq:
    return c == 0;
  case op::gt:
    return c > 0;
  case op::gte:
    return c >= 0;
  case op::lt:
    return c < 0;
  case op::lte:
    return c <= 0;
  default:
    return false;
  }
}

// eq, neq, gt, gte, lt and lte: a number compared with one value.
bool compares_with_one_value(op o) {
  return o == op::eq || o == op::neq || o == op::gt || o == op::gte ||
         o == op::lt || o == op::lte;
}

// The integers x (of one column scale) for which a comparison holds: one
// range, or everything outside it when `outside`. Found once per condition,
// it turns the row loop into a plain range test instead of a 128-bit
// comparison with a decimal per row.
struct int_range {
  wide_int lo = 1, hi = 0; // inclusive; empty when lo > hi
  bool outside = false;
};

// Beyond every value a column or a day count can hold, and small enough to
// be multiplied by a day in microseconds without overflow.
constexpr wide_int range_edge = wide_int{1} << 62;

std::optional<scaled_threshold> threshold_of(const json& v, int scale) {
  auto text = number_text(v);
  if (!text)
    return std::nullopt;
  return threshold_at(*text, scale);
}

// The first integer at or above the threshold's value, and above it.
wide_int first_at_least(const scaled_threshold& t) {
  return t.exact ? t.floor : t.floor + 1;
}
wide_int first_above(const scaled_threshold& t) {
  return t.floor + 1;
}

// For eq, neq, gt, gte, lt, lte and between (what comparison() does for
// them, values that do not read match nothing); nothing for other operators.
std::optional<int_range> range_of(const condition& c, int scale) {
  int_range none;
  if (c.oper == op::between) {
    if (!c.value.is_array() || c.value.size() != 2)
      return none;
    auto lo = threshold_of(c.value[0], scale);
    auto hi = threshold_of(c.value[1], scale);
    if (!lo || !hi)
      return none;
    return int_range{first_at_least(*lo), first_above(*hi) - 1, false};
  }
  if (!compares_with_one_value(c.oper))
    return std::nullopt;
  auto t = threshold_of(c.value, scale);
  if (!t)
    return none;
  auto a = first_at_least(*t);
  auto b = first_above(*t);
  switch (c.oper) {
  case op::eq:
    return int_range{a, b - 1, false};
  case op::neq:
    return int_range{a, b - 1, true};
  case op::gt:
    return int_range{b, range_edge, false};
  case op::gte:
    return int_range{a, range_edge, false};
  case op::lt:
    return int_range{-range_edge, a - 1, false};
  default: // lte
    return int_range{-range_edge, b - 1, false};
  }
}

wide_int clamp_edge(wide_int x) {
  return x < -range_edge ? -range_edge : x > range_edge ? range_edge : x;
}

// Rows whose value lies in [lo, hi] (or outside it); rows holding
// `null_value`, when given, are in the result when `null_matches`.
row_bitset rows_in(const std::vector<std::int64_t>& x, wide_int lo, wide_int hi,
                   bool outside,
                   std::optional<std::int64_t> null_value = std::nullopt,
                   bool null_matches = false) {
  constexpr wide_int min64 = std::numeric_limits<std::int64_t>::min();
  constexpr wide_int max64 = std::numeric_limits<std::int64_t>::max();
  if (lo < min64)
    lo = min64;
  if (hi > max64)
    hi = max64;
  bool empty = lo > hi; // every value is outside
  if (empty)
    lo = hi = 0;
  auto low = static_cast<std::uint64_t>(static_cast<std::int64_t>(lo));
  auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(hi)) - low;
  bool has_null = null_value.has_value();
  auto null_cell = null_value.value_or(0);
  return row_bitset::where(x.size(), [&](std::size_t r) {
    auto v = x[r];
    if (has_null && v == null_cell)
      return null_matches;
    bool in = !empty && static_cast<std::uint64_t>(v) - low <= span;
    return in != outside;
  });
}

// A date column compared like the SQL back end's compare(): a date-only
// value compares by whole days for eq, gt and lte.
bool date_atom(op o, std::int64_t col, const date_value_us& v) {
  if (v.end) {
    switch (o) {
    case op::eq:
      return col >= v.start && col < *v.end;
    case op::gt:
      return col >= *v.end;
    case op::lte:
      return col < *v.end;
    default:
      break;
    }
  }
  int c = col < v.start ? -1 : col > v.start ? 1 : 0;
  return holds(o, c);
}

// The operators shared by every type, over cells 0..n-1 (rows, or the codes
// of a dictionary). `atom(i, o, v)` compares a non-null cell with a value;
// `emit(i)` receives matching cells. Returns false when `c.oper` is not one
// of them.
template <class T, class Read, class Null, class Atom, class Emit>
bool comparison(const condition& c, std::size_t n, Read read, Null is_null,
                Atom atom, Emit emit) {
  switch (c.oper) {
  case op::eq:
  case op::gt:
  case op::gte:
  case op::lt:
  case op::lte:
  case op::neq: {
    std::optional<T> v = read(c.value);
    if (!v)
      return true;
    bool negate = c.oper == op::neq;
    op o = negate ? op::eq : c.oper;
    for (std::size_t i = 0; i < n; ++i)
      if (!is_null(i) && atom(i, o, *v) != negate)
        emit(i);
    return true;
  }
  case op::between: {
    if (!c.value.is_array() || c.value.size() != 2)
      return true;
    std::optional<T> lo = read(c.value[0]);
    std::optional<T> hi = read(c.value[1]);
    if (!lo || !hi)
      return true;
    for (std::size_t i = 0; i < n; ++i)
      if (!is_null(i) && atom(i, op::gte, *lo) && atom(i, op::lte, *hi))
        emit(i);
    return true;
  }
  case op::in:
  case op::not_in: {
    std::vector<T> values;
    if (c.value.is_array())
      for (const auto& item : c.value)
        if (auto v = read(item))
          values.push_back(std::move(*v));
    bool in = c.oper == op::in;
    if (in && values.empty())
      return true;
    for (std::size_t i = 0; i < n; ++i) {
      if (is_null(i))
        continue;
      bool any = false;
      for (const auto& v : values)
        if (atom(i, op::eq, v)) {
          any = true;
          break;
        }
      if (any == in)
        emit(i);
    }
    return true;
  }
  default:
    return false;
  }
}

class evaluator {
public:
  evaluator(const customer_columns& cols, timestamp now)
      : cols_(cols), now_(micros(now)), now_ts_(now), n_(cols.size()) {}

  caf::expected<row_bitset> run(const group& root) {
    auto r = eval_group(root);
    if (!r)
      return std::move(r.error());
    if (!*r)
      return row_bitset{n_};
    return std::move(**r);
  }

private:
  const customer_columns& cols_;
  std::int64_t now_;
  timestamp now_ts_;
  std::size_t n_;
  // Computed traits, made on first use: value times 10^scale per row.
  std::optional<std::vector<wide_int>> lifetime_, days_since_;
  std::optional<std::vector<rounded_average>> average_;

  row_bitset none() const { return row_bitset{n_}; }

  result eval_node(const node& n) {
    if (const auto* g = std::get_if<group>(&n.item))
      return eval_group(*g);
    if (const auto* c = std::get_if<condition>(&n.item))
      return eval_condition(*c);
    return eval_event(std::get<event_condition>(n.item));
  }

  // Criteria without a result are left out; a group without any result has
  // none itself.
  result eval_group(const group& g) {
    std::optional<row_bitset> acc;
    for (const auto& n : g.criteria) {
      auto r = eval_node(n);
      if (!r)
        return std::move(r.error());
      if (!*r)
        continue;
      if (!acc)
        acc = std::move(**r);
      else if (g.how == logic::all_of)
        *acc &= **r;
      else
        *acc |= **r;
    }
    if (acc && g.how == logic::none_of)
      acc->flip();
    return acc;
  }

  const string_column* string_field(field f) const {
    switch (f) {
    case field::email:
      return &cols_.email;
    case field::phone:
      return &cols_.phone;
    case field::first_name:
      return &cols_.first_name;
    case field::last_name:
      return &cols_.last_name;
    case field::shipping_state:
      return &cols_.shipping_state;
    case field::shipping_country:
      return &cols_.shipping_country;
    default:
      return nullptr;
    }
  }

  const std::vector<std::int64_t>* date_field(field f) const {
    if (f == field::last_order_date)
      return &cols_.last_order_date;
    if (f == field::created_at)
      return &cols_.created_at;
    return nullptr;
  }

  result eval_condition(const condition& c) {
    switch (type_of(c.field)) {
    case field_type::string:
      return eval_string(c);
    case field_type::boolean:
      return eval_boolean(c);
    case field_type::date:
      return eval_date(c);
    case field_type::number:
      return eval_number(c);
    }
    return unsupported(c.path, "unknown field type");
  }

  result eval_string(const condition& c) {
    const auto* col = string_field(c.field);
    if (col == nullptr)
      return unsupported(c.path, "string field without a column");
    const auto& dict = col->dictionary;
    std::vector<char> match(dict.values.size(), 0);
    bool null_matches = false;
    auto mark = [&](std::size_t i) { match[i] = 1; };
    switch (c.oper) {
    case op::exists:
      for (std::size_t i = 0; i < match.size(); ++i)
        match[i] = dict.values[i].empty() ? 0 : 1;
      break;
    case op::missing:
      for (std::size_t i = 0; i < match.size(); ++i)
        match[i] = dict.values[i].empty() ? 1 : 0;
      null_matches = true;
      break;
    case op::contains:
    case op::not_contains:
    case op::starts_with:
    case op::ends_with: {
      if (!c.value.is_string())
        break;
      auto lv = pg_lower(c.value.get<std::string>(), cols_.lc_ctype);
      if (!lv)
        return unsupported(c.path, "locale " + cols_.lc_ctype);
      for (std::size_t i = 0; i < match.size(); ++i) {
        const auto& s = dict.lowered[i];
        bool m = false;
        switch (c.oper) {
        case op::contains:
          m = s.find(*lv) != std::string::npos;
          break;
        case op::not_contains:
          m = s.find(*lv) == std::string::npos;
          break;
        case op::starts_with:
          m = s.compare(0, lv->size(), *lv) == 0 && s.size() >= lv->size();
          break;
        default:
          m = s.size() >= lv->size() &&
              s.compare(s.size() - lv->size(), lv->size(), *lv) == 0;
          break;
        }
        match[i] = m ? 1 : 0;
      }
      break;
    }
    default: {
      auto atom = [&](std::size_t i, op o, const std::string& v) {
        if (o == op::eq)
          return dict.values[i] == v;
        int cmp = dict.values[i].compare(v);
        return holds(o, cmp < 0 ? -1 : cmp > 0 ? 1 : 0);
      };
      if (!comparison<std::string>(
              c, match.size(), read_string, [](std::size_t) { return false; },
              atom, mark))
        return unsupported(c.path, "operator on a string field");
    }
    }
    const auto& codes = col->codes;
    return row_bitset::where(n_, [&](std::size_t r) {
      auto code = codes[r];
      return code == string_column::null_code ? null_matches : match[code] != 0;
    });
  }

  result eval_boolean(const condition& c) {
    if (c.field != field::marketing_opt_in)
      return unsupported(c.path, "boolean field without a column");
    row_bitset out{n_};
    switch (c.oper) {
    case op::exists:
      out.flip();
      return out;
    case op::missing:
      return out;
    default:
      break;
    }
    const auto& bits = cols_.marketing_opt_in;
    if (c.oper == op::eq || c.oper == op::neq) {
      auto v = read_bool(c.value);
      if (!v)
        return out;
      out = bits;
      if (*v == (c.oper == op::neq))
        out.flip();
      return out;
    }
    auto atom = [&](std::size_t r, op o, bool v) {
      return o == op::eq && bits.test(r) == v;
    };
    if (c.oper != op::eq && c.oper != op::neq && c.oper != op::in &&
        c.oper != op::not_in)
      return unsupported(c.path, "operator on a boolean field");
    comparison<bool>(
        c, n_, read_bool, [](std::size_t) { return false; }, atom,
        [&](std::size_t r) { out.set(r); });
    return out;
  }

  result eval_date(const condition& c) {
    const auto* col = date_field(c.field);
    if (col == nullptr)
      return unsupported(c.path, "date field without a column");
    const auto& v = *col;
    row_bitset out{n_};
    auto emit = [&](std::size_t r) { out.set(r); };
    switch (c.oper) {
    case op::exists:
      for (std::size_t r = 0; r < n_; ++r)
        if (v[r] != null_time)
          out.set(r);
      return out;
    case op::missing:
      for (std::size_t r = 0; r < n_; ++r)
        if (v[r] == null_time)
          out.set(r);
      return out;
    default:
      break;
    }
    if (c.value.is_string()) {
      if (auto days = parse_relative_days(c.value.get<std::string>())) {
        if (c.oper != op::lt && c.oper != op::gt)
          return std::optional<row_bitset>{};
        auto cutoff = micros(days_before(now_ts_, *days));
        for (std::size_t r = 0; r < n_; ++r) {
          bool m = c.oper == op::lt ? v[r] != null_time && v[r] > cutoff
                                    : v[r] == null_time || v[r] < cutoff;
          if (m)
            out.set(r);
        }
        return out;
      }
    }
    if (c.oper == op::within_last_days || c.oper == op::not_within_last_days) {
      if (!number_text(c.value) || c.value.get<double>() < 0)
        return out;
      auto cutoff = micros(days_before(now_ts_, c.value.get<double>()));
      for (std::size_t r = 0; r < n_; ++r) {
        bool m = c.oper == op::within_last_days
                     ? v[r] != null_time && v[r] >= cutoff
                     : v[r] == null_time || v[r] < cutoff;
        if (m)
          out.set(r);
      }
      return out;
    }
    auto atom = [&](std::size_t r, op o, const date_value_us& d) {
      return date_atom(o, v[r], d);
    };
    auto is_null = [&](std::size_t r) { return v[r] == null_time; };
    if (!comparison<date_value_us>(c, n_, read_date, is_null, atom, emit))
      return unsupported(c.path, "operator on a date field");
    return out;
  }

  // Per row: value times 10^scale, its scale, and whether it is NULL.
  struct number_cells {
    const std::vector<std::int64_t>* ints = nullptr;
    const std::vector<wide_int>* wides = nullptr;
    const std::vector<rounded_average>* averages = nullptr;
    int scale = 0;
  };

  std::optional<number_cells> number_field(field f) {
    number_cells cells;
    switch (f) {
    case field::total_order_value:
      cells.ints = &cols_.total_order_value;
      cells.scale = 2;
      return cells;
    case field::order_count:
      cells.ints = &cols_.order_count;
      return cells;
    case field::days_since_last_order:
      cells.wides = &days_since();
      return cells;
    case field::lifetime_value:
      cells.wides = &lifetime();
      cells.scale = 2;
      return cells;
    case field::average_order_value:
      cells.averages = &average();
      return cells;
    default:
      return std::nullopt;
    }
  }

  const std::vector<wide_int>& days_since() {
    if (!days_since_) {
      constexpr std::int64_t day = 86'400'000'000;
      std::vector<wide_int> d(n_);
      for (std::size_t r = 0; r < n_; ++r) {
        auto t = cols_.last_order_date[r];
        if (t == null_time) {
          d[r] = 999999;
          continue;
        }
        auto diff = now_ - t;
        auto q = diff / day;
        if (diff % day != 0 && diff < 0)
          --q;
        d[r] = q;
      }
      days_since_ = std::move(d);
    }
    return *days_since_;
  }

  // days_since_last_order in a range, as a range of last_order_date: the
  // whole days from t to now are at least L when t <= now - L days, and at
  // most H when t > now - (H + 1) days. Customers without orders count
  // 999999 days, as days_since() says.
  row_bitset days_since_in(int_range range) const {
    constexpr wide_int day = 86'400'000'000;
    constexpr wide_int no_order_days = 999999;
    auto lo = clamp_edge(range.lo);
    auto hi = clamp_edge(range.hi);
    bool none_in = lo <= no_order_days && no_order_days <= hi;
    if (lo > hi)
      return rows_in(cols_.last_order_date, 1, 0, range.outside, null_time,
                     range.outside);
    return rows_in(cols_.last_order_date, wide_int{now_} - (hi + 1) * day + 1,
                   wide_int{now_} - lo * day, range.outside, null_time,
                   none_in != range.outside);
  }

  std::int64_t order_sum(std::size_t r) const {
    std::int64_t sum = 0;
    for (auto o = cols_.order_begin[r]; o < cols_.order_begin[r + 1]; ++o)
      sum += cols_.order_amount[o];
    return sum;
  }

  const std::vector<wide_int>& lifetime() {
    if (!lifetime_) {
      std::vector<wide_int> s(n_);
      for (std::size_t r = 0; r < n_; ++r)
        s[r] = order_sum(r);
      lifetime_ = std::move(s);
    }
    return *lifetime_;
  }

  // scale < 0 marks a customer without orders (NULL).
  const std::vector<rounded_average>& average() {
    if (!average_) {
      std::vector<rounded_average> a(n_);
      for (std::size_t r = 0; r < n_; ++r) {
        auto count = cols_.order_begin[r + 1] - cols_.order_begin[r];
        if (count == 0)
          a[r].scale = -1;
        else
          a[r] = pg_numeric_average(order_sum(r), count);
      }
      average_ = std::move(a);
    }
    return *average_;
  }

  result eval_number(const condition& c) {
    auto cells = number_field(c.field);
    if (!cells)
      return unsupported(c.path, "number field without a column");
    auto value_at = [&](std::size_t r, int& scale) -> wide_int {
      if (cells->ints) {
        scale = cells->scale;
        return (*cells->ints)[r];
      }
      if (cells->wides) {
        scale = cells->scale;
        return (*cells->wides)[r];
      }
      scale = (*cells->averages)[r].scale;
      return (*cells->averages)[r].scaled;
    };
    auto is_null = [&](std::size_t r) {
      return cells->averages && (*cells->averages)[r].scale < 0;
    };
    row_bitset out{n_};
    switch (c.oper) {
    case op::exists:
      for (std::size_t r = 0; r < n_; ++r)
        if (!is_null(r))
          out.set(r);
      return out;
    case op::missing:
      for (std::size_t r = 0; r < n_; ++r)
        if (is_null(r))
          out.set(r);
      return out;
    default:
      break;
    }
    if (auto range = range_of(c, cells->scale)) {
      if (cells->ints)
        return rows_in(*cells->ints, range->lo, range->hi, range->outside);
      if (c.field == field::days_since_last_order)
        return days_since_in(*range);
    }
    auto atom = [&](std::size_t r, op o, const number_value& v) {
      int scale = 0;
      auto x = value_at(r, scale);
      if (scale > max_scale)
        return false;
      return holds(o, compare_scaled(x, v.at[static_cast<std::size_t>(scale)]));
    };
    for (std::size_t r = 0; cells->averages && r < n_; ++r)
      if ((*cells->averages)[r].scale > max_scale)
        return unsupported(c.path, "average beyond 30 decimal places");
    if (!comparison<number_value>(c, n_, read_number, is_null, atom,
                                  [&](std::size_t r) { out.set(r); }))
      return unsupported(c.path, "operator on a number field");
    return out;
  }

  // Codes of the listed strings found in a dictionary.
  static std::vector<char> allowed(const string_dictionary& dict,
                                   const std::vector<std::string>& values,
                                   bool uuids) {
    std::vector<char> ok(dict.values.size(), 0);
    for (const auto& v : values) {
      if (uuids && !is_uuid(v))
        continue;
      std::string key = v;
      if (uuids)
        for (auto& ch : key)
          ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto code = dict.find(key))
        ok[*code] = 1;
    }
    return ok;
  }

  result eval_event(const event_condition& ev) {
    row_bitset out{n_};
    std::optional<number_value> lo, hi;
    if (ev.oper == op::between) {
      if (!ev.value.is_array() || ev.value.size() != 2)
        return out;
      lo = read_number(ev.value[0]);
      hi = read_number(ev.value[1]);
      if (!lo || !hi)
        return out;
    } else {
      lo = read_number(ev.value);
      if (!lo)
        return out;
    }
    if (!compares_with_one_value(ev.oper) && ev.oper != op::between)
      return unsupported(ev.path, "operator on an event condition");
    const auto& w = ev.where;
    auto statuses = allowed(cols_.statuses, w.statuses, false);
    auto channels = allowed(cols_.channels, w.channels, false);
    auto categories = allowed(cols_.categories, w.categories, false);
    auto products = allowed(cols_.products, w.product_ids, true);
    bool by_items = !w.categories.empty() || !w.product_ids.empty();
    std::optional<std::int64_t> cutoff;
    if (ev.within_last_days)
      cutoff = micros(days_before(now_ts_, *ev.within_last_days));
    bool sum = ev.aggregate == aggregate::sum;
    int scale = sum ? 2 : 0;
    const auto& lo_t = lo->at[static_cast<std::size_t>(scale)];
    for (std::size_t r = 0; r < n_; ++r) {
      std::int64_t agg = 0;
      for (auto o = cols_.order_begin[r]; o < cols_.order_begin[r + 1]; ++o) {
        if (!w.statuses.empty() && !statuses[cols_.order_status[o]])
          continue;
        if (!w.channels.empty() && !channels[cols_.order_channel[o]])
          continue;
        if (cutoff && cols_.order_date[o] < *cutoff)
          continue;
        if (by_items) {
          bool any = false;
          for (auto i = cols_.item_begin[o]; i < cols_.item_begin[o + 1]; ++i) {
            if (!w.categories.empty() && !categories[cols_.item_category[i]])
              continue;
            if (!w.product_ids.empty() && !products[cols_.item_product[i]])
              continue;
            any = true;
            break;
          }
          if (!any)
            continue;
        }
        agg += sum ? cols_.order_amount[o] : 1;
      }
      bool m = false;
      if (ev.oper == op::between) {
        m = compare_scaled(agg, lo_t) >= 0 &&
            compare_scaled(agg, hi->at[static_cast<std::size_t>(scale)]) <= 0;
      } else if (ev.oper == op::neq) {
        m = compare_scaled(agg, lo_t) != 0;
      } else {
        m = holds(ev.oper, compare_scaled(agg, lo_t));
      }
      if (m)
        out.set(r);
    }
    return out;
  }
};

} // namespace

caf::expected<row_bitset> evaluate(const segment_definition& def,
                                   const customer_columns& columns,
                                   std::chrono::system_clock::time_point now) {
  evaluator e{columns, to_timestamp(now)};
  return e.run(def.root);
}

} // namespace cdpd::actors::segments::engine
