#include "storage/repositories/import_repository.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;

// Rows are staged in temporary tables that disappear at commit, so pooled
// connections carry no state from one call to the next. Statements that
// read them run unprepared: the tables are new in every transaction.

constexpr const char* customer_stage_sql =
    "CREATE TEMP TABLE cdpd_import_customers ("
    " n integer PRIMARY KEY, round integer NOT NULL DEFAULT 0,"
    " external_id text NOT NULL, email text, first_name text, last_name text,"
    " marketing_opt_in boolean, phone_set boolean NOT NULL, phone text,"
    " state_set boolean NOT NULL, shipping_state text,"
    " country_set boolean NOT NULL, shipping_country text,"
    " target uuid, reason text, outcome text) ON COMMIT DROP";

constexpr const char* customer_rounds_sql =
    "CREATE TEMP TABLE cdpd_import_rounds (n integer PRIMARY KEY,"
    " round integer NOT NULL) ON COMMIT DROP";

constexpr const char* apply_rounds_sql =
    "UPDATE cdpd_import_customers s SET round = r.round"
    " FROM cdpd_import_rounds r WHERE r.n = s.n";

// The emails that rows may take away from their own customer.
constexpr const char* stored_emails_sql =
    "SELECT s.n, c.email FROM cdpd_import_customers s"
    " JOIN customers c ON c.external_id = s.external_id"
    " WHERE c.email IS DISTINCT FROM s.email";

// Match by external_id, else adopt the customer owning the email when it
// has no external_id; an email owned by anyone else rejects the row.
constexpr const char* customer_decide_sql =
    "UPDATE cdpd_import_customers s SET reason = r.reason,"
    " target = CASE WHEN r.reason IS NULL THEN coalesce(r.by_ext, r.by_email)"
    " END FROM (SELECT s2.n, e.id AS by_ext, m.id AS by_email, CASE"
    " WHEN m.id IS NOT NULL AND m.id IS DISTINCT FROM e.id"
    " AND (e.id IS NOT NULL OR m.external_id IS NOT NULL)"
    " THEN 'email ' || s2.email || ' already belongs to another customer'"
    " WHEN e.id IS NULL AND m.id IS NULL AND (s2.email IS NULL"
    " OR s2.first_name IS NULL OR s2.last_name IS NULL)"
    " THEN 'email, first_name and last_name are required for a new customer'"
    " END AS reason FROM cdpd_import_customers s2"
    " LEFT JOIN customers e ON e.external_id = s2.external_id"
    " LEFT JOIN customers m ON m.email = s2.email WHERE s2.round = $1) r"
    " WHERE s.n = r.n";

constexpr const char* customer_unchanged_sql =
    "UPDATE cdpd_import_customers s SET outcome = 'unchanged'"
    " FROM customers c WHERE s.round = $1 AND s.reason IS NULL"
    " AND c.id = s.target AND c.external_id = s.external_id"
    " AND (s.email IS NULL OR c.email = s.email)"
    " AND (s.first_name IS NULL OR c.first_name = s.first_name)"
    " AND (s.last_name IS NULL OR c.last_name = s.last_name)"
    " AND (s.marketing_opt_in IS NULL"
    " OR c.marketing_opt_in = s.marketing_opt_in)"
    " AND (NOT s.phone_set OR c.phone IS NOT DISTINCT FROM s.phone)"
    " AND (NOT s.state_set"
    " OR c.shipping_state IS NOT DISTINCT FROM s.shipping_state)"
    " AND (NOT s.country_set"
    " OR c.shipping_country IS NOT DISTINCT FROM s.shipping_country)";

constexpr const char* customer_update_sql =
    "WITH changed AS (UPDATE customers c SET external_id = s.external_id,"
    " email = coalesce(s.email, c.email),"
    " first_name = coalesce(s.first_name, c.first_name),"
    " last_name = coalesce(s.last_name, c.last_name),"
    " marketing_opt_in = coalesce(s.marketing_opt_in, c.marketing_opt_in),"
    " phone = CASE WHEN s.phone_set THEN s.phone ELSE c.phone END,"
    " shipping_state = CASE WHEN s.state_set THEN s.shipping_state"
    " ELSE c.shipping_state END,"
    " shipping_country = CASE WHEN s.country_set THEN s.shipping_country"
    " ELSE c.shipping_country END,"
    " updated_at = now() AT TIME ZONE 'utc'"
    " FROM cdpd_import_customers s WHERE s.round = $1 AND s.reason IS NULL"
    " AND s.outcome IS NULL AND c.id = s.target RETURNING c.id)"
    " UPDATE cdpd_import_customers s SET outcome = 'updated' FROM changed"
    " WHERE s.round = $1 AND s.target = changed.id";

// DO NOTHING: a concurrent writer that took the email or external_id since
// the decision above rejects the row instead of failing the batch.
constexpr const char* customer_insert_sql =
    "WITH added AS (INSERT INTO customers (external_id, email, first_name,"
    " last_name, marketing_opt_in, phone, shipping_state, shipping_country)"
    " SELECT external_id, email, first_name, last_name,"
    " coalesce(marketing_opt_in, true), phone, shipping_state,"
    " shipping_country FROM cdpd_import_customers WHERE round = $1"
    " AND reason IS NULL AND target IS NULL ORDER BY n"
    " ON CONFLICT DO NOTHING RETURNING id, external_id)"
    " UPDATE cdpd_import_customers s SET target = added.id,"
    " outcome = 'inserted' FROM added"
    " WHERE s.round = $1 AND s.external_id = added.external_id";

constexpr const char* customer_results_sql =
    "SELECT n, outcome, target, reason FROM cdpd_import_customers ORDER BY n";

constexpr const char* order_stage_sql =
    "CREATE TEMP TABLE cdpd_import_orders ("
    " n integer PRIMARY KEY, round integer NOT NULL,"
    " external_id text NOT NULL, customer_external_id text,"
    " customer_ref uuid, order_date timestamp, order_status text NOT NULL,"
    " total_amount numeric(14,2) NOT NULL, currency text NOT NULL,"
    " channel text NOT NULL, coupon_code text, customer_id uuid,"
    " order_id uuid, old_customer_id uuid, reason text, outcome text)"
    " ON COMMIT DROP;"
    " CREATE TEMP TABLE cdpd_import_order_items ("
    " n integer NOT NULL, item_no integer NOT NULL,"
    " product_external_id text, product_ref uuid, quantity integer NOT NULL,"
    " unit_price numeric(12,2), product_id uuid, PRIMARY KEY (n, item_no))"
    " ON COMMIT DROP";

constexpr const char* order_resolve_sql =
    "UPDATE cdpd_import_orders s SET customer_id ="
    " CASE WHEN s.customer_external_id IS NOT NULL"
    " THEN (SELECT c.id FROM customers c"
    " WHERE c.external_id = s.customer_external_id)"
    " ELSE (SELECT c.id FROM customers c WHERE c.id = s.customer_ref) END;"
    " UPDATE cdpd_import_order_items i SET product_id ="
    " CASE WHEN i.product_external_id IS NOT NULL"
    " THEN (SELECT p.id FROM products p"
    " WHERE p.external_id = i.product_external_id)"
    " ELSE (SELECT p.id FROM products p WHERE p.id = i.product_ref) END;"
    " UPDATE cdpd_import_orders s SET reason = CASE"
    " WHEN s.customer_id IS NULL THEN CASE"
    " WHEN s.customer_external_id IS NOT NULL"
    " THEN format('unknown customer external_id \"%s\"',"
    " s.customer_external_id)"
    " ELSE format('unknown customer id \"%s\"', s.customer_ref) END"
    " ELSE (SELECT CASE WHEN i.product_external_id IS NOT NULL"
    " THEN format('unknown product external_id \"%s\"',"
    " i.product_external_id)"
    " ELSE format('unknown product id \"%s\"', i.product_ref) END"
    " FROM cdpd_import_order_items i WHERE i.n = s.n"
    " AND i.product_id IS NULL ORDER BY i.item_no LIMIT 1) END"
    " WHERE s.customer_id IS NULL OR EXISTS (SELECT 1"
    " FROM cdpd_import_order_items i"
    " WHERE i.n = s.n AND i.product_id IS NULL)";

// Orders first, then customers, each in id order: a concurrent import
// moving one of these orders is waited for, and every customer whose
// aggregates this call recomputes is locked as create_order locks it.
constexpr const char* order_lock_sql =
    "SELECT 1 FROM orders o WHERE o.external_id IN (SELECT external_id"
    " FROM cdpd_import_orders WHERE reason IS NULL) ORDER BY o.id FOR UPDATE";

constexpr const char* order_lock_customers_sql =
    "SELECT 1 FROM customers c WHERE c.id IN (SELECT customer_id"
    " FROM cdpd_import_orders WHERE reason IS NULL UNION SELECT o.customer_id"
    " FROM orders o JOIN cdpd_import_orders s"
    " ON s.external_id = o.external_id WHERE s.reason IS NULL)"
    " ORDER BY c.id FOR UPDATE";

constexpr const char* order_match_sql =
    "UPDATE cdpd_import_orders s SET order_id = o.id,"
    " old_customer_id = o.customer_id FROM orders o WHERE s.round = $1"
    " AND s.reason IS NULL AND o.external_id = s.external_id";

// Items compare as multisets: order_items keeps no position.
constexpr const char* order_unchanged_sql =
    "UPDATE cdpd_import_orders s SET outcome = 'unchanged' FROM orders o"
    " WHERE s.round = $1 AND s.reason IS NULL AND o.id = s.order_id"
    " AND o.customer_id = s.customer_id"
    " AND (s.order_date IS NULL OR o.order_date = s.order_date)"
    " AND o.order_status = s.order_status"
    " AND o.total_amount = s.total_amount AND o.currency = s.currency"
    " AND o.channel = s.channel"
    " AND o.coupon_code IS NOT DISTINCT FROM s.coupon_code"
    " AND (SELECT array_agg(ROW(x.product_id, x.quantity, x.unit_price)"
    " ORDER BY x.product_id, x.quantity, x.unit_price) FROM order_items x"
    " WHERE x.order_id = o.id) IS NOT DISTINCT FROM"
    " (SELECT array_agg(ROW(i.product_id, i.quantity,"
    " coalesce(i.unit_price, p.price)) ORDER BY i.product_id, i.quantity,"
    " coalesce(i.unit_price, p.price)) FROM cdpd_import_order_items i"
    " JOIN products p ON p.id = i.product_id WHERE i.n = s.n)";

constexpr const char* order_update_sql =
    "WITH changed AS (UPDATE orders o SET customer_id = s.customer_id,"
    " order_date = coalesce(s.order_date, o.order_date),"
    " order_status = s.order_status, total_amount = s.total_amount,"
    " currency = s.currency, channel = s.channel,"
    " coupon_code = s.coupon_code FROM cdpd_import_orders s"
    " WHERE s.round = $1 AND s.reason IS NULL AND s.outcome IS NULL"
    " AND o.id = s.order_id RETURNING o.id)"
    " UPDATE cdpd_import_orders s SET outcome = 'updated' FROM changed"
    " WHERE s.round = $1 AND s.order_id = changed.id";

constexpr const char* order_delete_items_sql =
    "DELETE FROM order_items x USING cdpd_import_orders s"
    " WHERE s.round = $1 AND s.outcome = 'updated' AND x.order_id = s.order_id";

constexpr const char* order_insert_sql =
    "WITH added AS (INSERT INTO orders (external_id, customer_id, order_date,"
    " order_status, total_amount, currency, channel, coupon_code)"
    " SELECT external_id, customer_id,"
    " coalesce(order_date, now() AT TIME ZONE 'utc'), order_status,"
    " total_amount, currency, channel, coupon_code FROM cdpd_import_orders"
    " WHERE round = $1 AND reason IS NULL AND order_id IS NULL ORDER BY n"
    " ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id)"
    " UPDATE cdpd_import_orders s SET order_id = added.id,"
    " outcome = 'inserted' FROM added"
    " WHERE s.round = $1 AND s.external_id = added.external_id";

constexpr const char* order_insert_items_sql =
    "INSERT INTO order_items (order_id, product_id, quantity, unit_price)"
    " SELECT s.order_id, i.product_id, i.quantity,"
    " coalesce(i.unit_price, p.price) FROM cdpd_import_orders s"
    " JOIN cdpd_import_order_items i ON i.n = s.n"
    " JOIN products p ON p.id = i.product_id WHERE s.round = $1"
    " AND s.outcome IN ('inserted', 'updated') ORDER BY s.n, i.item_no";

// The same aggregates create_order computes, for every customer that
// gained or lost an order in this call.
constexpr const char* order_recompute_sql =
    "UPDATE customers c SET total_order_value = a.total,"
    " order_count = a.n, last_order_date = a.last,"
    " updated_at = now() AT TIME ZONE 'utc'"
    " FROM (SELECT t.id, coalesce(sum(o.total_amount), 0) AS total,"
    " count(o.id) AS n, max(o.order_date) AS last FROM (SELECT customer_id"
    " AS id FROM cdpd_import_orders WHERE outcome IN ('inserted', 'updated')"
    " UNION SELECT old_customer_id FROM cdpd_import_orders"
    " WHERE outcome = 'updated') t"
    " LEFT JOIN orders o ON o.customer_id = t.id GROUP BY t.id) a"
    " WHERE c.id = a.id AND (c.total_order_value, c.order_count,"
    " c.last_order_date) IS DISTINCT FROM (a.total, a.n, a.last)";

constexpr const char* order_results_sql =
    "SELECT n, outcome, order_id, reason FROM cdpd_import_orders ORDER BY n";

constexpr const char* concurrent_reason =
    "written concurrently by another transaction; import the line again";

/// True when PostgreSQL can store `text` in a text column: valid UTF-8
/// without NUL characters.
bool storable_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0)
      return false;
    std::size_t extra = c < 0x80           ? 0
                        : (c >> 5) == 0x6  ? 1
                        : (c >> 4) == 0xE  ? 2
                        : (c >> 3) == 0x1E ? 3
                                           : 4;
    if (extra == 4 || i + extra >= text.size())
      return false;
    uint32_t code = extra == 0 ? c : c & (0x3F >> extra);
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      code = (code << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t min_code[] = {0, 0x80, 0x800, 0x10000};
    if (code < min_code[extra] || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

bool storable(const std::string& text) {
  return storable_text(text);
}

bool storable(const std::optional<std::string>& text) {
  return !text || storable_text(*text);
}

bool storable(const nullable_update& text) {
  return !text || storable(*text);
}

/// Digits of `text` at [pos, pos + n) as a number; -1 when not digits.
int digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size())
    return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// True for "YYYY-MM-DD" optionally followed by "(T| )HH:MM:SS[.f{1,6}]",
/// a real calendar date and time: the forms the timestamp column accepts.
bool valid_timestamp(std::string_view t) {
  int y = digits(t, 0, 4), m = digits(t, 5, 2), d = digits(t, 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || t[4] != '-' || t[7] != '-')
    return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > days[m - 1] + (m == 2 && leap ? 1 : 0))
    return false;
  if (t.size() == 10)
    return true;
  int h = digits(t, 11, 2), mi = digits(t, 14, 2), s = digits(t, 17, 2);
  if ((t[10] != 'T' && t[10] != ' ') || t.size() < 19 || t[13] != ':' ||
      t[16] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return false;
  if (t.size() == 19)
    return true;
  return t[19] == '.' && t.size() >= 21 && t.size() <= 26 &&
         digits(t, 20, t.size() - 20) >= 0;
}

/// True when `x` fits a numeric column with two decimals below `limit`.
bool money_in_range(double x, double limit) {
  return std::isfinite(x) && x >= 0 && x < limit;
}

import_line_result rejected(std::string reason) {
  return {import_outcome::rejected, {}, std::move(reason)};
}

/// Reads the per-row outcome table a call staged.
void read_results(pqxx::work& tx, const char* sql,
                  std::vector<import_line_result>& results) {
  for (const auto& row : tx.exec(sql)) {
    auto& r = results[row[0].as<std::size_t>()];
    auto outcome = internal::optional_text(row[1]);
    if (!outcome) {
      r = rejected(row[3].is_null() ? concurrent_reason
                                    : row[3].as<std::string>());
      continue;
    }
    r.id = row[2].as<std::string>();
    r.outcome = *outcome == "inserted"  ? import_outcome::inserted
                : *outcome == "updated" ? import_outcome::updated
                                        : import_outcome::unchanged;
  }
}

/// The reason a customer row cannot be staged, or empty.
std::string customer_problem(const customer_import_row& row) {
  const auto& f = row.fields;
  if (row.external_id.empty())
    return "external_id is required";
  if (!storable(row.external_id) || !storable(f.email) ||
      !storable(f.first_name) || !storable(f.last_name) || !storable(f.phone) ||
      !storable(f.shipping_state) || !storable(f.shipping_country))
    return "text must be UTF-8 without NUL characters";
  return {};
}

/// Execution rounds: a row goes after every earlier row that shares its
/// external_id, its email, or an email its customer may hold at that
/// point (stored, or set by an earlier row of the same external_id). Rows
/// of one round are then independent, so applying a round at once gives
/// the outcome of applying its rows one by one.
std::vector<int> customer_rounds(
    const std::vector<customer_import_row>& rows,
    const std::vector<std::size_t>& staged,
    const std::unordered_map<std::size_t, std::string>& stored_email) {
  std::unordered_map<std::string, int> next_round;
  std::unordered_map<std::string, std::vector<std::string>> held;
  std::vector<int> rounds;
  rounds.reserve(staged.size());
  for (std::size_t k = 0; k < staged.size(); ++k) {
    const auto& row = rows[staged[k]];
    auto& emails = held[row.external_id];
    if (auto i = stored_email.find(k);
        i != stored_email.end() && emails.empty())
      emails.push_back(i->second);
    std::vector<std::string> keys{"x" + row.external_id};
    for (const auto& e : emails)
      keys.push_back("e" + e);
    if (row.fields.email) {
      keys.push_back("e" + *row.fields.email);
      emails.push_back(*row.fields.email);
    }
    int round = 0;
    for (const auto& key : keys)
      if (auto i = next_round.find(key); i != next_round.end())
        round = std::max(round, i->second);
    for (const auto& key : keys)
      next_round[key] = round + 1;
    rounds.push_back(round);
  }
  return rounds;
}

/// The reason an order row cannot be staged, or empty.
std::string order_problem(const order_import_row& row) {
  if (row.external_id.empty())
    return "external_id is required";
  if (row.customer_external_id.empty() && !internal::is_uuid(row.customer_id))
    return "unknown customer id \"" + row.customer_id + "\"";
  if (row.order_date && !valid_timestamp(*row.order_date))
    return "order_date: invalid datetime \"" + *row.order_date + "\"";
  if (!money_in_range(row.total_amount, 1e12 - 1))
    return "total_amount: out of range";
  bool texts = storable(row.external_id) &&
               storable(row.customer_external_id) &&
               storable(row.order_status) && storable(row.currency) &&
               storable(row.channel) && storable(row.coupon_code);
  for (std::size_t i = 0; i < row.items.size(); ++i) {
    const auto& item = row.items[i];
    auto at = "items[" + std::to_string(i) + "]";
    if (item.product_external_id.empty() && !internal::is_uuid(item.product_id))
      return "unknown product id \"" + item.product_id + "\"";
    if (item.quantity < 1 || item.quantity > std::numeric_limits<int>::max())
      return at + ".quantity: out of range";
    if (item.unit_price && !money_in_range(*item.unit_price, 1e10 - 1))
      return at + ".unit_price: out of range";
    texts = texts && storable(item.product_external_id);
  }
  if (!texts)
    return "text must be UTF-8 without NUL characters";
  return {};
}

std::optional<std::string> unless_empty(const std::string& text) {
  if (text.empty())
    return std::nullopt;
  return text;
}

} // namespace

caf::expected<std::vector<import_line_result>>
import_customers(pqxx::connection& conn,
                 const std::vector<customer_import_row>& rows) {
  std::vector<import_line_result> results(rows.size());
  std::vector<std::size_t> staged; // indexes into rows, in row order
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto problem = customer_problem(rows[i]);
    if (problem.empty())
      staged.push_back(i);
    else
      results[i] = rejected(std::move(problem));
  }
  if (staged.empty())
    return results;
  auto ok = in_transaction(conn, "import_customers", [&](pqxx::work& tx) {
    tx.exec(customer_stage_sql);
    {
      pqxx::stream_to copy{
          tx, "cdpd_import_customers",
          std::vector<std::string>{"n", "external_id", "email", "first_name",
                                   "last_name", "marketing_opt_in", "phone_set",
                                   "phone", "state_set", "shipping_state",
                                   "country_set", "shipping_country"}};
      auto inner = [](const nullable_update& u) {
        return u ? *u : std::optional<std::string>{};
      };
      for (std::size_t k = 0; k < staged.size(); ++k) {
        const auto& row = rows[staged[k]];
        const auto& f = row.fields;
        copy << std::make_tuple(
            static_cast<int>(k), row.external_id, f.email, f.first_name,
            f.last_name, f.marketing_opt_in, f.phone.has_value(),
            inner(f.phone), f.shipping_state.has_value(),
            inner(f.shipping_state), f.shipping_country.has_value(),
            inner(f.shipping_country));
      }
      copy.complete();
    }
    // Without statistics the planner takes the staged table for a few rows
    // and joins it by nested loops: quadratic on a 1,000-row batch.
    tx.exec("ANALYZE cdpd_import_customers");
    std::unordered_map<std::size_t, std::string> stored_email;
    for (const auto& row : tx.exec(stored_emails_sql))
      stored_email.emplace(row[0].as<std::size_t>(), row[1].as<std::string>());
    auto rounds = customer_rounds(rows, staged, stored_email);
    int last_round = *std::max_element(rounds.begin(), rounds.end());
    if (last_round > 0) {
      tx.exec(customer_rounds_sql);
      pqxx::stream_to copy{tx, "cdpd_import_rounds",
                           std::vector<std::string>{"n", "round"}};
      for (std::size_t k = 0; k < rounds.size(); ++k)
        if (rounds[k] > 0)
          copy << std::make_tuple(static_cast<int>(k), rounds[k]);
      copy.complete();
      tx.exec(apply_rounds_sql);
      tx.exec("ANALYZE cdpd_import_customers");
    }
    for (int round = 0; round <= last_round; ++round)
      for (auto sql : {customer_decide_sql, customer_unchanged_sql,
                       customer_update_sql, customer_insert_sql})
        tx.exec_params(sql, round);
    std::vector<import_line_result> staged_results(staged.size());
    read_results(tx, customer_results_sql, staged_results);
    for (std::size_t k = 0; k < staged.size(); ++k)
      results[staged[k]] = std::move(staged_results[k]);
    return true;
  });
  if (!ok)
    return ok.error();
  return results;
}

caf::expected<std::vector<import_line_result>>
import_orders(pqxx::connection& conn,
              const std::vector<order_import_row>& rows) {
  std::vector<import_line_result> results(rows.size());
  std::vector<std::size_t> staged;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto problem = order_problem(rows[i]);
    if (problem.empty())
      staged.push_back(i);
    else
      results[i] = rejected(std::move(problem));
  }
  if (staged.empty())
    return results;
  // Orders touch no other order, so only a repeated external_id needs a
  // later round.
  std::unordered_map<std::string_view, int> seen;
  std::vector<int> rounds;
  for (auto i : staged)
    rounds.push_back(seen[rows[i].external_id]++);
  int last_round = *std::max_element(rounds.begin(), rounds.end());
  auto ok = in_transaction(conn, "import_orders", [&](pqxx::work& tx) {
    tx.exec(order_stage_sql);
    {
      pqxx::stream_to copy{
          tx, "cdpd_import_orders",
          std::vector<std::string>{"n", "round", "external_id",
                                   "customer_external_id", "customer_ref",
                                   "order_date", "order_status", "total_amount",
                                   "currency", "channel", "coupon_code"}};
      for (std::size_t k = 0; k < staged.size(); ++k) {
        const auto& row = rows[staged[k]];
        auto by_external = unless_empty(row.customer_external_id);
        std::optional<std::string> by_id;
        if (!by_external)
          by_id = row.customer_id;
        copy << std::make_tuple(static_cast<int>(k), rounds[k], row.external_id,
                                by_external, by_id, row.order_date,
                                row.order_status, row.total_amount,
                                row.currency, row.channel, row.coupon_code);
      }
      copy.complete();
    }
    {
      pqxx::stream_to copy{
          tx, "cdpd_import_order_items",
          std::vector<std::string>{"n", "item_no", "product_external_id",
                                   "product_ref", "quantity", "unit_price"}};
      for (std::size_t k = 0; k < staged.size(); ++k) {
        const auto& items = rows[staged[k]].items;
        for (std::size_t p = 0; p < items.size(); ++p) {
          auto by_external = unless_empty(items[p].product_external_id);
          std::optional<std::string> by_id;
          if (!by_external)
            by_id = items[p].product_id;
          copy << std::make_tuple(
              static_cast<int>(k), static_cast<int>(p), by_external, by_id,
              static_cast<int>(items[p].quantity), items[p].unit_price);
        }
      }
      copy.complete();
    }
    tx.exec("ANALYZE cdpd_import_orders, cdpd_import_order_items");
    tx.exec(order_resolve_sql);
    tx.exec(order_lock_sql);
    tx.exec(order_lock_customers_sql);
    for (int round = 0; round <= last_round; ++round)
      for (auto sql :
           {order_match_sql, order_unchanged_sql, order_update_sql,
            order_delete_items_sql, order_insert_sql, order_insert_items_sql})
        tx.exec_params(sql, round);
    tx.exec(order_recompute_sql);
    std::vector<import_line_result> staged_results(staged.size());
    read_results(tx, order_results_sql, staged_results);
    for (std::size_t k = 0; k < staged.size(); ++k)
      results[staged[k]] = std::move(staged_results[k]);
    return true;
  });
  if (!ok)
    return ok.error();
  return results;
}

} // namespace cdpd::storage
