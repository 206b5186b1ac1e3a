#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

/// Deterministic generators for the demo data rows: the same seed always
/// yields the same customers, products and orders (ids included). Nothing
/// here touches a database; demo_data.cpp streams the rows with COPY.
namespace cdpd::storage::seed {

/// A UUID in canonical 8-4-4-4-12 text form, NUL-terminated.
using uuid_text = std::array<char, 37>;

/// Uniform draws from a std::mt19937_64. Bounded draws reduce modulo the
/// span rather than use std::uniform_int_distribution, whose algorithm
/// differs between standard libraries, so a seed means the same data
/// everywhere.
class demo_random {
public:
  /// Seeds the engine from `seed` and a per-generator `stream` number, so
  /// each generator's sequence is independent of the others' lengths.
  demo_random(uint64_t seed, uint64_t stream);

  /// The next raw 64-bit value.
  uint64_t next() { return engine_(); }

  /// A value in [lo, hi] (inclusive); requires lo <= hi.
  int64_t between(int64_t lo, int64_t hi);

  /// True with probability percent / 100.
  bool chance(int percent) { return between(0, 99) < percent; }

private:
  std::mt19937_64 engine_;
};

/// The id of row `row` of a table: the table's 16-bit `prefix` and the row
/// number lead, so primary-key indexes fill in order instead of touching a
/// random page per row; the remaining bits are a hash of (salt, row).
/// Marked as a version 8 (custom) RFC 9562 UUID. Requires row < 2^32.
uuid_text make_row_id(uint16_t prefix, uint64_t row, uint64_t salt);

/// The eight product categories.
const std::array<const char*, 8>& product_categories();

/// The fifteen shipping states customers are spread over.
const std::array<const char*, 15>& shipping_states();

/// One customer row (aggregates are computed from orders after loading).
struct demo_customer {
  uuid_text id{};
  std::string email; ///< first.last<N>@example.com, unique
  std::string phone; ///< +1-AAA-BBB-CCCC
  const char* first_name = "";
  const char* last_name = "";
  bool marketing_opt_in = true; ///< true for about 75%
  const char* shipping_state = "";
  int created_days_ago = 0; ///< 30..730
};

/// Customers 0, 1, 2, ... of one seed, in order.
class customer_generator {
public:
  /// A generator for `seed`.
  explicit customer_generator(uint64_t seed);

  /// The next customer.
  demo_customer next();

  /// The id of customer `row` (the same as next() gave or will give it).
  uuid_text id_of(uint64_t row) const;

private:
  demo_random random_;
  uint64_t salt_;
  uint16_t prefix_;
  uint64_t row_ = 0;
  std::vector<uint32_t> email_counts_; // per (first, last) name pair
};

/// One product row.
struct demo_product {
  uuid_text id{};
  std::string name; ///< Product-<i>
  const char* category = "";
  std::string brand; ///< Brand-<i mod 5>
  int64_t price = 0; ///< whole dollars, 10..200
};

/// Products 0..count-1 of one seed.
std::vector<demo_product> make_products(int64_t count, uint64_t seed);

/// One line of an order: a product (index into the product list) at its
/// list price.
struct demo_item {
  uuid_text id{};
  std::size_t product = 0;
  int64_t quantity = 0; ///< 1..3
  int64_t unit_price = 0;
};

/// One order with its 1-3 lines of distinct products.
struct demo_order {
  uuid_text id{};
  uint64_t customer = 0;    ///< row number of the buyer
  int days_ago = 0;         ///< 1..365; order_date and created_at
  const char* status = "";  ///< delivered 60%, pending 20%, shipped 20%
  const char* channel = ""; ///< web, mobile or marketplace
  bool coupon = false;      ///< "SALE10" on orders 0, 4, 8, ...
  int64_t total = 0;        ///< sum of quantity * unit_price
  std::array<demo_item, 3> items{};
  std::size_t item_count = 0;
};

/// Orders 0, 1, 2, ... of one seed, over `customers` customers and the
/// given products (at least one of each). Every order's buyer is drawn
/// uniformly at random up front, but the orders come out grouped by buyer
/// (customer 0's first, then customer 1's, ...), with ids rising in that
/// order: the buyer indexes and foreign-key checks then walk their pages in
/// order instead of touching a random page per row.
class order_generator {
public:
  /// A generator for `orders` orders of `seed`; `products` must outlive it.
  order_generator(uint64_t seed, int64_t customers, int64_t orders,
                  const std::vector<demo_product>& products);

  /// The next order; call at most `orders` times.
  demo_order next();

private:
  demo_random random_;
  uint64_t order_salt_;
  uint64_t item_salt_;
  uint16_t order_prefix_;
  uint16_t item_prefix_;
  const std::vector<demo_product>& products_;
  std::vector<uint32_t> orders_of_; // per customer, drawn up front
  uint64_t customer_ = 0;           // the buyer of the next order
  uint32_t left_ = 0;               // orders of customer_ still to come
  uint64_t row_ = 0;
  uint64_t item_row_ = 0;
};

/// "SALE10", the coupon every 4th order carries.
inline constexpr const char* demo_coupon = "SALE10";

} // namespace cdpd::storage::seed
