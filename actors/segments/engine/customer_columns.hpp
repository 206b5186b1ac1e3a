#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/segments/engine/row_bitset.hpp"

/// The segmentable attributes of a set of customers held as columns, the
/// data the in-memory segment engine evaluates definitions over.
namespace cdpd::actors::segments::engine {

/// Marks a NULL in integer columns (dates).
inline constexpr std::int64_t null_time =
    std::numeric_limits<std::int64_t>::min();

/// Distinct strings sorted by byte order ("C" collation), each with the
/// lower-case form PostgreSQL's lower() gives it.
struct string_dictionary {
  std::vector<std::string> values;  ///< sorted, unique
  std::vector<std::string> lowered; ///< lower(values[i])

  /// The code of `text`, if present.
  std::optional<std::uint32_t> find(std::string_view text) const;
};

/// A dictionary-encoded nullable text column.
struct string_column {
  /// Marks a NULL row.
  static constexpr std::uint32_t null_code =
      std::numeric_limits<std::uint32_t>::max();
  string_dictionary dictionary;     ///< the distinct values
  std::vector<std::uint32_t> codes; ///< per row; null_code for NULL
};

/// The customers' columns plus a compact index of their orders (CSR: the
/// orders of row r are [order_begin[r], order_begin[r + 1])).
struct customer_columns {
  std::vector<std::string> ids; ///< row -> customer id (lower-case UUID text)

  string_column email, phone, first_name, last_name, shipping_state,
      shipping_country;
  row_bitset marketing_opt_in;                 ///< set = true
  std::vector<std::int64_t> total_order_value; ///< cents
  std::vector<std::int64_t> order_count;       ///< as stored
  std::vector<std::int64_t> last_order_date;   ///< UTC us; null_time
  std::vector<std::int64_t> created_at;        ///< UTC us

  std::vector<std::uint32_t> order_begin;   ///< size() + 1 offsets
  std::vector<std::int64_t> order_date;     ///< UTC us
  std::vector<std::int64_t> order_amount;   ///< total_amount in cents
  std::vector<std::uint32_t> order_status;  ///< code in `statuses`
  std::vector<std::uint32_t> order_channel; ///< code in `channels`
  std::vector<std::uint32_t> item_begin;    ///< orders + 1 offsets
  std::vector<std::uint32_t> item_category; ///< code in `categories`
  std::vector<std::uint32_t> item_product;  ///< code in `products`
  string_dictionary statuses, channels, categories;
  string_dictionary products; ///< lower-case product UUIDs

  /// The LC_CTYPE whose lower() the `lowered` strings follow.
  std::string lc_ctype = "C.UTF-8";

  /// The PostgreSQL snapshot (pg_snapshot text) the columns were read at
  /// by a load of their own; empty when unknown. Changes committed after
  /// it are the ones the columns miss.
  std::string snapshot;

  /// The number of customers (rows).
  std::size_t size() const noexcept { return ids.size(); }

  /// The row of a customer id, if present (linear in the row count).
  std::optional<std::size_t> row_of(std::string_view id) const;
};

/// Bytes the columns occupy (vectors' capacities and strings' buffers),
/// for figures such as memory per customer.
std::size_t memory_bytes(const customer_columns& columns);

/// One customer as a builder takes it; unset optionals are NULL.
struct customer_record {
  std::string id;
  std::string email, first_name, last_name;
  std::optional<std::string> phone, shipping_state, shipping_country;
  bool marketing_opt_in = true;
  std::int64_t total_order_value_cents = 0;
  std::int64_t order_count = 0;
  std::int64_t last_order_date = null_time; ///< UTC us
  std::int64_t created_at = 0;              ///< UTC us
};

/// One order item: its product's category and id.
struct item_record {
  std::string category;
  std::string product_id;
};

/// One order of the customer added last.
struct order_record {
  std::int64_t order_date = 0; ///< UTC us
  std::int64_t amount_cents = 0;
  std::string status, channel;
  std::vector<item_record> items;
};

/// Builds customer_columns row by row: add a customer, then its orders;
/// `finish` sorts the dictionaries and lowers their strings.
class columns_builder {
public:
  /// `lc_ctype` names the locale whose lower() to mirror ("C" lowers only
  /// ASCII, like PostgreSQL).
  explicit columns_builder(std::string lc_ctype = "C.UTF-8");

  /// Appends a customer; following add_order calls belong to it.
  void add_customer(const customer_record& c);

  /// Appends an order of the customer added last (ignored before any).
  void add_order(const order_record& o);

  /// The columns; the builder is empty afterwards. Returns nothing when
  /// the locale cannot be loaded.
  std::optional<customer_columns> finish();

private:
  struct pending_strings {
    std::unordered_map<std::string, std::uint32_t> index;
    std::vector<std::string> values;
    std::uint32_t code(const std::string& s);
  };
  customer_columns out_;
  pending_strings email_, phone_, first_name_, last_name_, state_, country_,
      statuses_, channels_, categories_, products_;
  std::vector<bool> opt_in_;
};

/// Appends row `row` of `from` (the customer and its orders with their
/// items) to `to`, as add_customer and add_order would. Rows out of range
/// are ignored.
void copy_row(const customer_columns& from, std::size_t row,
              columns_builder& to);

/// lower() of UTF-8 text as PostgreSQL computes it under `lc_ctype`
/// (towlower per character; ASCII only for "C"/"POSIX"). Returns nothing
/// when the locale cannot be loaded.
std::optional<std::string> pg_lower(std::string_view text,
                                    const std::string& lc_ctype);

} // namespace cdpd::actors::segments::engine
