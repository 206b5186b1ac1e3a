#include "actors/segments/load_columns.hpp"

#include <pqxx/pqxx>

#include "actors/segments/engine/shard_hash.hpp"
#include "storage/errc.hpp"
#include "storage/pg_errors.hpp"

namespace cdpd::actors::segments {

using namespace engine;

namespace {

using snapshot =
    pqxx::transaction<pqxx::repeatable_read, pqxx::readwrite_policy::read_only>;

std::string customers_sql(const std::string& where) {
  return "DECLARE cdpd_customers NO SCROLL CURSOR FOR "
         "SELECT c.id::text, c.email, c.phone, c.first_name, c.last_name, "
         "c.marketing_opt_in, c.shipping_state, c.shipping_country, "
         "(c.total_order_value * 100)::bigint, c.order_count::bigint, "
         "(extract(epoch FROM c.last_order_date) * 1000000)::bigint, "
         "(extract(epoch FROM c.created_at) * 1000000)::bigint "
         "FROM customers c WHERE " +
         where + " ORDER BY c.id";
}

// One row per item (an order without items gives one row with NULLs), in
// customer order, so that orders merge with the customer stream.
std::string orders_sql(const std::string& where) {
  return "DECLARE cdpd_orders NO SCROLL CURSOR FOR "
         "SELECT o.customer_id::text, o.id::text, "
         "(extract(epoch FROM o.order_date) * 1000000)::bigint, "
         "(o.total_amount * 100)::bigint, o.order_status, o.channel, "
         "p.category, oi.product_id::text "
         "FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id "
         "LEFT JOIN products p ON p.id = oi.product_id WHERE " +
         where + " ORDER BY o.customer_id, o.id";
}

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<std::string>();
}

/// Thrown when the database's LC_CTYPE cannot be loaded here.
struct missing_locale {
  std::string ctype;
};

} // namespace

namespace {

/// Which customers a load reads: SQL conditions on customers `c` and on
/// orders `o` (trusted text from code).
struct load_scope {
  std::string customers;
  std::string orders;
};

/// Loads the customers `scope` selects in SQL, in `tx`, into `split`
/// column sets, a customer going to set shard_of(id, split). Throws what
/// libpqxx throws.
std::vector<customer_columns> load_split_in(pqxx::transaction_base& tx,
                                            const load_scope& scope,
                                            std::uint32_t split,
                                            const progress_callback& progress,
                                            std::uint32_t batch) {
  // Few round trips: the change listener loads a handful of customers per
  // commit, and a read barrier waits for it.
  auto settings = tx.exec1("SELECT current_setting('lc_ctype'),"
                           " pg_current_snapshot()::text");
  auto ctype = settings[0].as<std::string>();
  auto snapshot_text = settings[1].as<std::string>();
  std::vector<columns_builder> builders;
  split = split ? split : 1;
  for (std::uint32_t i = 0; i < split; ++i)
    builders.emplace_back(ctype);
  load_progress state;
  auto report = [&] {
    if (progress)
      progress(state);
  };
  batch = batch ? batch : 1;
  auto fetch = "FETCH FORWARD " + std::to_string(batch) + " FROM ";
  tx.exec0(customers_sql(scope.customers) + ";" + orders_sql(scope.orders));

  // The orders cursor is read alongside the customers: both are in
  // customer id order.
  pqxx::result order_rows;
  std::size_t order_pos = 0;
  bool orders_done = false;
  auto peek = [&]() -> std::optional<pqxx::row> {
    if (order_pos >= order_rows.size()) {
      if (orders_done)
        return std::nullopt;
      order_rows = tx.exec(fetch + "cdpd_orders");
      order_pos = 0;
      // Fewer rows than asked: the cursor is at its end.
      orders_done = static_cast<std::size_t>(order_rows.size()) < batch;
      if (order_rows.empty())
        return std::nullopt;
    }
    return order_rows[static_cast<pqxx::result::size_type>(order_pos)];
  };

  for (bool more = true; more;) {
    auto rows = tx.exec(fetch + "cdpd_customers");
    more = static_cast<std::size_t>(rows.size()) == batch;
    if (rows.empty())
      break;
    for (const auto& r : rows) {
      customer_record c;
      c.id = r[0].as<std::string>();
      c.email = r[1].as<std::string>();
      c.phone = optional_text(r[2]);
      c.first_name = r[3].as<std::string>();
      c.last_name = r[4].as<std::string>();
      c.marketing_opt_in = r[5].as<bool>();
      c.shipping_state = optional_text(r[6]);
      c.shipping_country = optional_text(r[7]);
      c.total_order_value_cents = r[8].as<std::int64_t>();
      c.order_count = r[9].as<std::int64_t>();
      c.last_order_date =
          r[10].is_null() ? null_time : r[10].as<std::int64_t>();
      c.created_at = r[11].as<std::int64_t>();
      auto& builder = builders[shard_of(c.id, split)];
      builder.add_customer(c);
      ++state.customers;
      // Orders of customers before this one cannot exist (foreign key);
      // take every row of this customer.
      std::string current_order;
      order_record order;
      bool have_order = false;
      while (auto o = peek()) {
        auto customer_id = (*o)[0].as<std::string>();
        if (customer_id != c.id)
          break;
        auto order_id = (*o)[1].as<std::string>();
        if (!have_order || order_id != current_order) {
          if (have_order) {
            builder.add_order(order);
            ++state.orders;
          }
          order = order_record{};
          order.order_date = (*o)[2].as<std::int64_t>();
          order.amount_cents = (*o)[3].as<std::int64_t>();
          order.status = (*o)[4].as<std::string>();
          order.channel = (*o)[5].as<std::string>();
          current_order = order_id;
          have_order = true;
        }
        if (!(*o)[7].is_null())
          order.items.push_back(
              {(*o)[6].as<std::string>(), (*o)[7].as<std::string>()});
        ++order_pos;
      }
      if (have_order) {
        builder.add_order(order);
        ++state.orders;
      }
    }
    report();
  }
  tx.exec0("CLOSE cdpd_customers; CLOSE cdpd_orders");
  std::vector<customer_columns> out;
  out.reserve(split);
  for (auto& builder : builders) {
    auto columns = builder.finish();
    if (!columns)
      throw missing_locale{ctype};
    columns->snapshot = snapshot_text;
    out.push_back(std::move(*columns));
  }
  state.done = true;
  report();
  return out;
}

/// load_split_in in a snapshot of its own.
caf::expected<std::vector<customer_columns>>
load_split(pqxx::connection& conn, shard_filter shard, std::uint32_t split,
           const progress_callback& progress, std::uint32_t batch) {
  try {
    snapshot tx{conn, "segment_engine_load"};
    load_scope scope{
        shard_predicate_sql("c.id", shard.index, shard.count),
        shard_predicate_sql("o.customer_id", shard.index, shard.count)};
    auto out = load_split_in(tx, scope, split, progress, batch);
    tx.commit();
    return out;
  } catch (const missing_locale& e) {
    return make_error(storage::errc::invalid_argument,
                      "LC_CTYPE " + e.ctype + " is not available here");
  } catch (...) {
    return storage::internal::translate_pg_exception(std::current_exception())
        .error;
  }
}

} // namespace

caf::expected<customer_columns> load_columns(pqxx::connection& conn,
                                             const progress_callback& progress,
                                             std::uint32_t batch) {
  return load_columns(conn, shard_filter{}, progress, batch);
}

caf::expected<customer_columns> load_columns(pqxx::connection& conn,
                                             shard_filter shard,
                                             const progress_callback& progress,
                                             std::uint32_t batch) {
  auto loaded = load_split(conn, shard, 1, progress, batch);
  if (!loaded)
    return loaded.error();
  return std::move(loaded->front());
}

caf::expected<std::vector<customer_columns>>
load_customers(pqxx::transaction_base& tx, const std::vector<std::string>& ids,
               std::uint32_t shards) {
  try {
    // A uuid[] literal; ids that are not UUIDs make the query fail.
    std::string array = "{";
    for (const auto& id : ids) {
      if (array.size() > 1)
        array += ',';
      array += id;
    }
    array += '}';
    auto literal = tx.quote(array) + "::uuid[]";
    load_scope scope{"c.id = ANY(" + literal + ")",
                     "o.customer_id = ANY(" + literal + ")"};
    return load_split_in(tx, scope, shards, {}, 20000);
  } catch (const missing_locale& e) {
    return make_error(storage::errc::invalid_argument,
                      "LC_CTYPE " + e.ctype + " is not available here");
  } catch (...) {
    return storage::internal::translate_pg_exception(std::current_exception())
        .error;
  }
}

caf::expected<std::vector<customer_columns>>
load_all_shards(pqxx::connection& conn, std::uint32_t shards,
                const progress_callback& progress, std::uint32_t batch) {
  return load_split(conn, shard_filter{}, shards, progress, batch);
}

std::uint64_t next_generation(pqxx::connection& conn) {
  pqxx::nontransaction tx{conn};
  return tx.exec1("SELECT nextval('shard_generations')")[0].as<std::uint64_t>();
}

} // namespace cdpd::actors::segments
