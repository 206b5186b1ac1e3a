#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// Demo data: fills an empty, migrated database with customers, products,
/// orders and the eight seed segments, following the prototype's
/// distributions (eca2-api-contract.md section 8), except that customer
/// aggregates agree with the orders table.
namespace cdpd::storage::seed {

/// How much to generate and whether to replace existing data.
struct seed_options {
  int64_t customers = 100;   ///< 0..1,000,000,000
  int64_t orders = 200;      ///< 0..1,000,000,000; needs customers and products
  int64_t products = 50;     ///< 0..1,000,000,000
  bool force = false;        ///< empty the domain tables first
  uint64_t random_seed = 42; ///< the same seed gives the same rows and ids
};

/// Where the seeding is: `phase` is "products", "orders", "customers",
/// "indexes", "segments" or "analyze", in that order; `done` of `total`
/// units (rows; for "indexes" the keys, indexes and foreign keys rebuilt;
/// for "analyze" the customers) are finished.
struct seed_progress {
  std::string phase;
  int64_t done = 0;
  int64_t total = 0;
};

/// What seed_demo_data() wrote, and how long it took.
struct seed_report {
  int64_t customers = 0;
  int64_t products = 0;
  int64_t orders = 0;
  int64_t order_items = 0;
  int64_t segments = 0;
  double seconds = 0; ///< wall time of the whole call
};

/// Generates the demo data from `options.random_seed` and loads it with
/// COPY in batches of 50,000 rows, all in ONE transaction (a failure leaves
/// the database as it was, schema included). Customers get opt-in 75%, a
/// state out of 15, country US, created_at 30-730 days ago, unique
/// first.last<N>@example.com emails and +1-AAA-BBB-CCCC phones. Products are
/// Product-0..N-1 in 8 categories with brand Brand-(i mod 5) and whole
/// prices 10-200. Each order goes to a random customer with 1-3 distinct
/// products at quantity 1-3 and list price, is delivered 60% / pending 20% /
/// shipped 20%, comes from web, mobile or marketplace, is dated 1-365 days
/// ago, and every 4th carries the coupon "SALE10". Each customer's
/// total_order_value, order_count and last_order_date are summed from their
/// orders while those are generated (0 / 0 / NULL without orders) and
/// loaded with the customer. Timestamps are UTC, whole days before the
/// database's now().
///
/// For speed the primary keys, unique constraints, indexes and foreign keys
/// of customers, products, orders and order_items (and foreign keys from
/// other tables to them) are dropped before loading and made again from
/// their catalog definitions afterwards, under the same names, which
/// validates every foreign key once. The four tables are locked ACCESS
/// EXCLUSIVE until the commit, so readers wait for the seed. Afterwards
/// the eight seed segments are inserted and the tables are analysed.
///
/// `on_progress` (may be empty) is called on this thread at the start and
/// end of each phase and after every batch or rebuilt index, with `done`
/// growing within a phase; an exception it throws aborts the seeding.
///
/// Fails with errc::not_empty when customers already has rows and
/// `options.force` is false; with force, customers, products, orders,
/// order_items and segments are TRUNCATEd ... CASCADE first, which also
/// empties every table that references them (flows, campaigns and their
/// steps and statistics). Fails with errc::invalid_argument for negative or
/// too large counts or orders without customers or products, and with the
/// connection's errors (errc::connection_lost, errc::statement_timeout,
/// errc::query_failed; see pg_errors.hpp) when PostgreSQL fails, e.g. when
/// rows already in products clash with the generated ones. The connection
/// must not have an open transaction.
caf::expected<seed_report>
seed_demo_data(pqxx::connection& conn, const seed_options& options,
               const std::function<void(const seed_progress&)>& on_progress);

} // namespace cdpd::storage::seed
