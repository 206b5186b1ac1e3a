#include "actors/domain/metrics_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<storage::dashboard_metrics> read_dashboard() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::read_dashboard(c)); },
      true);
}

db_job<storage::customer_metrics> read_customer_metrics(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::read_customer_metrics(c, id));
      },
      true);
}

db_job<storage::product_metrics> read_product_metrics(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::read_product_metrics(c, id));
      },
      true);
}

db_job<std::vector<storage::product_sales>> read_top_products(int64_t limit) {
  return pg_work(
      [limit](pqxx::connection& c) {
        return reply(storage::read_top_products(c, limit));
      },
      true);
}

} // namespace cdpd::actors::domain
