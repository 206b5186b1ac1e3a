#include "tests/integration/segments/generated_segments.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "storage/errc.hpp"
#include "storage/segments/segment_queries.hpp"

namespace cdpd::test::generated {

namespace seg = storage::segments;
using json = nlohmann::json;
using std::chrono::microseconds;

namespace {

constexpr std::int64_t day_us = 86'400'000'000;

std::int64_t now_us() {
  return now_ts().time_since_epoch().count();
}

const std::vector<std::string> first_names{
    "Anna", "ANNA", "anna",  "Ánna",        "Bob",    "bob",
    "Zoë",  "ZOË",  "İlker", "Straße",      "o'Neil", "50%",
    "a_b",  "",     "Émile", "back\\slash", "Chloe"};
const std::vector<std::string> last_names{
    "Smith", "SMITH", "smith", "Müller",     "MÜLLER", "Ng",
    "",      "Øster", "Lee",   "de la Cruz", "Σίσυφος"};
const std::vector<std::string> states{
    "CA", "ca", "Ca", "NY", "TX", "", "São Paulo", "SÃO PAULO", "WA", "z"};
const std::vector<std::string> countries{"US", "us", "DE",
                                         "",   "BR", "Deutschland"};
const std::vector<std::string> statuses{"delivered", "shipped", "pending",
                                        "cancelled", "Delivered"};
const std::vector<std::string> channels{"web", "mobile", "store", "WEB"};
const std::vector<std::string> categories{
    "Electronics", "electronics", "Books", "Home", "Garden & Outdoor", "Toys"};

std::string cents_text(std::int64_t cents) {
  auto sign = cents < 0 ? "-" : "";
  auto a = cents < 0 ? -cents : cents;
  auto frac = std::to_string(a % 100);
  if (frac.size() < 2)
    frac = "0" + frac;
  return sign + std::to_string(a / 100) + "." + frac;
}

std::string time_text(std::int64_t us) {
  return seg::to_sql_text(seg::timestamp{microseconds{us}});
}

std::int64_t money(generator& g) {
  static const std::vector<std::int64_t> edges{0,     1,      29,    10000,
                                               99999, 100000, 50050, 12345};
  if (g.chance(0.3))
    return g.pick(edges);
  return g.uniform(0, 200000);
}

// Collects rows and writes them as multi-row INSERTs of 1000 rows on
// flush (tables are flushed parents first, for the foreign keys).
class batch_insert {
public:
  batch_insert(pqxx::work& tx, std::string head)
      : tx_(tx), head_(std::move(head)) {}
  void add(const std::string& row) {
    if (rows_ == 1000)
      cut();
    if (!sql_.empty())
      sql_ += ",";
    sql_ += row;
    ++rows_;
  }
  void flush() {
    cut();
    for (const auto& chunk : chunks_)
      tx_.exec0(head_ + " VALUES " + chunk);
    chunks_.clear();
  }

private:
  void cut() {
    if (rows_ > 0)
      chunks_.push_back(std::move(sql_));
    sql_.clear();
    rows_ = 0;
  }
  pqxx::work& tx_;
  std::string head_;
  std::string sql_;
  std::vector<std::string> chunks_;
  int rows_ = 0;
};

const std::vector<std::string> string_fields{
    "email",     "phone",          "first_name",
    "last_name", "shipping_state", "shipping_country"};
const std::vector<std::string> number_fields{
    "total_order_value", "order_count", "days_since_last_order",
    "lifetime_value", "average_order_value"};
const std::vector<std::string> date_fields{"last_order_date", "created_at"};

} // namespace

dataset fill(pqxx::connection& conn, generator& g, int customer_count) {
  dataset d;
  pqxx::work tx{conn};
  auto q = [&](const std::string& s) { return tx.quote(s); };
  auto qo = [&](const std::optional<std::string>& s) {
    return s ? tx.quote(*s) : std::string{"NULL"};
  };
  batch_insert products{
      tx, "INSERT INTO products (id, name, category, brand, price)"};
  for (int i = 0; i < 40; ++i) {
    auto id = g.uuid();
    d.product_ids.push_back(id);
    products.add("(" + q(id) + ", " + q("P" + std::to_string(i)) + ", " +
                 q(g.pick(categories)) + ", 'B', 1)");
  }
  products.flush();
  batch_insert customers{
      tx, "INSERT INTO customers (id, email, phone, first_name, last_name, "
          "marketing_opt_in, shipping_state, shipping_country, "
          "total_order_value, order_count, last_order_date, created_at)"};
  batch_insert orders{tx, "INSERT INTO orders (id, customer_id, order_date, "
                          "order_status, total_amount, channel)"};
  batch_insert items{tx, "INSERT INTO order_items (order_id, product_id, "
                         "quantity, unit_price)"};
  for (int i = 0; i < customer_count; ++i) {
    auto id = g.uuid();
    auto first = g.pick(first_names);
    auto last = g.pick(last_names);
    std::string email = first + "." + last + std::to_string(i) + "@" +
                        (g.chance(0.5) ? "Example.COM" : "mail.de");
    d.emails.push_back(email);
    std::optional<std::string> phone;
    if (g.chance(0.7))
      phone = g.chance(0.1) ? ""
                            : "+1-555-" + std::to_string(g.uniform(1000, 9999));
    if (phone)
      d.phones.push_back(*phone);
    std::optional<std::string> state, country;
    if (g.chance(0.8))
      state = g.pick(states);
    if (g.chance(0.8))
      country = g.pick(countries);
    std::optional<std::int64_t> last_order;
    if (g.chance(0.75))
      last_order = g.time_near_now();
    auto created = g.time_near_now() - 400 * day_us;
    customers.add("(" + q(id) + ", " + q(email) + ", " + qo(phone) + ", " +
                  q(first) + ", " + q(last) + ", " +
                  (g.chance(0.6) ? "true" : "false") + ", " + qo(state) + ", " +
                  qo(country) + ", " + cents_text(money(g)) + ", " +
                  std::to_string(g.chance(0.2) ? 0 : g.uniform(0, 30)) + ", " +
                  (last_order ? q(time_text(*last_order)) : "NULL") + ", " +
                  q(time_text(created)) + ")");
    int n_orders = g.chance(0.2) ? 0 : g.uniform(1, 8);
    for (int k = 0; k < n_orders; ++k) {
      auto oid = g.uuid();
      orders.add("(" + q(oid) + ", " + q(id) + ", " +
                 q(time_text(g.time_near_now())) + ", " + q(g.pick(statuses)) +
                 ", " + cents_text(money(g)) + ", " + q(g.pick(channels)) +
                 ")");
      int n_items = g.uniform(0, 3);
      for (int j = 0; j < n_items; ++j)
        items.add("(" + q(oid) + ", " + q(g.pick(d.product_ids)) + ", 1, 1)");
    }
  }
  customers.flush();
  orders.flush();
  items.flush();
  tx.commit();
  pqxx::nontransaction{conn}.exec0("ANALYZE");
  return d;
}

std::uint64_t seed() {
  if (const char* s = std::getenv("CDPD_ENGINE_SEED"))
    return std::strtoull(s, nullptr, 10);
  return 20261126;
}

int definition_count(int fallback) {
  if (const char* n = std::getenv("CDPD_ENGINE_DEFINITIONS"))
    return std::atoi(n);
  return fallback;
}

seg::timestamp now_ts() {
  return seg::timestamp{microseconds{1781526896789012}};
}

std::string generator::uuid() {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20)
      s.push_back('-');
    s.push_back(hex[uniform(0, 15)]);
  }
  return s;
}

std::int64_t generator::time_near_now() {
  switch (uniform(0, 5)) {
  case 0: {
    static const std::vector<int> days{0, 1, 7, 30, 90, 365};
    return now_us() - pick(days) * day_us + uniform(-1, 1);
  }
  case 1:
    return now_us() + uniform(1, 20) * day_us; // in the future
  case 2: {                                    // midnight boundaries
    auto midnight = now_us() - now_us() % day_us;
    return midnight - uniform(0, 40) * day_us + uniform(-1, 0);
  }
  default:
    return now_us() - static_cast<std::int64_t>(uniform(0, 800)) * day_us -
           uniform(0, 86399) * 1'000'000LL;
  }
}

json definition_maker::definition() {
  int kind = g_.uniform(0, 19);
  if (kind == 0)
    return json::object();
  if (kind == 1)
    return legacy();
  return group(0);
}

json definition_maker::group(int depth) {
  static const std::vector<std::string> ops{"AND", "OR", "NOT", "and", "or"};
  json g{{"logical_operator", g_.pick(ops)}, {"criteria", json::array()}};
  int n = g_.uniform(1, 3);
  for (int i = 0; i < n; ++i) {
    int r = g_.uniform(0, 11);
    if (depth < 3 && r < 2)
      g["criteria"].push_back(group(depth + 1));
    else if (r < 4)
      g["criteria"].push_back(event());
    else
      g["criteria"].push_back(condition());
  }
  return g;
}

json definition_maker::legacy() {
  json d = json::object();
  int n = g_.uniform(1, 3);
  for (int i = 0; i < n; ++i) {
    auto c = condition();
    d[c["field"].get<std::string>()][c["operator"].get<std::string>()] =
        c.contains("value") ? c["value"] : json(nullptr);
  }
  if (g_.chance(0.5))
    d["logical_operator"] = "OR";
  return d;
}

std::string definition_maker::mixed_case(std::string s) {
  for (auto& c : s) {
    if (g_.chance(0.3) && c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    else if (g_.chance(0.3) && c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

json definition_maker::string_value() {
  switch (g_.uniform(0, 9)) {
  case 0:
    return "";
  case 1:
    return g_.uniform(0, 100); // type mismatch
  case 2:
    return g_.pick(std::vector<std::string>{"%", "_", "\\", "é", "ß", "İ", "σ",
                                            "ü", "Ü", "o'"});
  case 3:
  case 4: {
    auto s = g_.pick(d_.emails);
    auto a =
        static_cast<std::size_t>(g_.uniform(0, static_cast<int>(s.size())));
    auto len = static_cast<std::size_t>(g_.uniform(0, 6));
    // Cut at character boundaries: PostgreSQL rejects broken UTF-8.
    auto boundary = [&](std::size_t k) {
      while (k < s.size() && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80)
        ++k;
      return k;
    };
    a = boundary(a);
    auto end = boundary(std::min(s.size(), a + len));
    return mixed_case(s.substr(a, end - a));
  }
  case 5:
    return g_.pick(d_.emails);
  case 6:
    return mixed_case(g_.pick(first_names));
  case 7:
    return g_.pick(states);
  case 8:
    return g_.pick(countries);
  default:
    return g_.pick(d_.phones.empty() ? states : d_.phones);
  }
}

json definition_maker::number_value() {
  switch (g_.uniform(0, 11)) {
  case 0:
    return "100"; // type mismatch
  case 1:
    return true;
  case 2:
    return 0.29;
  case 3:
    return 100.005;
  case 4:
    return 1e300;
  case 5:
    return -g_.uniform(0, 5);
  case 6:
    return 999999;
  case 7:
    return static_cast<double>(money(g_)) / 100.0;
  case 8:
    return 1000.0 / 3.0;
  default:
    return g_.uniform(0, 2000);
  }
}

json definition_maker::date_value() {
  switch (g_.uniform(0, 11)) {
  case 0:
    return "";
  case 1:
    return "yesterday";
  case 2:
    return 20240101;
  case 3:
  case 4:
    return "relative_" +
           std::to_string(g_.pick(std::vector<int>{0, 1, 7, 30, 365}));
  case 5: {
    auto t = g_.time_near_now();
    return seg::to_sql_text(seg::timestamp{microseconds{t}}).substr(0, 19) +
           "Z";
  }
  case 6: {
    auto t = g_.time_near_now();
    auto text = seg::to_sql_text(seg::timestamp{microseconds{t}});
    text[10] = 'T';
    return text + "+02:00";
  }
  default: {
    auto t = g_.time_near_now();
    return seg::to_sql_text(seg::timestamp{microseconds{t}}).substr(0, 10);
  }
  }
}

json definition_maker::value_for(const std::string& type) {
  if (type == "string")
    return string_value();
  if (type == "number")
    return number_value();
  if (type == "date")
    return date_value();
  return g_.chance(0.8) ? json(g_.chance(0.5)) : json("true");
}

json definition_maker::condition() {
  static const std::vector<std::string> common{"eq",     "neq",    "in",
                                               "not_in", "exists", "missing"};
  static const std::vector<std::string> ordered{"gt", "gte", "lt", "lte",
                                                "between"};
  static const std::vector<std::string> text{"contains", "not_contains",
                                             "starts_with", "ends_with"};
  std::string type, field;
  int r = g_.uniform(0, 9);
  if (r < 4) {
    type = "string";
    field = g_.pick(string_fields);
  } else if (r < 6) {
    type = "number";
    field = g_.pick(number_fields);
  } else if (r < 9) {
    type = "date";
    field = g_.pick(date_fields);
  } else {
    type = "boolean";
    field = "marketing_opt_in";
  }
  std::vector<std::string> ops = common;
  if (type != "boolean")
    ops.insert(ops.end(), ordered.begin(), ordered.end());
  if (type == "string")
    ops.insert(ops.end(), text.begin(), text.end());
  if (type == "date") {
    ops.insert(ops.end(), {"within_last_days", "not_within_last_days", "lt",
                           "gt", "lt", "gt"});
  }
  auto oper = g_.pick(ops);
  json c{{"field", field}, {"operator", oper}};
  if (oper == "exists" || oper == "missing")
    return c;
  if (oper == "between") {
    c["value"] = json::array({value_for(type), value_for(type)});
  } else if (oper == "in" || oper == "not_in") {
    c["value"] = json::array();
    int n = g_.uniform(0, 4);
    for (int i = 0; i < n; ++i)
      c["value"].push_back(value_for(type));
  } else if (oper == "within_last_days" || oper == "not_within_last_days") {
    c["value"] =
        g_.chance(0.1)
            ? json("relative_7")
            : json(g_.pick(std::vector<double>{0, 1, 7, 7.5, 30, 365}));
  } else {
    c["value"] = value_for(type);
  }
  return c;
}

json definition_maker::one_or_list(const std::vector<std::string>& pool) {
  if (g_.chance(0.5))
    return g_.pick(pool);
  json a = json::array();
  int n = g_.uniform(1, 3);
  for (int i = 0; i < n; ++i)
    a.push_back(g_.pick(pool));
  return a;
}

json definition_maker::event() {
  json e{{"event", "order"}};
  if (g_.chance(0.7))
    e["aggregate"] = g_.chance(0.5) ? "count" : "sum";
  bool sum = e.value("aggregate", "count") == "sum";
  json where = json::object();
  if (g_.chance(0.4))
    where["status"] = one_or_list(statuses);
  if (g_.chance(0.3))
    where["channel"] = one_or_list(channels);
  if (g_.chance(0.4))
    where["category"] = one_or_list(categories);
  if (g_.chance(0.2)) {
    std::vector<std::string> pool = d_.product_ids;
    auto upper = g_.pick(d_.product_ids);
    for (auto& ch : upper)
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    pool.push_back(upper);
    pool.push_back("not-a-uuid");
    where["product_id"] = one_or_list(pool);
  }
  if (!where.empty())
    e["where"] = where;
  if (g_.chance(0.5))
    e["within_last_days"] =
        g_.pick(std::vector<double>{0, 1, 7, 30, 90.5, 365});
  static const std::vector<std::string> ops{"eq", "neq", "gt",     "gte",
                                            "lt", "lte", "between"};
  auto oper = g_.pick(ops);
  e["operator"] = oper;
  auto number = [&]() -> json {
    if (g_.chance(0.05))
      return "2";
    if (sum)
      return g_.chance(0.5) ? json(static_cast<double>(money(g_)) / 100.0)
                            : json(g_.uniform(0, 3000));
    return g_.uniform(0, 5);
  };
  if (oper == "between")
    e["value"] = json::array({number(), number()});
  else
    e["value"] = number();
  return e;
}

std::vector<sql_answer> sql_answers(const std::string& conninfo,
                                    const std::vector<sql_question>& questions,
                                    std::chrono::system_clock::time_point now,
                                    int connections) {
  std::vector<sql_answer> out(questions.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    try {
      pqxx::connection own{conninfo};
      pqxx::nontransaction{own}.exec0(
          "SET jit = off; SET max_parallel_workers_per_gather = 0");
      for (auto k = next++; k < questions.size(); k = next++) {
        const auto& q = questions[k];
        auto& a = out[k];
        auto started = std::chrono::steady_clock::now();
        auto ids = seg::member_ids(own, *q.definition, now, {1 << 30, 0});
        a.took = std::chrono::steady_clock::now() - started;
        if (!ids) {
          a.error = storage::describe(ids.error());
          continue;
        }
        a.ids = std::move(*ids);
        std::sort(a.ids.begin(), a.ids.end());
        if (q.with_count) {
          auto count = seg::count_members(own, *q.definition, now);
          if (!count)
            a.error = storage::describe(count.error());
          else
            a.count = *count;
        }
      }
    } catch (const std::exception& e) {
      for (auto k = next++; k < questions.size(); k = next++)
        out[k].error = e.what();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(connections, 1); ++t)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();
  return out;
}

} // namespace cdpd::test::generated
