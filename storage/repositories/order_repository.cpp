#include "storage/repositories/order_repository.hpp"

#include <set>

#include <pqxx/pqxx>

#include "storage/repositories/flow_run_repository.hpp"
#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::array_literal;
using internal::in_transaction;
using internal::param;
using internal::prepare;

#define ORDER_COLUMNS                                                          \
  "id, customer_id, order_date, order_status, total_amount::float8,"           \
  " currency, channel, coupon_code, created_at"

#define ORDER_FILTER                                                           \
  " WHERE ($1::uuid IS NULL OR customer_id = $1::uuid)"                        \
  " AND ($2::text IS NULL OR order_status = $2)"                               \
  " AND ($3::timestamp IS NULL OR order_date >= $3::timestamp)"                \
  " AND ($4::timestamp IS NULL OR CASE WHEN $5::boolean"                       \
  " THEN order_date < $4::timestamp + interval '1 day'"                        \
  " ELSE order_date <= $4::timestamp END)"

constexpr const char* list_sql =
    "SELECT " ORDER_COLUMNS " FROM orders" ORDER_FILTER
    " AND ($6::timestamp IS NULL OR (created_at, id) > ($6::timestamp, "
    "$7::uuid)) ORDER BY created_at, id OFFSET $8 LIMIT $9";

constexpr const char* count_sql = "SELECT count(*) FROM orders" ORDER_FILTER;

constexpr const char* get_sql =
    "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1::uuid";

constexpr const char* items_sql =
    "SELECT id, product_id, quantity, unit_price::float8 FROM order_items"
    " WHERE order_id = $1::uuid ORDER BY id";

// The lock serialises concurrent order writes of one customer, so each
// recomputation below sees every committed order of that customer.
constexpr const char* lock_customer_sql =
    "SELECT 1 FROM customers WHERE id = $1::uuid FOR UPDATE";

constexpr const char* count_products_sql =
    "SELECT count(*) FROM products WHERE id = ANY($1::uuid[])";

constexpr const char* insert_sql =
    "INSERT INTO orders (customer_id, order_date, order_status, total_amount,"
    " currency, channel, coupon_code) VALUES ($1::uuid,"
    " coalesce($2::timestamp, now() AT TIME ZONE 'utc'), $3, $4::numeric, $5,"
    " $6, $7) RETURNING " ORDER_COLUMNS;

constexpr const char* insert_items_sql =
    "INSERT INTO order_items (order_id, product_id, quantity, unit_price)"
    " SELECT $1::uuid, u.product_id, u.quantity,"
    " coalesce(u.unit_price, p.price)"
    " FROM unnest($2::uuid[], $3::integer[], $4::numeric[])"
    " WITH ORDINALITY AS u(product_id, quantity, unit_price, n)"
    " JOIN products p ON p.id = u.product_id ORDER BY u.n"
    " RETURNING id, product_id, quantity, unit_price::float8";

constexpr const char* recompute_sql =
    "UPDATE customers c SET total_order_value = a.total,"
    " order_count = a.n, last_order_date = a.last,"
    " updated_at = now() AT TIME ZONE 'utc'"
    " FROM (SELECT coalesce(sum(total_amount), 0) AS total, count(*) AS n,"
    " max(order_date) AS last FROM orders WHERE customer_id = $1::uuid) a"
    " WHERE c.id = $1::uuid";

order_record read_order(const pqxx::row& row) {
  order_record o;
  o.id = row[0].as<std::string>();
  o.user_id = row[1].as<std::string>();
  o.order_date = internal::iso_timestamp(row[2].c_str());
  o.order_status = row[3].as<std::string>();
  o.total_amount = row[4].as<double>();
  o.currency = row[5].as<std::string>();
  o.channel = row[6].as<std::string>();
  o.coupon_code = internal::optional_text(row[7]);
  o.created_at = internal::iso_timestamp(row[8].c_str());
  return o;
}

order_item_record read_item(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(),
          row[2].as<int64_t>(), row[3].as<double>()};
}

} // namespace

caf::expected<page<order_record>> list_orders(pqxx::connection& conn,
                                              const order_query& query) {
  using result = page<order_record>;
  if (query.user_id && !internal::is_uuid(*query.user_id))
    return result{};
  prepare(conn, "orders_list", list_sql);
  prepare(conn, "orders_count", count_sql);
  const char* whole_day = param(query.to_whole_day);
  return in_transaction(conn, "list_orders", [&](pqxx::work& tx) {
    internal::page_params p{query.page};
    auto rows = tx.exec_prepared(
        "orders_list", param(query.user_id), param(query.order_status),
        param(query.from), param(query.to), whole_day, p.after_created_at(),
        p.after_id(), p.skip(), p.fetch());
    bool filtered =
        query.user_id || query.order_status || query.from || query.to;
    auto total =
        filtered
            ? tx.exec_prepared1("orders_count", param(query.user_id),
                                param(query.order_status), param(query.from),
                                param(query.to), whole_day)[0]
                  .as<int64_t>()
            : internal::table_rows(tx, "orders");
    return internal::make_page<order_record>(rows, query.page, total,
                                             read_order);
  });
}

caf::expected<outcome<order_record>> get_order(pqxx::connection& conn,
                                               const std::string& id) {
  using result = outcome<order_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::order_missing);
  prepare(conn, "orders_get", get_sql);
  prepare(conn, "orders_items", items_sql);
  return in_transaction(conn, "get_order", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("orders_get", id);
    if (rows.empty())
      return result::refused(refusal::order_missing);
    auto order = read_order(rows[0]);
    for (const auto& row : tx.exec_prepared("orders_items", id))
      order.items.push_back(read_item(row));
    return result::of(std::move(order));
  });
}

caf::expected<outcome<order_record>> create_order(pqxx::connection& conn,
                                                  const order_input& input) {
  using result = outcome<order_record>;
  if (!internal::is_uuid(input.user_id))
    return result::refused(refusal::customer_missing);
  std::set<std::string> product_ids;
  for (const auto& item : input.items) {
    if (!internal::is_uuid(item.product_id))
      return result::refused(refusal::product_missing);
    product_ids.insert(item.product_id);
  }
  prepare(conn, "orders_lock_customer", lock_customer_sql);
  prepare(conn, "orders_count_products", count_products_sql);
  prepare(conn, "orders_insert", insert_sql);
  prepare(conn, "orders_insert_items", insert_items_sql);
  prepare(conn, "orders_recompute", recompute_sql);
  auto ids = array_literal(
      input.items, [](const order_item_input& i) { return i.product_id; });
  auto quantities = array_literal(input.items, [](const order_item_input& i) {
    return std::to_string(i.quantity);
  });
  auto prices = array_literal(input.items, [](const order_item_input& i) {
    return i.unit_price ? pqxx::to_string(*i.unit_price) : std::string{"NULL"};
  });
  auto total = pqxx::to_string(input.total_amount);
  return in_transaction(conn, "create_order", [&](pqxx::work& tx) {
    if (tx.exec_prepared("orders_lock_customer", input.user_id).empty())
      return result::refused(refusal::customer_missing);
    if (!product_ids.empty()) {
      auto found =
          tx.exec_prepared1("orders_count_products", ids)[0].as<std::size_t>();
      if (found != product_ids.size())
        return result::refused(refusal::product_missing);
    }
    auto order = read_order(tx.exec_prepared1(
        "orders_insert", input.user_id, param(input.order_date),
        input.order_status, total, input.currency, input.channel,
        param(input.coupon_code)));
    if (!input.items.empty())
      for (const auto& row : tx.exec_prepared("orders_insert_items", order.id,
                                              ids, quantities, prices))
        order.items.push_back(read_item(row));
    tx.exec_prepared("orders_recompute", input.user_id);
    insert_order_events(tx, input.user_id, order.id, order.order_status);
    return result::of(std::move(order));
  });
}

} // namespace cdpd::storage
