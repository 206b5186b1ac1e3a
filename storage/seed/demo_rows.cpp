#include "storage/seed/demo_rows.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>

namespace cdpd::storage::seed {

namespace {

constexpr uint64_t customer_stream = 1;
constexpr uint64_t product_stream = 2;
constexpr uint64_t order_stream = 3;

constexpr std::array<const char*, 40> first_names = {
    "James",   "Mary",     "John",    "Patricia",  "Robert",  "Jennifer",
    "Michael", "Linda",    "William", "Elizabeth", "David",   "Barbara",
    "Richard", "Susan",    "Joseph",  "Jessica",   "Thomas",  "Sarah",
    "Charles", "Karen",    "Daniel",  "Nancy",     "Matthew", "Lisa",
    "Anthony", "Betty",    "Mark",    "Margaret",  "Steven",  "Sandra",
    "Paul",    "Ashley",   "Andrew",  "Emily",     "Joshua",  "Donna",
    "Kevin",   "Michelle", "Brian",   "Carol"};

constexpr std::array<const char*, 40> last_names = {
    "Smith",    "Johnson", "Williams",  "Brown",    "Jones",     "Garcia",
    "Miller",   "Davis",   "Rodriguez", "Martinez", "Hernandez", "Lopez",
    "Gonzalez", "Wilson",  "Anderson",  "Thomas",   "Taylor",    "Moore",
    "Jackson",  "Martin",  "Lee",       "Perez",    "Thompson",  "White",
    "Harris",   "Sanchez", "Clark",     "Ramirez",  "Lewis",     "Robinson",
    "Walker",   "Young",   "Allen",     "King",     "Wright",    "Scott",
    "Torres",   "Nguyen",  "Hill",      "Flores"};

constexpr std::array<const char*, 8> categories = {
    "Electronics", "Clothing", "Home", "Sports",
    "Books",       "Beauty",   "Toys", "Food"};

constexpr std::array<const char*, 15> states = {"TX", "CA", "NY", "FL", "WA",
                                                "IL", "PA", "OH", "GA", "NC",
                                                "MI", "NJ", "VA", "AZ", "MA"};

constexpr std::array<const char*, 3> channels = {"web", "mobile",
                                                 "marketplace"};

// SplitMix64's finaliser: a cheap, well-mixed hash for the id tails.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string lowercase(const char* text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void append_digits(std::string& out, int64_t value, int width) {
  auto text = std::to_string(value);
  if (static_cast<int>(text.size()) < width)
    out.append(static_cast<std::size_t>(width) - text.size(), '0');
  out += text;
}

} // namespace

demo_random::demo_random(uint64_t seed, uint64_t stream) {
  std::seed_seq seq{static_cast<uint32_t>(seed),
                    static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(stream)};
  engine_.seed(seq);
}

int64_t demo_random::between(int64_t lo, int64_t hi) {
  assert(lo <= hi);
  // Modulo bias is below 2^-30 for the spans used here (at most 2^34).
  auto span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(next() % span);
}

uuid_text make_row_id(uint16_t prefix, uint64_t row, uint64_t salt) {
  assert(row < (uint64_t{1} << 32));
  auto tail = mix(salt ^ row);
  uint64_t hi = (uint64_t{prefix} << 48) | ((row & 0xffffffffULL) << 16) |
                0x8000ULL | (tail & 0x0fffULL);
  uint64_t lo = (mix(tail) & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  static constexpr char hex[] = "0123456789abcdef";
  uuid_text out{};
  std::size_t pos = 0;
  auto put = [&](uint64_t word, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i)
      out[pos++] = hex[(word >> (i * 4)) & 0xf];
  };
  put(hi >> 32, 8);
  out[pos++] = '-';
  put((hi >> 16) & 0xffff, 4);
  out[pos++] = '-';
  put(hi & 0xffff, 4);
  out[pos++] = '-';
  put(lo >> 48, 4);
  out[pos++] = '-';
  put(lo & 0xffffffffffffULL, 12);
  out[pos] = '\0';
  return out;
}

const std::array<const char*, 8>& product_categories() {
  return categories;
}

const std::array<const char*, 15>& shipping_states() {
  return states;
}

customer_generator::customer_generator(uint64_t seed)
    : random_{seed, customer_stream}, salt_{random_.next()},
      prefix_{static_cast<uint16_t>(random_.next())},
      email_counts_(first_names.size() * last_names.size(), 0) {}

uuid_text customer_generator::id_of(uint64_t row) const {
  return make_row_id(prefix_, row, salt_);
}

demo_customer customer_generator::next() {
  demo_customer c;
  c.id = id_of(row_++);
  auto first = static_cast<std::size_t>(
      random_.between(0, static_cast<int64_t>(first_names.size()) - 1));
  auto last = static_cast<std::size_t>(
      random_.between(0, static_cast<int64_t>(last_names.size()) - 1));
  c.first_name = first_names[first];
  c.last_name = last_names[last];
  // first.last<N>, N counting up per name pair: unique because names hold
  // no digits.
  auto n = ++email_counts_[first * last_names.size() + last];
  c.email = lowercase(c.first_name) + '.' + lowercase(c.last_name) +
            std::to_string(n) + "@example.com";
  c.phone = "+1-";
  append_digits(c.phone, random_.between(200, 999), 3);
  c.phone += '-';
  append_digits(c.phone, random_.between(200, 999), 3);
  c.phone += '-';
  append_digits(c.phone, random_.between(0, 9999), 4);
  c.marketing_opt_in = random_.chance(75);
  c.shipping_state = states[static_cast<std::size_t>(
      random_.between(0, static_cast<int64_t>(states.size()) - 1))];
  c.created_days_ago = static_cast<int>(random_.between(30, 730));
  return c;
}

std::vector<demo_product> make_products(int64_t count, uint64_t seed) {
  demo_random random{seed, product_stream};
  auto salt = random.next();
  auto prefix = static_cast<uint16_t>(random.next());
  std::vector<demo_product> products;
  products.reserve(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    demo_product p;
    p.id = make_row_id(prefix, static_cast<uint64_t>(i), salt);
    p.name = "Product-" + std::to_string(i);
    p.category = categories[static_cast<std::size_t>(
        random.between(0, static_cast<int64_t>(categories.size()) - 1))];
    p.brand = "Brand-" + std::to_string(i % 5);
    p.price = random.between(10, 200);
    products.push_back(std::move(p));
  }
  return products;
}

order_generator::order_generator(uint64_t seed, int64_t customers,
                                 int64_t orders,
                                 const std::vector<demo_product>& products)
    : random_{seed, order_stream}, order_salt_{random_.next()},
      item_salt_{random_.next()}, order_prefix_{static_cast<uint16_t>(
                                      random_.next())},
      item_prefix_{static_cast<uint16_t>(random_.next())}, products_{products},
      orders_of_(static_cast<std::size_t>(customers), 0) {
  assert(customers > 0 && !products.empty());
  for (int64_t i = 0; i < orders; ++i)
    ++orders_of_[static_cast<std::size_t>(random_.between(0, customers - 1))];
  left_ = orders_of_.front();
}

demo_order order_generator::next() {
  while (left_ == 0 && customer_ + 1 < orders_of_.size())
    left_ = orders_of_[++customer_];
  assert(left_ > 0);
  --left_;
  demo_order o;
  auto row = row_++;
  o.id = make_row_id(order_prefix_, row, order_salt_);
  o.customer = customer_;
  o.days_ago = static_cast<int>(random_.between(1, 365));
  auto status = random_.between(0, 9);
  o.status = status < 6 ? "delivered" : status < 8 ? "pending" : "shipped";
  o.channel = channels[static_cast<std::size_t>(
      random_.between(0, static_cast<int64_t>(channels.size()) - 1))];
  o.coupon = row % 4 == 0;
  auto product_count = static_cast<int64_t>(products_.size());
  auto wanted = static_cast<std::size_t>(
      random_.between(1, std::min<int64_t>(3, product_count)));
  while (o.item_count < wanted) {
    auto product =
        static_cast<std::size_t>(random_.between(0, product_count - 1));
    bool seen = false;
    for (std::size_t i = 0; i < o.item_count; ++i)
      seen = seen || o.items[i].product == product;
    if (seen)
      continue;
    auto& item = o.items[o.item_count++];
    item.id = make_row_id(item_prefix_, item_row_++, item_salt_);
    item.product = product;
    item.quantity = random_.between(1, 3);
    item.unit_price = products_[product].price;
    o.total += item.quantity * item.unit_price;
  }
  return o;
}

} // namespace cdpd::storage::seed
