#include "actors/segments/engine/customer_columns.hpp"

#include <algorithm>
#include <clocale>
#include <cwctype>
#include <locale.h>
#include <numeric>

namespace cdpd::actors::segments::engine {

namespace {

// Decodes one UTF-8 character at s[i]; invalid bytes pass through as
// themselves (PostgreSQL never stores invalid UTF-8).
char32_t decode(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80         ? 1
            : (b >> 5) == 6  ? 2
            : (b >> 4) == 14 ? 3
            : (b >> 3) == 30 ? 4
                             : 1;
  if (i + static_cast<std::size_t>(len) > s.size())
    len = 1;
  char32_t cp = len == 1   ? b
                : len == 2 ? (b & 0x1F)
                : len == 3 ? (b & 0x0F)
                           : (b & 0x07);
  for (int k = 1; k < len; ++k)
    cp =
        (cp << 6) |
        (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
  i += static_cast<std::size_t>(len);
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// lower() under one locale, loaded once.
class lowerer {
public:
  explicit lowerer(const std::string& lc_ctype)
      : ascii_only_(lc_ctype == "C" || lc_ctype == "POSIX") {
    if (!ascii_only_)
      loc_ = newlocale(LC_CTYPE_MASK, lc_ctype.c_str(), locale_t{});
  }
  ~lowerer() {
    if (loc_ != locale_t{})
      freelocale(loc_);
  }
  lowerer(const lowerer&) = delete;
  lowerer& operator=(const lowerer&) = delete;

  bool ok() const noexcept { return ascii_only_ || loc_ != locale_t{}; }

  std::string operator()(std::string_view s) const {
    std::string out;
    out.reserve(s.size());
    if (ascii_only_) {
      for (char c : s)
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                           : c);
      return out;
    }
    for (std::size_t i = 0; i < s.size();) {
      auto cp = decode(s, i);
      auto low = towlower_l(static_cast<wint_t>(cp), loc_);
      encode(static_cast<char32_t>(low), out);
    }
    return out;
  }

private:
  bool ascii_only_;
  locale_t loc_{};
};

// Sorts the pending values; returns the sorted dictionary and old->new codes.
std::vector<std::uint32_t> sort_into(std::vector<std::string>& values,
                                     string_dictionary& dict,
                                     const lowerer& lower) {
  std::vector<std::uint32_t> order(values.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(),
            [&](auto a, auto b) { return values[a] < values[b]; });
  std::vector<std::uint32_t> remap(values.size());
  dict.values.clear();
  dict.lowered.clear();
  dict.values.reserve(values.size());
  dict.lowered.reserve(values.size());
  for (std::uint32_t k = 0; k < order.size(); ++k) {
    remap[order[k]] = k;
    dict.lowered.push_back(lower(values[order[k]]));
    dict.values.push_back(std::move(values[order[k]]));
  }
  values.clear();
  return remap;
}

void remap_codes(std::vector<std::uint32_t>& codes,
                 const std::vector<std::uint32_t>& remap) {
  for (auto& c : codes)
    if (c != string_column::null_code)
      c = remap[c];
}

} // namespace

std::optional<std::uint32_t>
string_dictionary::find(std::string_view text) const {
  auto it = std::lower_bound(values.begin(), values.end(), text,
                             [](const std::string& a, std::string_view b) {
                               return std::string_view{a} < b;
                             });
  if (it == values.end() || *it != text)
    return std::nullopt;
  return static_cast<std::uint32_t>(it - values.begin());
}

std::optional<std::size_t> customer_columns::row_of(std::string_view id) const {
  for (std::size_t r = 0; r < ids.size(); ++r)
    if (ids[r] == id)
      return r;
  return std::nullopt;
}

namespace {

template <class T> std::size_t bytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

std::size_t bytes(const std::vector<std::string>& v) {
  std::size_t n = v.capacity() * sizeof(std::string);
  for (const auto& s : v)
    if (s.capacity() > 15) // beyond the small-string buffer
      n += s.capacity() + 1;
  return n;
}

std::size_t bytes(const string_dictionary& d) {
  return bytes(d.values) + bytes(d.lowered);
}

std::size_t bytes(const string_column& c) {
  return bytes(c.dictionary) + bytes(c.codes);
}

} // namespace

std::size_t memory_bytes(const customer_columns& c) {
  return bytes(c.ids) + bytes(c.email) + bytes(c.phone) + bytes(c.first_name) +
         bytes(c.last_name) + bytes(c.shipping_state) +
         bytes(c.shipping_country) + bytes(c.marketing_opt_in.words()) +
         bytes(c.total_order_value) + bytes(c.order_count) +
         bytes(c.last_order_date) + bytes(c.created_at) + bytes(c.order_begin) +
         bytes(c.order_date) + bytes(c.order_amount) + bytes(c.order_status) +
         bytes(c.order_channel) + bytes(c.item_begin) + bytes(c.item_category) +
         bytes(c.item_product) + bytes(c.statuses) + bytes(c.channels) +
         bytes(c.categories) + bytes(c.products);
}

std::uint32_t columns_builder::pending_strings::code(const std::string& s) {
  auto [it, inserted] =
      index.try_emplace(s, static_cast<std::uint32_t>(values.size()));
  if (inserted)
    values.push_back(s);
  return it->second;
}

columns_builder::columns_builder(std::string lc_ctype) {
  out_.lc_ctype = std::move(lc_ctype);
  out_.order_begin.push_back(0);
  out_.item_begin.push_back(0);
}

void columns_builder::add_customer(const customer_record& c) {
  auto opt = [](pending_strings& p, const std::optional<std::string>& s) {
    return s ? p.code(*s) : string_column::null_code;
  };
  out_.ids.push_back(c.id);
  out_.email.codes.push_back(email_.code(c.email));
  out_.phone.codes.push_back(opt(phone_, c.phone));
  out_.first_name.codes.push_back(first_name_.code(c.first_name));
  out_.last_name.codes.push_back(last_name_.code(c.last_name));
  out_.shipping_state.codes.push_back(opt(state_, c.shipping_state));
  out_.shipping_country.codes.push_back(opt(country_, c.shipping_country));
  opt_in_.push_back(c.marketing_opt_in);
  out_.total_order_value.push_back(c.total_order_value_cents);
  out_.order_count.push_back(c.order_count);
  out_.last_order_date.push_back(c.last_order_date);
  out_.created_at.push_back(c.created_at);
  out_.order_begin.push_back(out_.order_begin.back());
}

void columns_builder::add_order(const order_record& o) {
  if (out_.ids.empty())
    return;
  out_.order_date.push_back(o.order_date);
  out_.order_amount.push_back(o.amount_cents);
  out_.order_status.push_back(statuses_.code(o.status));
  out_.order_channel.push_back(channels_.code(o.channel));
  for (const auto& item : o.items) {
    out_.item_category.push_back(categories_.code(item.category));
    out_.item_product.push_back(products_.code(item.product_id));
  }
  out_.item_begin.push_back(
      static_cast<std::uint32_t>(out_.item_category.size()));
  ++out_.order_begin.back();
}

std::optional<customer_columns> columns_builder::finish() {
  lowerer lower{out_.lc_ctype};
  if (!lower.ok())
    return std::nullopt;
  auto sort_column = [&](pending_strings& p, string_column& col) {
    remap_codes(col.codes, sort_into(p.values, col.dictionary, lower));
    p.index.clear();
  };
  sort_column(email_, out_.email);
  sort_column(phone_, out_.phone);
  sort_column(first_name_, out_.first_name);
  sort_column(last_name_, out_.last_name);
  sort_column(state_, out_.shipping_state);
  sort_column(country_, out_.shipping_country);
  auto sort_codes = [&](pending_strings& p, string_dictionary& d,
                        std::vector<std::uint32_t>& codes) {
    remap_codes(codes, sort_into(p.values, d, lower));
    p.index.clear();
  };
  sort_codes(statuses_, out_.statuses, out_.order_status);
  sort_codes(channels_, out_.channels, out_.order_channel);
  sort_codes(categories_, out_.categories, out_.item_category);
  sort_codes(products_, out_.products, out_.item_product);
  out_.marketing_opt_in = row_bitset{opt_in_.size()};
  for (std::size_t r = 0; r < opt_in_.size(); ++r)
    if (opt_in_[r])
      out_.marketing_opt_in.set(r);
  opt_in_.clear();
  auto lc = out_.lc_ctype;
  customer_columns done = std::move(out_);
  out_ = customer_columns{};
  out_.lc_ctype = lc;
  out_.order_begin.push_back(0);
  out_.item_begin.push_back(0);
  return done;
}

namespace {

std::optional<std::string> text_at(const string_column& col, std::size_t row) {
  auto code = col.codes[row];
  if (code == string_column::null_code)
    return std::nullopt;
  return col.dictionary.values[code];
}

} // namespace

void copy_row(const customer_columns& from, std::size_t row,
              columns_builder& to) {
  if (row >= from.size())
    return;
  customer_record c;
  c.id = from.ids[row];
  c.email = text_at(from.email, row).value_or(std::string{});
  c.phone = text_at(from.phone, row);
  c.first_name = text_at(from.first_name, row).value_or(std::string{});
  c.last_name = text_at(from.last_name, row).value_or(std::string{});
  c.shipping_state = text_at(from.shipping_state, row);
  c.shipping_country = text_at(from.shipping_country, row);
  c.marketing_opt_in = from.marketing_opt_in.test(row);
  c.total_order_value_cents = from.total_order_value[row];
  c.order_count = from.order_count[row];
  c.last_order_date = from.last_order_date[row];
  c.created_at = from.created_at[row];
  to.add_customer(c);
  for (auto o = from.order_begin[row]; o < from.order_begin[row + 1]; ++o) {
    order_record order;
    order.order_date = from.order_date[o];
    order.amount_cents = from.order_amount[o];
    order.status = from.statuses.values[from.order_status[o]];
    order.channel = from.channels.values[from.order_channel[o]];
    for (auto i = from.item_begin[o]; i < from.item_begin[o + 1]; ++i)
      order.items.push_back({from.categories.values[from.item_category[i]],
                             from.products.values[from.item_product[i]]});
    to.add_order(order);
  }
}

std::optional<std::string> pg_lower(std::string_view text,
                                    const std::string& lc_ctype) {
  lowerer lower{lc_ctype};
  if (!lower.ok())
    return std::nullopt;
  return lower(text);
}

} // namespace cdpd::actors::segments::engine
