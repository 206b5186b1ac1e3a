#include "actors/domain/customer_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<storage::page<storage::customer_record>>
list_customers(storage::customer_query query) {
  return pg_work(
      [query](pqxx::connection& c) {
        return reply(storage::list_customers(c, query));
      },
      true);
}

db_job<storage::customer_record> get_customer(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_customer(c, id)); },
      true);
}

db_job<storage::customer_record>
create_customer(storage::customer_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_customer(c, fields));
      },
      false);
}

db_job<storage::customer_record>
update_customer(std::string id, storage::customer_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_customer(c, id, fields));
      },
      false);
}

db_job<bool> delete_customer(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::delete_customer(c, id));
      },
      false);
}

} // namespace cdpd::actors::domain
