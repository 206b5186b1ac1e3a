#include "apps/cdpd/seed_command.hpp"

#include <spdlog/spdlog.h>

#include "apps/cdpd/database_bootstrap.hpp"
#include "storage/errc.hpp"
#include "storage/pg_pool.hpp"
#include "storage/seed/demo_data.hpp"

namespace cdpd::app {

int run_seed(const config::settings& s) {
  auto db = open_database(s);
  if (!db) {
    spdlog::error("{}", storage::describe(db.error()));
    return 1;
  }
  auto migrated = wait_and_migrate(s, *db);
  if (!migrated) {
    spdlog::error("PostgreSQL not usable: {}",
                  storage::describe(migrated.error()));
    return 1;
  }
  storage::pg_pool pool{one_off_pool_options(s, *db, "seed"), nullptr};
  storage::seed::seed_options wanted;
  wanted.customers = s.seed.customers;
  wanted.orders = s.seed.orders;
  wanted.products = s.seed.products;
  wanted.force = s.seed.force;
  spdlog::info("seeding {} customers, {} products, {} orders{}",
               wanted.customers, wanted.products, wanted.orders,
               wanted.force ? " (replacing existing data)" : "");
  auto report = pool.run([&](pqxx::connection& c) {
    return storage::seed::seed_demo_data(
        c, wanted, [](const storage::seed::seed_progress& p) {
          spdlog::info("seed {}: {}/{}", p.phase, p.done, p.total);
        });
  });
  if (!report) {
    spdlog::error("seed failed: {}", storage::describe(report.error()));
    return 1;
  }
  const auto& r = *report;
  spdlog::info("seeded {} customers, {} products, {} orders, {} order items "
               "and {} segments in {:.1f} s",
               r.customers, r.products, r.orders, r.order_items, r.segments,
               r.seconds);
  return 0;
}

} // namespace cdpd::app
