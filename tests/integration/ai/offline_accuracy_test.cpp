#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include <pqxx/pqxx>

#include "actors/ai/offline/segment_reader.hpp"
#include "actors/ai/segment_check.hpp"
#include "storage/errc.hpp"
#include "storage/seed/demo_data.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"
#include "tests/integration/seed/seeded_db.hpp"

// The offline engine against the demo data: each sentence's definition is
// counted by the SQL back end and compared with the count of a predicate
// written by hand from the sentence's meaning. Comparing counts rather than
// JSON lets any correct formulation pass and catches a wrong one.
namespace cdpd::test {
namespace {

namespace offline = actors::ai::offline;
namespace seg = storage::segments;

struct phrasing {
  const char* sentence;
  const char* predicate;     ///< over customers c; now() is the evaluation time
  bool may_be_empty = false; ///< the demo data has nobody to match
};

// Recency on the demo data: dates are whole days before the seeding's
// now(), so "within 30 days" (after now - 30 days) and "not within 90 days"
// (at or before now - 90 days, or never) have customers on both sides.
#define LAST_ORDER_WITHIN(d) "c.last_order_date > now() - interval '" d " days'"
#define NO_ORDER_WITHIN(d)                                                     \
  "(c.last_order_date IS NULL OR c.last_order_date <= now() - interval '" d    \
  " days')"
#define ORDERS_IN_CATEGORY(cat, extra)                                         \
  "EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id "    \
  "JOIN products p ON p.id = i.product_id WHERE o.customer_id = c.id AND "     \
  "p.category = '" cat "'" extra ")"
#define ORDERS_SINCE(d)                                                        \
  "(SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND "             \
  "o.order_date >= now() - interval '" d " days')"

const phrasing phrasings[] = {
    // States, by name and code, lists and exclusions.
    {"Customers in California", "c.shipping_state = 'CA'"},
    {"customers from TX", "c.shipping_state = 'TX'"},
    {"New York customers", "c.shipping_state = 'NY'"},
    {"people living in North Carolina", "c.shipping_state = 'NC'"},
    {"customers in California or Texas", "c.shipping_state IN ('CA','TX')"},
    {"Florida, Georgia and Ohio customers",
     "c.shipping_state IN ('FL','GA','OH')"},
    {"customers outside Texas and Florida",
     "c.shipping_state NOT IN ('TX','FL')"},
    {"everyone except California", "c.shipping_state <> 'CA'"},
    {"customers not in New Jersey", "c.shipping_state <> 'NJ'"},
    {"customers who don't live in Washington", "c.shipping_state <> 'WA'"},
    {"customers in the United States", "c.shipping_country = 'US'"},
    // Money.
    {"customers who spent over $500", "c.total_order_value > 500"},
    {"spent more than 1000 dollars", "c.total_order_value > 1000"},
    {"customers who spent at least 250", "c.total_order_value >= 250"},
    {"customers with a lifetime value of at least $1,500",
     "c.total_order_value >= 1500"},
    {"spent less than $100", "c.total_order_value < 100"},
    {"customers spending under 200 dollars", "c.total_order_value < 200"},
    {"customers who spent between 100 and 300",
     "c.total_order_value BETWEEN 100 AND 300"},
    {"total spend from $200 to $400",
     "c.total_order_value BETWEEN 200 AND 400"},
    {"customers who spent nothing", "c.total_order_value = 0"},
    {"customers who spent $1000 or more", "c.total_order_value >= 1000"},
    {"over $2k spent", "c.total_order_value > 2000"},
    {"customers who did not spend more than $300",
     "c.total_order_value <= 300"},
    {"average order value above $150",
     "(SELECT avg(total_amount) FROM orders o WHERE o.customer_id = c.id) > "
     "150"},
    {"at least 700 lifetime value", "c.total_order_value >= 700"},
    // Order counts.
    {"customers with more than 5 orders", "c.order_count > 5"},
    {"placed at least 3 orders", "c.order_count >= 3"},
    {"customers with fewer than 2 orders", "c.order_count < 2"},
    {"customers who ordered more than 4 times", "c.order_count > 4"},
    {"customers with exactly 2 orders", "c.order_count = 2"},
    {"3+ orders", "c.order_count >= 3"},
    {"between 2 and 4 orders", "c.order_count BETWEEN 2 AND 4"},
    {"one-time buyers", "c.order_count = 1"},
    {"customers who ordered only once", "c.order_count = 1"},
    {"repeat customers", "c.order_count > 1"},
    {"customers with no orders", "c.order_count = 0"},
    {"customers who never ordered", "c.order_count = 0"},
    {"no more than 2 orders", "c.order_count <= 2"},
    {"more than 2 orders in the last 90 days", ORDERS_SINCE("90") " > 2"},
    // Recency and sign-up.
    {"customers who ordered in the last 30 days", LAST_ORDER_WITHIN("30")},
    {"bought something in the past 2 weeks", LAST_ORDER_WITHIN("14")},
    {"customers who purchased in the last 3 months", LAST_ORDER_WITHIN("90")},
    {"customers who have not ordered in 90 days", NO_ORDER_WITHIN("90")},
    {"haven't purchased anything in the last 6 months", NO_ORDER_WITHIN("180")},
    {"customers with no orders in the last 60 days", NO_ORDER_WITHIN("60")},
    {"last ordered more than 120 days ago",
     "c.last_order_date < now() - interval '120 days' AND c.order_count > 0"},
    {"inactive for 100 days", NO_ORDER_WITHIN("100")},
    {"active in the last week", LAST_ORDER_WITHIN("7")},
    {"people who signed up this week",
     "c.created_at >= now() - interval '7 days'", true},
    {"customers who joined in the last 90 days",
     "c.created_at >= now() - interval '90 days'"},
    {"registered more than a year ago",
     "c.created_at < now() - interval '365 days'"},
    // Opt-in.
    {"opted in customers", "c.marketing_opt_in"},
    {"customers who accept marketing", "c.marketing_opt_in"},
    {"customers who unsubscribed from marketing", "NOT c.marketing_opt_in"},
    {"customers who did not opt in", "NOT c.marketing_opt_in"},
    {"opted-out customers", "NOT c.marketing_opt_in"},
    // Names and email.
    {"customers named James", "c.first_name = 'James'"},
    {"customers whose last name is Garcia", "c.last_name = 'Garcia'"},
    {"first name starts with M", "c.first_name ILIKE 'M%'"},
    {"customers whose email contains smith", "c.email ILIKE '%smith%'"},
    {"emails ending in example.com", "c.email ILIKE '%example.com'"},
    {"customers with a gmail address", "c.email ILIKE '%gmail%'", true},
    // Categories.
    {"customers who bought Electronics", ORDERS_IN_CATEGORY("Electronics", "")},
    {"Books buyers", ORDERS_IN_CATEGORY("Books", "")},
    {"bought toys in the last 60 days",
     ORDERS_IN_CATEGORY("Toys", " AND o.order_date >= now() - interval '60 "
                                "days'")},
    {"customers who have never bought beauty products",
     "NOT " ORDERS_IN_CATEGORY("Beauty", "")},
    // Structure.
    {"TX customers who spent over $500",
     "c.shipping_state = 'TX' AND c.total_order_value > 500"},
    {"VIPs: more than 10 orders or over $2000 spent",
     "c.order_count > 10 OR c.total_order_value > 2000"},
    {"customers in Texas who spent over $500 or have more than 5 orders",
     "c.shipping_state = 'TX' AND (c.total_order_value > 500 OR "
     "c.order_count > 5)"},
    {"opted in California customers with at least 3 orders",
     "c.marketing_opt_in AND c.shipping_state = 'CA' AND c.order_count >= 3"},
    {"repeat customers who have not ordered in 60 days",
     "c.order_count > 1 AND " NO_ORDER_WITHIN("60")},
    {"customers in New York or New Jersey who spent between $100 and $500",
     "c.shipping_state IN ('NY','NJ') AND c.total_order_value BETWEEN 100 AND "
     "500"},
    {"unsubscribed customers with no orders",
     "NOT c.marketing_opt_in AND c.order_count = 0"},
    {"customers who ordered in the last 30 days and spent over $1000",
     LAST_ORDER_WITHIN("30") " AND c.total_order_value > 1000"},
    {"Electronics buyers in Florida",
     "c.shipping_state = 'FL' AND " ORDERS_IN_CATEGORY("Electronics", "")},
};

/// Counts the definition through the SQL back end at `now`.
std::int64_t definition_count(pqxx::connection& conn, const nlohmann::json& def,
                              std::chrono::system_clock::time_point now) {
  auto parsed = seg::parse_definition(def);
  if (!parsed.ok()) {
    ADD_FAILURE() << "does not parse: " << def.dump();
    return -1;
  }
  auto n = seg::count_members(conn, *parsed.definition, now);
  if (!n) {
    ADD_FAILURE() << storage::describe(n.error());
    return -1;
  }
  return *n;
}

TEST(offline_engine, reads_phrasings_as_their_hand_written_predicates) {
  migrated_db db;
  storage::seed::seed_options options;
  options.customers = 600;
  options.orders = 2400;
  options.products = 50;
  auto seeded = storage::seed::seed_demo_data(db.conn(), options, {});
  ASSERT_TRUE(seeded) << storage::describe(seeded.error());
  int right = 0;
  int total = 0;
  for (const auto& p : phrasings) {
    SCOPED_TRACE(p.sentence);
    ++total;
    auto reading = offline::read_segment(p.sentence);
    auto checked = actors::ai::check_segment(reading.definition);
    EXPECT_TRUE(checked.dropped.empty()) << reading.definition.dump();
    if (checked.definition["criteria"].empty()) {
      ADD_FAILURE() << "refused: " << reading.explanation;
      continue;
    }
    // One instant for both sides: the database's, read just before.
    auto now_text = db.value("SELECT now()");
    pqxx::work tx{db.conn()};
    auto now = std::chrono::system_clock::now();
    auto expected = tx.exec1("SELECT count(*) FROM customers c WHERE " +
                             std::string{p.predicate})[0]
                        .as<std::int64_t>();
    tx.commit();
    auto got = definition_count(db.conn(), checked.definition, now);
    EXPECT_EQ(got, expected) << reading.definition.dump();
    if (!p.may_be_empty) {
      EXPECT_GT(expected, 0) << "the predicate selects nobody: " << now_text;
    }
    if (got == expected)
      ++right;
  }
  std::printf("offline engine: %d of %d phrasings count as their hand-written "
              "predicate\n",
              right, total);
  EXPECT_GE(total, 60);
}

} // namespace
} // namespace cdpd::test
