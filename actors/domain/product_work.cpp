#include "actors/domain/product_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_work list_products(storage::product_query query) {
  return pg_work(
      [query](pqxx::connection& c) {
        return reply(storage::list_products(c, query));
      },
      true);
}

db_work get_product(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_product(c, id)); },
      true);
}

db_work create_product(storage::product_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_product(c, fields));
      },
      false);
}

db_work update_product(std::string id, storage::product_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_product(c, id, fields));
      },
      false);
}

} // namespace cdpd::actors::domain
