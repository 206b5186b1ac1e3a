#include "tests/integration/segments/small_dataset.hpp"

#include <algorithm>
#include <cctype>

namespace cdpd::test {

using namespace std::chrono;
using storage::segments::timestamp;

timestamp small_dataset::now() {
  return utc(2024, 6, 15, 12);
}

// a: CA/US, phone, 1000.00, 5 orders (stored), ordered 10 days ago;
//    real orders: 600 delivered web Electronics (10 d), 400 shipped mobile
//    Books (40 d).
// b: state "" (blank), no phone, opted out, no orders at all (null date).
// c: state and country NULL, 1000.01, last order exactly 30 days ago;
//    real order: 50 pending web Electronics+Books (30 d).
// d: email with LIKE wildcards, state "ca", country "us", 999.99, 25 orders
//    stored, last order 30 days minus one second ago; no real orders.
// e: upper-case email, NY/US, phone "", 5000, last order 91 days ago;
//    real orders: 3 x 100 delivered marketplace Toys (91, 200, 400 d).
small_dataset::small_dataset() {
  auto t = now();
  electronics = db.insert_product("Phone", "Electronics", "300");
  books = db.insert_product("Novel", "Books", "20");
  toys = db.insert_product("Robot", "Toys", "100");

  segment_test_db::customer ca;
  ca.email = "a@x.com";
  ca.first_name = "Ann";
  ca.last_name = "Archer";
  ca.phone = "+1-555-0100";
  ca.shipping_state = "CA";
  ca.shipping_country = "US";
  ca.total_order_value = "1000.00";
  ca.order_count = 5;
  ca.last_order_date = t - days{10};
  ca.created_at = utc(2024, 1, 1, 10);
  a = db.insert(ca);

  segment_test_db::customer cb;
  cb.email = "b@x.com";
  cb.first_name = "bob";
  cb.last_name = "Baker";
  cb.marketing_opt_in = false;
  cb.shipping_state = "";
  cb.shipping_country = "US";
  cb.created_at = utc(2024, 1, 2);
  b = db.insert(cb);

  segment_test_db::customer cc;
  cc.email = "c@x.com";
  cc.first_name = "Cy";
  cc.last_name = "carter";
  cc.total_order_value = "1000.01";
  cc.order_count = 1;
  cc.last_order_date = t - days{30};
  cc.created_at = utc(2024, 1, 2, 23, 59, 59) + microseconds{999999};
  c = db.insert(cc);

  segment_test_db::customer cd;
  cd.email = "d%_\\@x.com";
  cd.first_name = "Dee";
  cd.last_name = "d'Arcy";
  cd.shipping_state = "ca";
  cd.shipping_country = "us";
  cd.total_order_value = "999.99";
  cd.order_count = 25;
  cd.last_order_date = t - days{30} + seconds{1};
  cd.created_at = utc(2024, 1, 3);
  d = db.insert(cd);

  segment_test_db::customer ce;
  ce.email = "e@X.COM";
  ce.first_name = "Eve";
  ce.last_name = "\xC3\x89"
                 "clair"; // "Éclair"
  ce.phone = "";
  ce.shipping_state = "NY";
  ce.shipping_country = "US";
  ce.total_order_value = "5000";
  ce.order_count = 10;
  ce.last_order_date = t - days{91};
  ce.created_at = utc(2024, 2, 1);
  e = db.insert(ce);

  db.insert_order(a, t - days{10}, "delivered", "600", "web", {electronics});
  db.insert_order(a, t - days{40}, "shipped", "400", "mobile", {books});
  db.insert_order(c, t - days{30}, "pending", "50", "web",
                  {electronics, books});
  for (int ago : {91, 200, 400})
    db.insert_order(e, t - days{ago}, "delivered", "100", "marketplace",
                    {toys});
}

std::string small_dataset::match(const std::string& definition_json) {
  auto found = db.emails(nlohmann::json::parse(definition_json), now());
  std::string letters;
  for (const auto& email : found) {
    if (email == "<error>")
      return email;
    letters += static_cast<char>(
        std::tolower(static_cast<unsigned char>(email.front())));
  }
  std::sort(letters.begin(), letters.end());
  return letters;
}

} // namespace cdpd::test
