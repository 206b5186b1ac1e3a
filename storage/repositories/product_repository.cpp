#include "storage/repositories/product_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define PRODUCT_COLUMNS "id, name, category, brand, price::float8, created_at"

constexpr const char* list_sql =
    "SELECT " PRODUCT_COLUMNS " FROM products"
    " WHERE ($1::text IS NULL OR category = $1)"
    " AND ($2::timestamp IS NULL OR (created_at, id) > ($2::timestamp, "
    "$3::uuid)) ORDER BY created_at, id OFFSET $4 LIMIT $5";

constexpr const char* count_sql =
    "SELECT count(*) FROM products WHERE ($1::text IS NULL OR category = $1)";

constexpr const char* get_sql =
    "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1::uuid";

constexpr const char* insert_sql =
    "INSERT INTO products (name, category, brand, price)"
    " VALUES ($1, $2, $3, $4::numeric) RETURNING " PRODUCT_COLUMNS;

constexpr const char* update_sql =
    "UPDATE products SET name = coalesce($2, name),"
    " category = coalesce($3, category), brand = coalesce($4, brand),"
    " price = coalesce($5::numeric, price)"
    " WHERE id = $1::uuid RETURNING " PRODUCT_COLUMNS;

product_record read_product(const pqxx::row& row) {
  product_record p;
  p.id = row[0].as<std::string>();
  p.name = row[1].as<std::string>();
  p.category = row[2].as<std::string>();
  p.brand = row[3].as<std::string>();
  p.price = row[4].as<double>();
  p.created_at = internal::iso_timestamp(row[5].c_str());
  return p;
}

std::optional<std::string> number_text(const std::optional<double>& value) {
  if (!value)
    return std::nullopt;
  return pqxx::to_string(*value);
}

} // namespace

caf::expected<page<product_record>> list_products(pqxx::connection& conn,
                                                  const product_query& query) {
  prepare(conn, "products_list", list_sql);
  prepare(conn, "products_count", count_sql);
  return in_transaction(conn, "list_products", [&](pqxx::work& tx) {
    internal::page_params p{query.page};
    auto rows = tx.exec_prepared("products_list", param(query.category),
                                 p.after_created_at(), p.after_id(), p.skip(),
                                 p.fetch());
    auto total = query.category ? tx.exec_prepared1("products_count",
                                                    param(query.category))[0]
                                      .as<int64_t>()
                                : internal::table_rows(tx, "products");
    return internal::make_page<product_record>(rows, query.page, total,
                                               read_product);
  });
}

caf::expected<outcome<product_record>> get_product(pqxx::connection& conn,
                                                   const std::string& id) {
  using result = outcome<product_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::product_missing);
  prepare(conn, "products_get", get_sql);
  return in_transaction(conn, "get_product", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("products_get", id);
    if (rows.empty())
      return result::refused(refusal::product_missing);
    return result::of(read_product(rows[0]));
  });
}

caf::expected<product_record> create_product(pqxx::connection& conn,
                                             const product_fields& fields) {
  prepare(conn, "products_insert", insert_sql);
  auto price = number_text(fields.price);
  return in_transaction(conn, "create_product", [&](pqxx::work& tx) {
    return read_product(tx.exec_prepared1("products_insert", param(fields.name),
                                          param(fields.category),
                                          param(fields.brand), param(price)));
  });
}

caf::expected<outcome<product_record>>
update_product(pqxx::connection& conn, const std::string& id,
               const product_fields& fields) {
  using result = outcome<product_record>;
  if (!internal::is_uuid(id))
    return result::refused(refusal::product_missing);
  prepare(conn, "products_update", update_sql);
  auto price = number_text(fields.price);
  return in_transaction(conn, "update_product", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("products_update", id, param(fields.name),
                                 param(fields.category), param(fields.brand),
                                 param(price));
    if (rows.empty())
      return result::refused(refusal::product_missing);
    return result::of(read_product(rows[0]));
  });
}

} // namespace cdpd::storage
