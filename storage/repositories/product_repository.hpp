#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `products` table. Functions fail with the storage errors of
/// pg_errors.hpp.
namespace cdpd::storage {

/// One product row.
struct product_record {
  std::string id;
  std::string name;
  std::string category;
  std::string brand;
  double price = 0;
  std::string created_at;
};

/// Writable columns; absent members are left alone on update. A create
/// needs all four.
struct product_fields {
  std::optional<std::string> name;
  std::optional<std::string> category;
  std::optional<std::string> brand;
  std::optional<double> price;
};

/// Filter of the product list.
struct product_query {
  std::optional<std::string> category; ///< exact category, if given
  page_request page;
};

/// Products in insertion order.
caf::expected<page<product_record>> list_products(pqxx::connection& conn,
                                                  const product_query& query);

/// One product; refusal::product_missing when there is none.
caf::expected<outcome<product_record>> get_product(pqxx::connection& conn,
                                                   const std::string& id);

/// Inserts a product.
caf::expected<product_record> create_product(pqxx::connection& conn,
                                             const product_fields& fields);

/// Changes the given columns; refusal::product_missing for an unknown id.
caf::expected<outcome<product_record>>
update_product(pqxx::connection& conn, const std::string& id,
               const product_fields& fields);

} // namespace cdpd::storage
