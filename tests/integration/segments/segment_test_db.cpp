#include "tests/integration/segments/segment_test_db.hpp"

#include <stdexcept>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"

namespace cdpd::test {

namespace seg = storage::segments;

namespace {

std::optional<std::string> time_text(std::optional<seg::timestamp> t) {
  if (!t)
    return std::nullopt;
  return seg::to_sql_text(*t);
}

} // namespace

storage::segments::timestamp utc(int y, unsigned m, unsigned d, int h, int mi,
                                 int s) {
  using namespace std::chrono;
  return seg::timestamp{sys_days{year{y} / month{m} / day{d}}} + hours{h} +
         minutes{mi} + seconds{s};
}

segment_test_db::segment_test_db() : conn_(db_.conninfo()) {
  auto report = storage::migrate(conn_, storage::embedded_migrations());
  if (!report)
    throw std::runtime_error("migrate: " + storage::describe(report.error()));
}

std::string segment_test_db::insert(const customer& c) {
  pqxx::work tx{conn_};
  auto row = tx.exec_params1(
      "INSERT INTO customers (email, first_name, last_name, phone, "
      "marketing_opt_in, shipping_state, shipping_country, "
      "total_order_value, order_count, last_order_date, created_at) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8::numeric, $9, $10::timestamp, "
      "$11::timestamp) RETURNING id::text",
      c.email, c.first_name, c.last_name, c.phone, c.marketing_opt_in,
      c.shipping_state, c.shipping_country, c.total_order_value, c.order_count,
      time_text(c.last_order_date), seg::to_sql_text(c.created_at));
  tx.commit();
  return row[0].as<std::string>();
}

std::string segment_test_db::insert_product(const std::string& name,
                                            const std::string& category,
                                            const std::string& price) {
  pqxx::work tx{conn_};
  auto row = tx.exec_params1(
      "INSERT INTO products (name, category, brand, price) VALUES ($1, $2, "
      "'Brand-0', $3::numeric) RETURNING id::text",
      name, category, price);
  tx.commit();
  return row[0].as<std::string>();
}

std::string segment_test_db::insert_order(
    const std::string& customer_id, storage::segments::timestamp order_date,
    const std::string& status, const std::string& total_amount,
    const std::string& channel, const std::set<std::string>& product_ids) {
  pqxx::work tx{conn_};
  auto id = tx.exec_params1(
                  "INSERT INTO orders (customer_id, order_date, order_status, "
                  "total_amount, channel, created_at) VALUES ($1::uuid, "
                  "$2::timestamp, $3, $4::numeric, $5, $2::timestamp) "
                  "RETURNING id::text",
                  customer_id, seg::to_sql_text(order_date), status,
                  total_amount, channel)[0]
                .as<std::string>();
  for (const auto& p : product_ids)
    tx.exec_params("INSERT INTO order_items (order_id, product_id, quantity, "
                   "unit_price) VALUES ($1::uuid, $2::uuid, 1, 1)",
                   id, p);
  tx.commit();
  return id;
}

std::set<std::string> segment_test_db::emails(const nlohmann::json& definition,
                                              seg::timestamp now) {
  auto parsed = seg::parse_definition(definition);
  if (!parsed.ok()) {
    ADD_FAILURE() << "does not parse: " << definition.dump() << ": "
                  << seg::to_string(parsed.errors.front());
    return {"<error>"};
  }
  std::chrono::system_clock::time_point at{now};
  auto rows = seg::members(conn_, *parsed.definition, at, {1000000, 0});
  auto count = seg::count_members(conn_, *parsed.definition, at);
  auto ids = seg::member_ids(conn_, *parsed.definition, at, {1000000, 0});
  if (!rows || !count || !ids) {
    ADD_FAILURE() << "query failed for " << definition.dump() << ": "
                  << storage::describe(!rows    ? rows.error()
                                       : !count ? count.error()
                                                : ids.error());
    return {"<error>"};
  }
  std::set<std::string> out;
  EXPECT_EQ(*count, static_cast<std::int64_t>(rows->size()))
      << definition.dump();
  EXPECT_EQ(ids->size(), rows->size()) << definition.dump();
  for (size_t i = 0; i < rows->size(); ++i) {
    out.insert((*rows)[i].email);
    if (i < ids->size()) {
      EXPECT_EQ((*ids)[i], (*rows)[i].id);
    }
  }
  return out;
}

std::int64_t segment_test_db::scalar(const std::string& sql) {
  pqxx::work tx{conn_};
  return tx.exec1(sql)[0].as<std::int64_t>();
}

} // namespace cdpd::test
