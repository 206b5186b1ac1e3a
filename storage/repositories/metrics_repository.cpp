#include "storage/repositories/metrics_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::prepare;

constexpr const char* dashboard_sql =
    "SELECT (SELECT count(*) FROM customers),"
    " (SELECT coalesce(sum(total_amount), 0)::float8 FROM orders"
    "  WHERE order_date >= (now() AT TIME ZONE 'utc') - interval '30 days'),"
    " (SELECT count(*) FROM orders),"
    " (SELECT coalesce(avg(total_amount), 0)::float8 FROM orders),"
    " (SELECT count(*) FROM (SELECT customer_id FROM orders"
    "  GROUP BY customer_id HAVING count(*) > 1) r)";

constexpr const char* customer_sql =
    "SELECT c.id, coalesce(sum(o.total_amount), 0)::float8,"
    " coalesce(avg(o.total_amount), 0)::float8,"
    " floor(extract(epoch FROM (now() AT TIME ZONE 'utc') -"
    " c.last_order_date) / 86400)::bigint, count(o.id)"
    " FROM customers c LEFT JOIN orders o ON o.customer_id = c.id"
    " WHERE c.id = $1::uuid GROUP BY c.id";

constexpr const char* product_sql =
    "SELECT p.id, coalesce(sum(i.quantity), 0)::bigint,"
    " count(DISTINCT i.order_id),"
    " coalesce(sum(i.quantity * i.unit_price), 0)::float8,"
    " max(o.order_date)"
    " FROM products p LEFT JOIN order_items i ON i.product_id = p.id"
    " LEFT JOIN orders o ON o.id = i.order_id"
    " WHERE p.id = $1::uuid GROUP BY p.id";

constexpr const char* top_sql =
    "SELECT p.id, p.name, coalesce(s.units, 0)::bigint,"
    " coalesce(s.revenue, 0)::float8 FROM products p"
    " LEFT JOIN (SELECT product_id, sum(quantity) AS units,"
    " sum(quantity * unit_price) AS revenue FROM order_items"
    " GROUP BY product_id) s ON s.product_id = p.id"
    " ORDER BY coalesce(s.units, 0) DESC, p.created_at, p.id LIMIT $1";

} // namespace

caf::expected<dashboard_metrics> read_dashboard(pqxx::connection& conn) {
  prepare(conn, "metrics_dashboard", dashboard_sql);
  return in_transaction(conn, "read_dashboard", [&](pqxx::work& tx) {
    auto row = tx.exec_prepared1("metrics_dashboard");
    dashboard_metrics m;
    m.total_customers = row[0].as<int64_t>();
    m.revenue_30d = row[1].as<double>();
    m.total_orders = row[2].as<int64_t>();
    m.average_order_value = row[3].as<double>();
    m.returning_customers = row[4].as<int64_t>();
    m.new_customers = m.total_customers - m.returning_customers;
    return m;
  });
}

caf::expected<outcome<customer_metrics>>
read_customer_metrics(pqxx::connection& conn, const std::string& id) {
  using result = outcome<customer_metrics>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::customer_missing);
  prepare(conn, "metrics_customer", customer_sql);
  return in_transaction(conn, "read_customer_metrics", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("metrics_customer", id);
    if (rows.empty())
      return result::refused(refusal::customer_missing);
    const auto& row = rows[0];
    customer_metrics m;
    m.user_id = row[0].as<std::string>();
    m.lifetime_value = row[1].as<double>();
    m.average_order_value = row[2].as<double>();
    if (!row[3].is_null())
      m.days_since_last_order = row[3].as<int64_t>();
    m.total_orders = row[4].as<int64_t>();
    return result::of(std::move(m));
  });
}

caf::expected<outcome<product_metrics>>
read_product_metrics(pqxx::connection& conn, const std::string& id) {
  using result = outcome<product_metrics>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::product_missing);
  prepare(conn, "metrics_product", product_sql);
  return in_transaction(conn, "read_product_metrics", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("metrics_product", id);
    if (rows.empty())
      return result::refused(refusal::product_missing);
    const auto& row = rows[0];
    product_metrics m;
    m.product_id = row[0].as<std::string>();
    m.total_units_sold = row[1].as<int64_t>();
    m.total_orders = row[2].as<int64_t>();
    m.total_revenue = row[3].as<double>();
    m.last_purchased_at = internal::optional_timestamp(row[4]);
    return result::of(std::move(m));
  });
}

caf::expected<std::vector<product_sales>>
read_top_products(pqxx::connection& conn, int64_t limit) {
  prepare(conn, "metrics_top_products", top_sql);
  return in_transaction(conn, "read_top_products", [&](pqxx::work& tx) {
    std::vector<product_sales> out;
    for (const auto& row :
         tx.exec_prepared("metrics_top_products", std::to_string(limit)))
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(),
                     row[2].as<int64_t>(), row[3].as<double>()});
    return out;
  });
}

} // namespace cdpd::storage
