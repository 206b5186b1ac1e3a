#include "tests/integration/delivery/delivery_test_db.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"

namespace cdpd::test {

delivery_test_db::delivery_test_db() : conn_{db_.conninfo()} {
  auto report = storage::migrate(conn_, storage::embedded_migrations());
  if (!report)
    throw std::runtime_error("migrate: " + storage::describe(report.error()));
}

std::shared_ptr<storage::pg_pool> delivery_test_db::pool(int size) {
  storage::pg_pool_options o;
  o.url = db_.conninfo();
  o.size = size;
  o.acquire_timeout = std::chrono::seconds{10};
  return std::make_shared<storage::pg_pool>(o, nullptr);
}

void delivery_test_db::add_customers(int count, const std::string& state,
                                     int opted_out_every,
                                     const std::string& prefix) {
  pqxx::work tx{conn_};
  tx.exec_params(
      "INSERT INTO customers (email, first_name, last_name, marketing_opt_in,"
      " shipping_state) SELECT $3 || i || '@example.org', 'F' || i, 'L' || i,"
      " ($2::int = 0 OR i % $2::int <> 0), $4"
      " FROM generate_series(1, $1::int) AS i",
      count, opted_out_every, prefix + state + "-", state);
  tx.commit();
}

std::string delivery_test_db::add_segment(const std::string& state) {
  nlohmann::json def = {
      {"criteria",
       {{{"field", "shipping_state"}, {"operator", "eq"}, {"value", state}}}}};
  pqxx::work tx{conn_};
  auto id = tx.exec_params("INSERT INTO segments (name, definition) VALUES"
                           " ($1, $2::jsonb) RETURNING id",
                           "in " + state, def.dump())[0][0]
                .as<std::string>();
  tx.commit();
  return id;
}

std::string delivery_test_db::add_flow(const std::string& segment_id,
                                       const std::vector<step>& steps) {
  pqxx::work tx{conn_};
  auto id = tx.exec_params("INSERT INTO flows (segment_id, name) VALUES"
                           " ($1::uuid, 'test flow') RETURNING id",
                           segment_id)[0][0]
                .as<std::string>();
  int order = 1;
  for (const auto& s : steps) {
    nlohmann::json config =
        s.type == "WAIT"
            ? nlohmann::json{{"duration_days", s.days}}
            : nlohmann::json{{"subject", s.subject}, {"body_text", s.body}};
    tx.exec_params("INSERT INTO flow_steps (flow_id, step_type, config,"
                   " step_order) VALUES ($1::uuid, $2, $3::jsonb, $4)",
                   id, s.type, config.dump(), order++);
  }
  tx.commit();
  return id;
}

std::string delivery_test_db::add_campaign(const std::string& segment_id,
                                           const std::string& flow_id,
                                           const std::string& status) {
  pqxx::work tx{conn_};
  auto id = tx.exec_params("INSERT INTO campaigns (segment_id, flow_id, name,"
                           " status) VALUES ($1::uuid, $2::uuid, 'test', $3)"
                           " RETURNING id",
                           segment_id, flow_id, status)[0][0]
                .as<std::string>();
  tx.commit();
  return id;
}

std::string delivery_test_db::scalar(const std::string& sql) {
  pqxx::work tx{conn_};
  auto rows = tx.exec(sql);
  tx.commit();
  if (rows.empty() || rows[0][0].is_null())
    return {};
  return rows[0][0].as<std::string>();
}

int64_t delivery_test_db::count(const std::string& sql) {
  pqxx::work tx{conn_};
  auto value = tx.exec(sql)[0][0].as<int64_t>();
  tx.commit();
  return value;
}

} // namespace cdpd::test
