#include "actors/domain/product_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<storage::page<storage::product_record>>
list_products(storage::product_query query) {
  return pg_work(
      [query](pqxx::connection& c) {
        return reply(storage::list_products(c, query));
      },
      true);
}

db_job<storage::product_record> get_product(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_product(c, id)); },
      true);
}

db_job<storage::product_record> create_product(storage::product_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_product(c, fields));
      },
      false);
}

db_job<storage::product_record> update_product(std::string id,
                                               storage::product_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_product(c, id, fields));
      },
      false);
}

} // namespace cdpd::actors::domain
