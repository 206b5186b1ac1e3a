#include "actors/domain/order_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<storage::page<storage::order_record>>
list_orders(storage::order_query query) {
  return pg_work(
      [query](pqxx::connection& c) {
        return reply(storage::list_orders(c, query));
      },
      true);
}

db_job<storage::order_record> get_order(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_order(c, id)); },
      true);
}

db_job<storage::order_record> create_order(storage::order_input input) {
  return pg_work(
      [input](pqxx::connection& c) {
        return reply(storage::create_order(c, input));
      },
      false);
}

} // namespace cdpd::actors::domain
