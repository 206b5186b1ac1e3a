#include "actors/ai/offline/lexicon.hpp"

#include <array>
#include <utility>

namespace cdpd::actors::ai::offline {

namespace {

struct state_entry {
  std::string_view code;
  std::string_view name; ///< lower case
};

constexpr std::array<state_entry, 51> states = {{
    {"AL", "alabama"},
    {"AK", "alaska"},
    {"AZ", "arizona"},
    {"AR", "arkansas"},
    {"CA", "california"},
    {"CO", "colorado"},
    {"CT", "connecticut"},
    {"DE", "delaware"},
    {"DC", "district of columbia"},
    {"FL", "florida"},
    {"GA", "georgia"},
    {"HI", "hawaii"},
    {"ID", "idaho"},
    {"IL", "illinois"},
    {"IN", "indiana"},
    {"IA", "iowa"},
    {"KS", "kansas"},
    {"KY", "kentucky"},
    {"LA", "louisiana"},
    {"ME", "maine"},
    {"MD", "maryland"},
    {"MA", "massachusetts"},
    {"MI", "michigan"},
    {"MN", "minnesota"},
    {"MS", "mississippi"},
    {"MO", "missouri"},
    {"MT", "montana"},
    {"NE", "nebraska"},
    {"NV", "nevada"},
    {"NH", "new hampshire"},
    {"NJ", "new jersey"},
    {"NM", "new mexico"},
    {"NY", "new york"},
    {"NC", "north carolina"},
    {"ND", "north dakota"},
    {"OH", "ohio"},
    {"OK", "oklahoma"},
    {"OR", "oregon"},
    {"PA", "pennsylvania"},
    {"RI", "rhode island"},
    {"SC", "south carolina"},
    {"SD", "south dakota"},
    {"TN", "tennessee"},
    {"TX", "texas"},
    {"UT", "utah"},
    {"VT", "vermont"},
    {"VA", "virginia"},
    {"WA", "washington"},
    {"WV", "west virginia"},
    {"WI", "wisconsin"},
    {"WY", "wyoming"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 24>
    category_words = {{
        {"electronics", "Electronics"},
        {"electronic", "Electronics"},
        {"gadgets", "Electronics"},
        {"clothing", "Clothing"},
        {"clothes", "Clothing"},
        {"apparel", "Clothing"},
        {"fashion", "Clothing"},
        {"home", "Home"},
        {"homeware", "Home"},
        {"sports", "Sports"},
        {"sport", "Sports"},
        {"sporting", "Sports"},
        {"books", "Books"},
        {"book", "Books"},
        {"beauty", "Beauty"},
        {"cosmetics", "Beauty"},
        {"makeup", "Beauty"},
        {"toys", "Toys"},
        {"toy", "Toys"},
        {"food", "Food"},
        {"grocery", "Food"},
        {"groceries", "Food"},
        {"snacks", "Food"},
        {"garden", "Home"},
    }};

constexpr std::array<std::pair<std::string_view, std::string_view>, 6>
    channel_words = {{
        {"mobile", "mobile"},
        {"app", "mobile"},
        {"web", "web"},
        {"website", "web"},
        {"online", "web"},
        {"marketplace", "marketplace"},
    }};

constexpr std::array<std::pair<std::string_view, std::string_view>, 43>
    unsupported = {{
        {"age", "age"},
        {"aged", "age"},
        {"old", "age"},
        {"older", "age"},
        {"younger", "age"},
        {"birthday", "birthdays"},
        {"birthdays", "birthdays"},
        {"born", "birthdays"},
        {"gender", "gender"},
        {"male", "gender"},
        {"female", "gender"},
        {"men", "gender"},
        {"women", "gender"},
        {"city", "cities"},
        {"cities", "cities"},
        {"zip", "postal codes"},
        {"zipcode", "postal codes"},
        {"postcode", "postal codes"},
        {"income", "income"},
        {"salary", "income"},
        {"clicked", "email clicks"},
        {"clicks", "email clicks"},
        {"opened", "email opens"},
        {"opens", "email opens"},
        {"visited", "site visits"},
        {"visits", "site visits"},
        {"browsed", "browsing"},
        {"cart", "carts"},
        {"carts", "carts"},
        {"abandoned", "carts"},
        {"wishlist", "wishlists"},
        {"reviews", "reviews"},
        {"reviewed", "reviews"},
        {"rating", "ratings"},
        {"loyalty", "loyalty points"},
        {"points", "loyalty points"},
        {"coupon", "coupons"},
        {"coupons", "coupons"},
        {"refund", "refunds"},
        {"refunded", "refunds"},
        {"canada", "countries other than the US"},
        {"canadian", "countries other than the US"},
        {"europe", "countries other than the US"},
    }};

constexpr std::array<std::string_view, 22> vague = {
    "loyal",    "engaged",  "inactive",   "dormant",    "lapsed", "recent",
    "recently", "frequent", "frequently", "occasional", "best",   "top",
    "valuable", "whales",   "churning",   "risk",       "new",    "active",
    "big",      "high",     "low",        "heavy"};

} // namespace

std::optional<named> state_at(const std::vector<token>& tokens,
                              std::size_t at) {
  if (at >= tokens.size())
    return std::nullopt;
  // Longest name first: "new york" before anything shorter.
  std::optional<named> best;
  for (const auto& s : states) {
    std::size_t k = at;
    std::string_view rest = s.name;
    bool ok = true;
    while (!rest.empty()) {
      auto space = rest.find(' ');
      auto part = rest.substr(0, space);
      if (k >= tokens.size() || tokens[k].word != part) {
        ok = false;
        break;
      }
      ++k;
      rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
    }
    if (ok && (!best || k > best->end))
      best = named{std::string{s.code}, k};
  }
  if (best)
    return best;
  const auto& t = tokens[at];
  if (t.original.size() == 2 && t.original != "OR")
    for (const auto& s : states)
      if (t.original == s.code)
        return named{std::string{s.code}, at + 1};
  return std::nullopt;
}

std::optional<named> category_at(const std::vector<token>& tokens,
                                 std::size_t at) {
  if (at >= tokens.size())
    return std::nullopt;
  for (const auto& [word, name] : category_words)
    if (tokens[at].word == word) {
      auto end = at + 1;
      // "sporting goods", "home goods"
      if (end < tokens.size() && tokens[end].word == "goods")
        ++end;
      return named{std::string{name}, end};
    }
  return std::nullopt;
}

std::optional<named> channel_at(const std::vector<token>& tokens,
                                std::size_t at) {
  if (at >= tokens.size())
    return std::nullopt;
  for (const auto& [word, name] : channel_words)
    if (tokens[at].word == word)
      return named{std::string{name}, at + 1};
  return std::nullopt;
}

std::string_view state_name(std::string_view code) {
  for (const auto& s : states)
    if (s.code == code)
      return s.name;
  return code;
}

const std::vector<std::string>& category_names() {
  static const std::vector<std::string> names = {
      "Electronics", "Clothing", "Home", "Sports",
      "Books",       "Beauty",   "Toys", "Food"};
  return names;
}

std::optional<std::string_view> unsupported_concept(std::string_view word) {
  for (const auto& [w, what] : unsupported)
    if (w == word)
      return what;
  return std::nullopt;
}

bool vague_word(std::string_view word) {
  for (auto w : vague)
    if (w == word)
      return true;
  return false;
}

} // namespace cdpd::actors::ai::offline
