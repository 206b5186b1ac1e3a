#include "storage/repositories/customer_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/flow_run_repository.hpp"
#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define CUSTOMER_COLUMNS                                                       \
  "id, email, phone, first_name, last_name, marketing_opt_in,"                 \
  " shipping_state, shipping_country, total_order_value::float8,"              \
  " order_count, last_order_date, created_at"

#define CUSTOMER_FILTER                                                        \
  " WHERE ($1::text IS NULL OR first_name ILIKE '%' || $1 || '%' ESCAPE ''"    \
  " OR last_name ILIKE '%' || $1 || '%' ESCAPE ''"                             \
  " OR email ILIKE '%' || $1 || '%' ESCAPE '')"

constexpr const char* list_sql =
    "SELECT " CUSTOMER_COLUMNS " FROM customers" CUSTOMER_FILTER
    " AND ($2::timestamp IS NULL OR (created_at, id) > ($2::timestamp, "
    "$3::uuid)) ORDER BY created_at, id OFFSET $4 LIMIT $5";

constexpr const char* count_sql =
    "SELECT count(*) FROM customers" CUSTOMER_FILTER;

constexpr const char* get_sql =
    "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO customers (email, phone, first_name, last_name,"
    " marketing_opt_in, shipping_state, shipping_country)"
    " VALUES ($1, $2, $3, $4, coalesce($5::boolean, true), $6, $7)"
    " ON CONFLICT (email) DO NOTHING RETURNING " CUSTOMER_COLUMNS;

// Each optional column comes as (set?, value): unset keeps the stored value.
constexpr const char* update_sql =
    "UPDATE customers SET"
    " email = coalesce($2, email),"
    " first_name = coalesce($3, first_name),"
    " last_name = coalesce($4, last_name),"
    " marketing_opt_in = coalesce($5::boolean, marketing_opt_in),"
    " phone = CASE WHEN $6::boolean THEN $7 ELSE phone END,"
    " shipping_state = CASE WHEN $8::boolean THEN $9 ELSE shipping_state END,"
    " shipping_country = CASE WHEN $10::boolean THEN $11"
    " ELSE shipping_country END,"
    " updated_at = now() AT TIME ZONE 'utc'"
    " WHERE id = $1::uuid RETURNING " CUSTOMER_COLUMNS;

constexpr const char* delete_sql = "DELETE FROM customers WHERE id = $1::uuid";

customer_record read_customer(const pqxx::row& row) {
  customer_record c;
  c.id = row[0].as<std::string>();
  c.email = row[1].as<std::string>();
  c.phone = internal::optional_text(row[2]);
  c.first_name = row[3].as<std::string>();
  c.last_name = row[4].as<std::string>();
  c.marketing_opt_in = row[5].as<bool>();
  c.shipping_state = internal::optional_text(row[6]);
  c.shipping_country = internal::optional_text(row[7]);
  c.total_order_value = row[8].as<double>();
  c.order_count = row[9].as<int64_t>();
  c.last_order_date = internal::optional_timestamp(row[10]);
  c.created_at = internal::iso_timestamp(row[11].c_str());
  return c;
}

const char* bool_param(const std::optional<bool>& value) {
  if (!value)
    return nullptr;
  return param(*value);
}

} // namespace

caf::expected<page<customer_record>>
list_customers(pqxx::connection& conn, const customer_query& query) {
  prepare(conn, "customers_list", list_sql);
  prepare(conn, "customers_count", count_sql);
  std::optional<std::string> search;
  if (query.search && !query.search->empty())
    search = query.search;
  return in_transaction(conn, "list_customers", [&](pqxx::work& tx) {
    internal::page_params p{query.page};
    auto rows =
        tx.exec_prepared("customers_list", param(search), p.after_created_at(),
                         p.after_id(), p.skip(), p.fetch());
    auto total = search ? tx.exec_prepared1("customers_count", param(search))[0]
                              .as<int64_t>()
                        : internal::table_rows(tx, "customers");
    return internal::make_page<customer_record>(rows, query.page, total,
                                                read_customer);
  });
}

caf::expected<outcome<customer_record>> get_customer(pqxx::connection& conn,
                                                     const std::string& id) {
  using result = outcome<customer_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::customer_missing);
  prepare(conn, "customers_get", get_sql);
  return in_transaction(conn, "get_customer", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("customers_get", id);
    if (rows.empty())
      return result::refused(refusal::customer_missing);
    return result::of(read_customer(rows[0]));
  });
}

caf::expected<outcome<customer_record>>
create_customer(pqxx::connection& conn, const customer_fields& fields) {
  using result = outcome<customer_record>;
  prepare(conn, "customers_insert", insert_sql);
  auto inner = [](const nullable_update& u) { return u ? param(*u) : nullptr; };
  return in_transaction(conn, "create_customer", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared(
        "customers_insert", param(fields.email), inner(fields.phone),
        param(fields.first_name), param(fields.last_name),
        bool_param(fields.marketing_opt_in), inner(fields.shipping_state),
        inner(fields.shipping_country));
    if (rows.empty())
      return result::refused(refusal::email_taken);
    auto created = read_customer(rows[0]);
    insert_event(tx, created.id, "signup");
    return result::of(std::move(created));
  });
}

caf::expected<outcome<customer_record>>
update_customer(pqxx::connection& conn, const std::string& id,
                const customer_fields& fields) {
  using result = outcome<customer_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::customer_missing);
  prepare(conn, "customers_update", update_sql);
  auto is_set = [](const nullable_update& u) { return param(u.has_value()); };
  auto value = [](const nullable_update& u) { return u ? param(*u) : nullptr; };
  return in_transaction(conn, "update_customer", [&](pqxx::work& tx) {
    pqxx::result rows;
    try {
      // A savepoint, so that a taken email leaves the transaction usable
      // and becomes a refusal rather than a failed statement.
      pqxx::subtransaction attempt{tx, "update_customer_email"};
      rows = attempt.exec_prepared(
          "customers_update", id, param(fields.email), param(fields.first_name),
          param(fields.last_name), bool_param(fields.marketing_opt_in),
          is_set(fields.phone), value(fields.phone),
          is_set(fields.shipping_state), value(fields.shipping_state),
          is_set(fields.shipping_country), value(fields.shipping_country));
      attempt.commit();
    } catch (const pqxx::unique_violation&) {
      return result::refused(refusal::email_taken);
    }
    if (rows.empty())
      return result::refused(refusal::customer_missing);
    return result::of(read_customer(rows[0]));
  });
}

caf::expected<outcome<bool>> delete_customer(pqxx::connection& conn,
                                             const std::string& id) {
  using result = outcome<bool>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::customer_missing);
  prepare(conn, "customers_delete", delete_sql);
  return in_transaction(conn, "delete_customer", [&](pqxx::work& tx) {
    auto done = tx.exec_prepared("customers_delete", id);
    if (done.affected_rows() == 0)
      return result::refused(refusal::customer_missing);
    return result::of(true);
  });
}

} // namespace cdpd::storage
