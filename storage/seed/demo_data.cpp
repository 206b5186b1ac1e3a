#include "storage/seed/demo_data.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <tuple>
#include <vector>

#include <pqxx/result>
#include <pqxx/stream_to>
#include <pqxx/transaction>

#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"
#include "storage/seed/demo_rows.hpp"
#include "storage/seed/seed_segments.hpp"

namespace cdpd::storage::seed {

namespace {

constexpr int64_t batch_rows = 50'000;
constexpr int64_t max_rows = 1'000'000'000;
// Customers are created up to 730 days ago, orders up to 365.
constexpr int max_days_ago = 730;

using progress_fn = std::function<void(const seed_progress&)>;

void report(const progress_fn& on_progress, const char* phase, int64_t done,
            int64_t total) {
  if (on_progress)
    on_progress(seed_progress{phase, done, total});
}

// What the orders of one customer add up to.
struct customer_totals {
  int64_t value = 0;
  uint32_t count = 0;
  int days_ago = 0; // of the newest order; only meaningful when count > 0
};

// The keys, indexes and foreign keys that touch the bulk-loaded tables, as
// statements that drop them and statements that make them again. Read from
// the catalog rather than spelled out here, so whatever the migrations
// created comes back exactly, under the same names.
struct deferred_schema {
  std::vector<std::string> drop;   // foreign keys, plain indexes, then keys
  std::vector<std::string> create; // keys, plain indexes, then foreign keys
};

// Build order 1: primary key, unique and exclusion constraints of the loaded
// tables; 2: their other indexes; 3: foreign keys from or to them, which need
// the referenced keys (possibly plain unique indexes) to exist.
constexpr const char* deferred_schema_sql = R"(
WITH loaded AS (
  SELECT unnest(ARRAY['customers', 'products', 'orders',
                      'order_items']::regclass[]) AS rel),
keys AS (
  SELECT c.oid, c.conrelid, c.conname,
         CASE WHEN c.contype = 'f' THEN 3 ELSE 1 END AS build_order
  FROM pg_constraint c
  WHERE (c.contype IN ('p', 'u', 'x')
         AND c.conrelid IN (SELECT rel FROM loaded))
     OR (c.contype = 'f'
         AND (c.conrelid IN (SELECT rel FROM loaded)
              OR c.confrelid IN (SELECT rel FROM loaded))))
SELECT drop_sql, create_sql FROM (
  SELECT build_order, conname::text AS name,
         format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass,
                conname) AS drop_sql,
         format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass,
                conname, pg_get_constraintdef(oid)) AS create_sql
  FROM keys
  UNION ALL
  SELECT 2, i.indexrelid::regclass::text,
         format('DROP INDEX %s', i.indexrelid::regclass),
         pg_get_indexdef(i.indexrelid)
  FROM pg_index i
  WHERE i.indrelid IN (SELECT rel FROM loaded)
    AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = i.indexrelid
                      AND c.contype IN ('p', 'u', 'x'))) s
ORDER BY build_order, name)";

// Drops the deferred schema and returns how to make it again. Loading into
// bare tables and then building each index in one sorted pass and checking
// each foreign key with one join is far cheaper than maintaining eight
// indexes and firing two foreign-key triggers per row.
deferred_schema drop_deferred_schema(pqxx::work& tx) {
  deferred_schema schema;
  for (const auto& row : tx.exec(deferred_schema_sql)) {
    schema.drop.push_back(row[0].as<std::string>());
    schema.create.push_back(row[1].as<std::string>());
  }
  std::reverse(schema.drop.begin(), schema.drop.end());
  for (const auto& sql : schema.drop)
    tx.exec(sql);
  return schema;
}

void rebuild_deferred_schema(pqxx::work& tx, const deferred_schema& schema,
                             const progress_fn& on_progress) {
  auto total = static_cast<int64_t>(schema.create.size());
  report(on_progress, "indexes", 0, total);
  int64_t done = 0;
  for (const auto& sql : schema.create) {
    tx.exec(sql);
    report(on_progress, "indexes", ++done, total);
  }
}

caf::error check_options(const seed_options& o) {
  auto in_range = [](int64_t n) { return n >= 0 && n <= max_rows; };
  if (!in_range(o.customers) || !in_range(o.orders) || !in_range(o.products))
    return make_error(errc::invalid_argument,
                      "seed counts must be between 0 and 1000000000");
  if (o.orders > 0 && (o.customers == 0 || o.products == 0))
    return make_error(errc::invalid_argument,
                      "orders need at least one customer and one product");
  return {};
}

// "YYYY-MM-DD HH:MM:SS" for now() minus 0..max_days_ago whole days, so rows
// pick their timestamps by index instead of formatting millions of dates.
std::vector<std::string> days_ago_timestamps(pqxx::work& tx) {
  auto rows = tx.exec_params(
      "SELECT to_char(base - d * interval '1 day', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM (SELECT date_trunc('second', now() AT TIME ZONE 'utc') AS base) b, "
      "generate_series(0, $1::int) d ORDER BY d",
      max_days_ago);
  std::vector<std::string> out;
  out.reserve(rows.size());
  for (const auto& row : rows)
    out.push_back(row[0].as<std::string>());
  return out;
}

void copy_products(pqxx::work& tx, const std::vector<demo_product>& products,
                   const progress_fn& on_progress) {
  auto total = static_cast<int64_t>(products.size());
  report(on_progress, "products", 0, total);
  for (int64_t begin = 0; begin < total; begin += batch_rows) {
    auto end = std::min(total, begin + batch_rows);
    pqxx::stream_to out{
        tx, "products",
        std::vector<std::string>{"id", "name", "category", "brand", "price"}};
    for (auto i = begin; i < end; ++i) {
      const auto& p = products[static_cast<std::size_t>(i)];
      out << std::make_tuple(p.id.data(), p.name, p.category, p.brand, p.price);
    }
    out.complete();
    report(on_progress, "products", end, total);
  }
}

// Customers come after their orders, so each row carries its final
// aggregates: `totals` has one entry per customer, or none without orders.
void copy_customers(pqxx::work& tx, customer_generator& customers,
                    int64_t total, const std::vector<customer_totals>& totals,
                    const std::vector<std::string>& days,
                    const progress_fn& on_progress) {
  report(on_progress, "customers", 0, total);
  const customer_totals no_orders;
  for (int64_t begin = 0; begin < total; begin += batch_rows) {
    auto end = std::min(total, begin + batch_rows);
    pqxx::stream_to out{tx, "customers",
                        std::vector<std::string>{
                            "id", "email", "phone", "first_name", "last_name",
                            "marketing_opt_in", "shipping_state",
                            "shipping_country", "total_order_value",
                            "order_count", "last_order_date", "created_at",
                            "updated_at"}};
    for (auto i = begin; i < end; ++i) {
      auto c = customers.next();
      const auto& created = days[static_cast<std::size_t>(c.created_days_ago)];
      const auto& t =
          totals.empty() ? no_orders : totals[static_cast<std::size_t>(i)];
      const char* last_order =
          t.count == 0 ? nullptr
                       : days[static_cast<std::size_t>(t.days_ago)].c_str();
      out << std::make_tuple(c.id.data(), c.email, c.phone, c.first_name,
                             c.last_name, c.marketing_opt_in, c.shipping_state,
                             "US", t.value, t.count, last_order, created,
                             created);
    }
    out.complete();
    report(on_progress, "customers", end, total);
  }
}

// One batch of orders is generated first, then streamed as two COPYs
// (orders, then their items), because a connection runs one COPY at a time.
// Each order is added to its buyer's entry in `totals`.
int64_t copy_orders(pqxx::work& tx, order_generator& orders, int64_t total,
                    const customer_generator& customers,
                    const std::vector<demo_product>& products,
                    const std::vector<std::string>& days,
                    std::vector<customer_totals>& totals,
                    const progress_fn& on_progress) {
  int64_t items = 0;
  std::vector<demo_order> batch;
  batch.reserve(static_cast<std::size_t>(std::min(total, batch_rows)));
  report(on_progress, "orders", 0, total);
  for (int64_t begin = 0; begin < total; begin += batch_rows) {
    auto end = std::min(total, begin + batch_rows);
    batch.clear();
    for (auto i = begin; i < end; ++i) {
      batch.push_back(orders.next());
      const auto& o = batch.back();
      auto& t = totals[static_cast<std::size_t>(o.customer)];
      t.value += o.total;
      t.days_ago = t.count == 0 ? o.days_ago : std::min(t.days_ago, o.days_ago);
      ++t.count;
    }
    {
      pqxx::stream_to out{
          tx, "orders",
          std::vector<std::string>{"id", "customer_id", "order_date",
                                   "order_status", "total_amount", "currency",
                                   "channel", "coupon_code", "created_at"}};
      for (const auto& o : batch) {
        auto customer = customers.id_of(o.customer);
        const auto& date = days[static_cast<std::size_t>(o.days_ago)];
        out << std::make_tuple(o.id.data(), customer.data(), date, o.status,
                               o.total, "USD", o.channel,
                               o.coupon ? demo_coupon : nullptr, date);
      }
      out.complete();
    }
    {
      pqxx::stream_to out{tx, "order_items",
                          std::vector<std::string>{"id", "order_id",
                                                   "product_id", "quantity",
                                                   "unit_price"}};
      for (const auto& o : batch) {
        for (std::size_t k = 0; k < o.item_count; ++k) {
          const auto& item = o.items[k];
          out << std::make_tuple(item.id.data(), o.id.data(),
                                 products[item.product].id.data(),
                                 item.quantity, item.unit_price);
        }
        items += static_cast<int64_t>(o.item_count);
      }
      out.complete();
    }
    report(on_progress, "orders", end, total);
  }
  return items;
}

int64_t insert_segments(pqxx::work& tx, const progress_fn& on_progress) {
  const auto& segments = seed_segments();
  auto total = static_cast<int64_t>(segments.size());
  report(on_progress, "segments", 0, total);
  for (const auto& s : segments)
    tx.exec_params("INSERT INTO segments (name, description, definition) "
                   "VALUES ($1, $2, $3::jsonb)",
                   s.name, s.description, s.definition);
  report(on_progress, "segments", total, total);
  return total;
}

} // namespace

caf::expected<seed_report> seed_demo_data(pqxx::connection& conn,
                                          const seed_options& options,
                                          const progress_fn& on_progress) {
  if (auto err = check_options(options))
    return err;
  auto started = std::chrono::steady_clock::now();
  seed_report result;
  try {
    pqxx::work tx{conn, "seed_demo_data"};
    // Losing the last commit on a crash is harmless here: the caller can
    // simply seed again.
    tx.exec("SET LOCAL synchronous_commit = off");
    // Demo rows are no change a subscriber waits for: no customer or order
    // events (migration 0018).
    tx.exec("SET LOCAL cdpd.events = 'off'");
    // Two seeds (or a seed and an API write) cannot both find customers
    // empty. The keys and indexes are dropped below, which needs these locks
    // anyway; taking them all at once, in one order, avoids upgrading them.
    tx.exec("LOCK TABLE customers, products, orders, order_items "
            "IN ACCESS EXCLUSIVE MODE");
    if (options.force) {
      tx.exec("TRUNCATE customers, products, orders, order_items, segments "
              "CASCADE");
    } else if (tx.exec("SELECT EXISTS (SELECT 1 FROM customers)")[0][0]
                   .as<bool>()) {
      return make_error(errc::not_empty,
                        "the database already has customers; seed with "
                        "force to replace the domain data");
    }
    auto days = days_ago_timestamps(tx);
    auto schema = drop_deferred_schema(tx);

    auto products = make_products(options.products, options.random_seed);
    copy_products(tx, products, on_progress);
    result.products = options.products;

    customer_generator customers{options.random_seed};
    std::vector<customer_totals> totals;
    if (options.orders > 0) {
      totals.resize(static_cast<std::size_t>(options.customers));
      order_generator orders{options.random_seed, options.customers,
                             options.orders, products};
      result.order_items = copy_orders(tx, orders, options.orders, customers,
                                       products, days, totals, on_progress);
    } else {
      report(on_progress, "orders", 0, 0);
    }
    result.orders = options.orders;

    copy_customers(tx, customers, options.customers, totals, days, on_progress);
    result.customers = options.customers;

    // Sorting in memory instead of in temporary files; only this
    // transaction's index builds use it.
    tx.exec("SET LOCAL maintenance_work_mem = '256MB'");
    rebuild_deferred_schema(tx, schema, on_progress);
    result.segments = insert_segments(tx, on_progress);

    // Fresh statistics, so segment queries on the new data plan well.
    report(on_progress, "analyze", 0, options.customers);
    tx.exec("ANALYZE customers, products, orders, order_items, segments");
    report(on_progress, "analyze", options.customers, options.customers);

    tx.commit();
  } catch (...) {
    return internal::translate_pg_exception(std::current_exception()).error;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return result;
}

} // namespace cdpd::storage::seed
