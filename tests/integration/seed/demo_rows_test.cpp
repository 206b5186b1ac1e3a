#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "storage/seed/demo_rows.hpp"

namespace cdpd::test {
namespace {

namespace seed = storage::seed;

TEST(demo_rows, row_ids_are_version_8_uuids_that_lead_with_the_row) {
  std::regex uuid{"[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                  "[0-9a-f]{12}"};
  std::set<std::string> seen;
  std::string previous;
  for (uint64_t row = 0; row < 2000; ++row) {
    std::string id = seed::make_row_id(0xabcd, row, 7).data();
    ASSERT_TRUE(std::regex_match(id, uuid)) << id;
    EXPECT_EQ(id.substr(0, 4), "abcd");
    // Ordered by row: primary-key indexes fill from one end.
    EXPECT_LT(previous, id);
    previous = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_STRNE(seed::make_row_id(1, 5, 7).data(),
               seed::make_row_id(1, 5, 8).data());
}

TEST(demo_rows, bounded_draws_cover_the_range_and_stay_inside_it) {
  seed::demo_random random{42, 1};
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    auto v = random.between(1, 3);
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 3);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(demo_rows, the_same_seed_gives_the_same_customers) {
  seed::customer_generator a{7}, b{7}, c{8};
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    auto x = a.next();
    auto y = b.next();
    auto z = c.next();
    EXPECT_STREQ(x.id.data(), y.id.data());
    EXPECT_EQ(x.email, y.email);
    EXPECT_EQ(x.phone, y.phone);
    EXPECT_EQ(x.marketing_opt_in, y.marketing_opt_in);
    EXPECT_EQ(x.created_days_ago, y.created_days_ago);
    differs = differs || x.email != z.email || x.phone != z.phone;
  }
  EXPECT_TRUE(differs);
}

TEST(demo_rows, customer_ids_can_be_recomputed_by_row) {
  seed::customer_generator generator{3};
  for (uint64_t row = 0; row < 50; ++row)
    EXPECT_STREQ(generator.next().id.data(), generator.id_of(row).data());
}

TEST(demo_rows, emails_are_unique_and_phones_have_the_us_format) {
  seed::customer_generator generator{11};
  std::regex email{"[a-z]+\\.[a-z]+[1-9][0-9]*@example\\.com"};
  std::regex phone{"\\+1-[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}"};
  std::set<std::string> emails;
  for (int i = 0; i < 20000; ++i) {
    auto c = generator.next();
    ASSERT_TRUE(std::regex_match(c.email, email)) << c.email;
    ASSERT_TRUE(std::regex_match(c.phone, phone)) << c.phone;
    ASSERT_GE(c.created_days_ago, 30);
    ASSERT_LE(c.created_days_ago, 730);
    emails.insert(c.email);
  }
  EXPECT_EQ(emails.size(), 20000u);
}

TEST(demo_rows, orders_have_distinct_products_at_list_price) {
  auto products = seed::make_products(4, 5);
  seed::order_generator orders{5, 10, 2000, products};
  std::set<std::size_t> sizes;
  for (int i = 0; i < 2000; ++i) {
    auto o = orders.next();
    EXPECT_EQ(o.coupon, i % 4 == 0);
    ASSERT_GE(o.item_count, 1u);
    ASSERT_LE(o.item_count, 3u);
    sizes.insert(o.item_count);
    std::set<std::size_t> distinct;
    int64_t total = 0;
    for (std::size_t k = 0; k < o.item_count; ++k) {
      const auto& item = o.items[k];
      distinct.insert(item.product);
      EXPECT_EQ(item.unit_price, products[item.product].price);
      EXPECT_GE(item.quantity, 1);
      EXPECT_LE(item.quantity, 3);
      total += item.quantity * item.unit_price;
    }
    EXPECT_EQ(distinct.size(), o.item_count);
    EXPECT_EQ(o.total, total);
    EXPECT_LT(o.customer, 10u);
    EXPECT_GE(o.days_ago, 1);
    EXPECT_LE(o.days_ago, 365);
  }
  EXPECT_EQ(sizes.size(), 3u);
}

TEST(demo_rows, orders_come_grouped_by_a_randomly_drawn_buyer) {
  auto products = seed::make_products(3, 9);
  seed::order_generator orders{9, 100, 1000, products};
  std::vector<int> per_customer(100, 0);
  uint64_t previous = 0;
  std::string previous_id;
  for (int i = 0; i < 1000; ++i) {
    auto o = orders.next();
    ASSERT_LT(o.customer, 100u);
    EXPECT_GE(o.customer, previous);
    EXPECT_LT(previous_id, std::string{o.id.data()});
    previous = o.customer;
    previous_id = o.id.data();
    ++per_customer[o.customer];
  }
  // 10 per buyer on average, drawn at random: not all equal, none huge.
  auto [low, high] =
      std::minmax_element(per_customer.begin(), per_customer.end());
  EXPECT_LT(*low, *high);
  EXPECT_LT(*high, 30);
}

TEST(demo_rows, a_single_product_gives_single_line_orders) {
  auto products = seed::make_products(1, 5);
  seed::order_generator orders{5, 1, 100, products};
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(orders.next().item_count, 1u);
}

} // namespace
} // namespace cdpd::test
