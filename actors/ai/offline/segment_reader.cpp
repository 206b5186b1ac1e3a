#include "actors/ai/offline/segment_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "actors/ai/offline/lexicon.hpp"
#include "actors/ai/offline/sentence.hpp"

namespace cdpd::actors::ai::offline {

namespace {

using nlohmann::json;
using words = std::initializer_list<std::string_view>;

constexpr std::size_t none = static_cast<std::size_t>(-1);

/// A number as JSON: an integer when it is whole (500, not 500.0).
json number_json(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15)
    return static_cast<int64_t>(v);
  return v;
}

json leaf(std::string_view field, std::string_view oper, json value) {
  return {{"field", field}, {"operator", oper}, {"value", std::move(value)}};
}

json group(std::string_view how, json criteria) {
  return {{"logical_operator", how}, {"criteria", std::move(criteria)}};
}

/// A comparison read from a sentence: "more than 5", "between 100 and 300".
struct quantity {
  std::string oper; ///< eq, gt, gte, lt, lte or between
  double low = 0;
  double high = 0; ///< between only
  bool money = false;
  std::size_t end = 0;

  /// The comparison on `field`: one leaf, or for between a pair (an AND
  /// group) the prototype's frontend can show.
  json on(std::string_view field) const {
    if (oper != "between")
      return leaf(field, oper, number_json(low));
    return group("AND", json::array({leaf(field, "gte", number_json(low)),
                                     leaf(field, "lte", number_json(high))}));
  }

  /// The comparison for an event condition ("operator" and "value").
  void into_event(json& event) const {
    event["operator"] = oper;
    event["value"] = oper == "between"
                         ? json::array({number_json(low), number_json(high)})
                         : number_json(low);
  }
};

/// A phrase and the operator it stands for.
struct phrase_operator {
  std::string_view phrase;
  std::string_view oper;
};

// Longest phrases first, so "no more than" wins over "more than".
constexpr phrase_operator comparators[] = {
    {"no more than", "lte"}, {"not more than", "lte"}, {"no fewer than", "gte"},
    {"no less than", "gte"}, {"not less than", "gte"}, {"a minimum of", "gte"},
    {"a maximum of", "lte"}, {"greater than", "gt"},   {"higher than", "gt"},
    {"larger than", "gt"},   {"bigger than", "gt"},    {"in excess of", "gt"},
    {"upwards of", "gt"},    {"more than", "gt"},      {"at least", "gte"},
    {"minimum of", "gte"},   {"less than", "lt"},      {"fewer than", "lt"},
    {"lower than", "lt"},    {"smaller than", "lt"},   {"at most", "lte"},
    {"up to", "lte"},        {"maximum of", "lte"},    {"equal to", "eq"},
    {"exactly", "eq"},       {"precisely", "eq"},      {"over", "gt"},
    {"above", "gt"},         {"exceeding", "gt"},      {"under", "lt"},
    {"below", "lt"},         {"min", "gte"},           {"max", "lte"},
};

constexpr phrase_operator suffixes[] = {
    {"or more", "gte"},  {"or above", "gte"}, {"or higher", "gte"},
    {"or over", "gte"},  {"and up", "gte"},   {"and above", "gte"},
    {"plus", "gte"},     {"or less", "lte"},  {"or fewer", "lte"},
    {"or under", "lte"}, {"or below", "lte"}, {"or lower", "lte"},
};

/// The operator that selects the customers `oper` leaves out, if there is
/// one as a single operator.
std::optional<std::string_view> inverse(std::string_view oper) {
  static constexpr std::pair<std::string_view, std::string_view> pairs[] = {
      {"eq", "neq"},
      {"gt", "lte"},
      {"gte", "lt"},
      {"in", "not_in"},
      {"contains", "not_contains"},
      {"exists", "missing"},
      {"within_last_days", "not_within_last_days"},
  };
  for (auto [a, b] : pairs) {
    if (oper == a)
      return b;
    if (oper == b)
      return a;
  }
  return std::nullopt;
}

/// `node` negated: the inverse operator where there is one, else a NOT
/// group around it.
json negated(json node) {
  if (node.contains("criteria")) {
    if (node["logical_operator"] == "NOT" && node["criteria"].size() == 1)
      return node["criteria"][0];
    return group("NOT", json::array({std::move(node)}));
  }
  auto oper = node.value("operator", "");
  if (node.value("field", "") == "marketing_opt_in" && oper == "eq" &&
      node["value"].is_boolean()) {
    node["value"] = !node["value"].get<bool>();
    return node;
  }
  if (auto inv = inverse(oper)) {
    node["operator"] = *inv;
    return node;
  }
  return group("NOT", json::array({std::move(node)}));
}

/// One phrase read: the tokens it covers and what it means.
struct match {
  std::size_t begin = 0;
  std::size_t end = 0;
  json node;
  bool measured = false; ///< says a number (money, counts, days)
};

class reader {
public:
  explicit reader(std::string_view sentence)
      : t_(tokenize(sentence)), used_(t_.size(), false) {}

  segment_reading read();

private:
  // --- token tests -------------------------------------------------------

  bool free(std::size_t i) const { return i < t_.size() && !used_[i]; }

  bool is(std::size_t i, words ws) const {
    if (!free(i))
      return false;
    return std::find(ws.begin(), ws.end(), t_[i].word) != ws.end();
  }

  /// The end of `phrase` ("more than") at i, or none.
  std::size_t phrase(std::size_t i, std::string_view p) const {
    while (!p.empty()) {
      auto space = p.find(' ');
      auto part = p.substr(0, space);
      if (!free(i) || t_[i].word != part)
        return none;
      ++i;
      p = space == std::string_view::npos ? "" : p.substr(space + 1);
    }
    return i;
  }

  /// The end of the first of `phrases` at i, or none.
  std::size_t any_phrase(std::size_t i, words phrases) const {
    for (auto p : phrases)
      if (auto e = phrase(i, p); e != none)
        return e;
    return none;
  }

  /// Skips up to `most` of the filler words `ws` from i.
  std::size_t skip(std::size_t i, words ws, int most = 3) const {
    for (int k = 0; k < most && is(i, ws); ++k)
      ++i;
    return i;
  }

  std::optional<double> number(std::size_t i) const {
    if (!free(i))
      return std::nullopt;
    return t_[i].number;
  }

  // --- composite phrases --------------------------------------------------

  /// "more than 5", "$500 or more", "between 100 and 300", "5+", "3".
  std::optional<quantity> read_quantity(std::size_t i) const {
    quantity q;
    auto money_at = [&](std::size_t k, std::size_t& end) {
      bool m = t_[k].money;
      end = k + 1;
      if (is(end, {"dollars", "dollar", "usd", "bucks"})) {
        m = true;
        ++end;
      }
      return m;
    };
    for (auto start : {phrase(i, "between"), phrase(i, "from")}) {
      if (start == none)
        continue;
      auto a = number(start);
      std::size_t after_a = 0;
      if (!a)
        continue;
      bool m = money_at(start, after_a);
      auto join = any_phrase(after_a, {"and", "to"});
      if (join == none || !number(join))
        continue;
      q.oper = "between";
      q.low = *a;
      q.high = *number(join);
      q.money = money_at(join, q.end) || m;
      if (q.low > q.high)
        std::swap(q.low, q.high);
      return q;
    }
    std::string_view oper;
    std::size_t at = i;
    for (const auto& c : comparators)
      if (auto e = phrase(i, c.phrase); e != none) {
        oper = c.oper;
        at = e;
        break;
      }
    auto value = number(at);
    if (!value)
      return std::nullopt;
    q.low = *value;
    q.money = money_at(at, q.end);
    if (oper.empty() && is(q.end, {"to"}) && number(q.end + 1)) {
      // "100 to 300"
      q.oper = "between";
      q.high = *number(q.end + 1);
      std::size_t end = 0;
      q.money = money_at(q.end + 1, end) || q.money;
      q.end = end;
      if (q.low > q.high)
        std::swap(q.low, q.high);
      return q;
    }
    if (oper.empty()) {
      oper = t_[at].plus ? "gte" : "eq";
      for (const auto& s : suffixes)
        if (auto e = phrase(q.end, s.phrase); e != none) {
          oper = s.oper;
          q.end = e;
          break;
        }
    }
    q.oper = std::string{oper};
    return q;
  }

  /// Days of a time unit at i ("days" 1, "weeks" 7, "months" 30).
  std::optional<double> unit(std::size_t i) const {
    if (is(i, {"day", "days"}))
      return 1;
    if (is(i, {"week", "weeks"}))
      return 7;
    if (is(i, {"month", "months"}))
      return 30;
    if (is(i, {"quarter", "quarters"}))
      return 90;
    if (is(i, {"year", "years"}))
      return 365;
    return std::nullopt;
  }

  /// "in the last 30 days", "this week", "for 60 days", "within 2 weeks",
  /// "in the past year", "today": the days and the end.
  std::optional<std::pair<double, std::size_t>> window(std::size_t i) const {
    bool prep = false;
    if (is(i, {"in", "within", "during", "over", "for", "since", "from"})) {
      prep = true;
      ++i;
    }
    if (is(i, {"today"}))
      return std::pair{1.0, i + 1};
    if (is(i, {"this"}))
      if (auto u = unit(i + 1))
        return std::pair{*u, i + 2};
    i = skip(i, {"the"}, 1);
    bool last = false;
    if (is(i, {"last", "past", "previous", "recent"})) {
      last = true;
      ++i;
    }
    if (!prep && !last)
      return std::nullopt;
    double count = 1;
    if (auto n = number(i)) {
      count = *n;
      ++i;
    } else if (is(i, {"a", "an", "one"})) {
      ++i;
    } else if (!last) {
      return std::nullopt;
    }
    auto u = unit(i);
    if (!u)
      return std::nullopt;
    return std::pair{count * *u, i + 1};
  }

  /// "more than 90 days ago", "over a year ago": the comparison (gt or lt
  /// on the age) in days, and the end.
  struct age {
    std::string oper; ///< gt: older than; lt: newer than
    double days = 0;
    std::size_t end = 0;
  };
  std::optional<age> ago(std::size_t i) const {
    std::string oper = "gt";
    if (auto e = any_phrase(i, {"more than", "over", "at least", "upwards of"});
        e != none) {
      i = e;
    } else if (auto e2 = any_phrase(i, {"less than", "under", "within"});
               e2 != none) {
      oper = "lt";
      i = e2;
    } else {
      return std::nullopt;
    }
    double count = 1;
    if (auto n = number(i)) {
      count = *n;
      ++i;
    } else if (is(i, {"a", "an"})) {
      ++i;
    } else {
      return std::nullopt;
    }
    auto u = unit(i);
    if (!u || !is(i + 1, {"ago"}))
      return std::nullopt;
    return age{oper, count * *u, i + 2};
  }

  // --- recording ------------------------------------------------------------

  /// Records a match over [begin, end), negated when a "not", "never",
  /// "no", "without" or "...n't" stands just before it (skipping words such
  /// as "who", "have", "in").
  void add(std::size_t begin, std::size_t end, json node,
           bool measured = false) {
    std::size_t k = begin;
    for (int steps = 0; k > 0 && steps < 5; ++steps) {
      auto j = k - 1;
      if (!free(j))
        break;
      const auto& w = t_[j].word;
      bool negation = w == "not" || w == "never" || w == "no" ||
                      w == "without" || w == "non" ||
                      (w.size() > 3 && w.ends_with("n't"));
      if (negation) {
        node = negated(std::move(node));
        begin = j;
        break;
      }
      if (!is(j, {"who",    "that",    "which", "do",   "does",      "did",
                  "have",   "has",     "had",   "are",  "is",        "were",
                  "was",    "be",      "been",  "yet",  "ever",      "those",
                  "any",    "in",      "from",  "to",   "live",      "lives",
                  "living", "located", "based", "ship", "ships",     "shipping",
                  "a",      "an",      "the",   "with", "customers", "users",
                  "people"}))
        break;
      k = j;
    }
    for (auto i = begin; i < end; ++i)
      used_[i] = true;
    found_.push_back({begin, end, std::move(node), measured});
  }

  /// Runs `try_at` at every free position, left to right.
  template <class F> void each(F try_at) {
    for (std::size_t i = 0; i < t_.size(); ++i)
      if (free(i))
        try_at(i);
  }

  // --- matchers -------------------------------------------------------------

  /// Categories from i: "electronics or books" (any of) and "electronics and
  /// books" (each); the names and the end.
  std::optional<std::pair<std::vector<std::vector<std::string>>, std::size_t>>
  categories(std::size_t i) const {
    auto first = free(i) ? category_at(t_, i) : std::nullopt;
    if (!first)
      return std::nullopt;
    std::vector<std::vector<std::string>> all{{first->code}};
    auto end = first->end;
    for (;;) {
      auto sep = skip(end, {","}, 1);
      bool both = is(sep, {"and"});
      auto next_at = skip(sep, {"or", "and"}, 1);
      if (next_at == end)
        break;
      auto next = free(next_at) ? category_at(t_, next_at) : std::nullopt;
      if (!next)
        break;
      if (both)
        all.push_back({next->code});
      else
        all.back().push_back(next->code);
      end = next->end;
    }
    end =
        skip(end, {"category", "categories", "products", "items", "stuff"}, 1);
    return std::pair{std::move(all), end};
  }

  /// An order event over categories: one condition, or an AND group of
  /// one per "and"-joined category.
  static json category_events(const std::vector<std::vector<std::string>>& all,
                              std::optional<double> days, const quantity& q) {
    json list = json::array();
    for (const auto& any_of : all) {
      json event = {{"event", "order"},
                    {"aggregate", "count"},
                    {"where", {{"category", any_of}}}};
      if (days)
        event["within_last_days"] = number_json(*days);
      q.into_event(event);
      list.push_back(std::move(event));
    }
    return list.size() == 1 ? list[0] : group("AND", std::move(list));
  }

  /// "bought electronics", "electronics buyers", "purchased something in
  /// the books category in the last 30 days".
  void match_category(std::size_t i) {
    quantity at_least_one{"gte", 1, 0, false, 0};
    if (is(i, {"bought", "buy", "buys", "buying", "purchased", "purchase",
               "ordered", "shopped", "shop", "shops"})) {
      auto j = skip(i + 1, {"from", "in", "for", "any", "some", "anything",
                            "something", "the", "our", "a", "an", "items",
                            "products"});
      auto cats = categories(j);
      if (!cats)
        return;
      auto end = cats->second;
      std::optional<double> days;
      if (auto w = window(end)) {
        days = w->first;
        end = w->second;
      }
      add(i, end, category_events(cats->first, days, at_least_one),
          days.has_value());
      return;
    }
    auto cats = categories(i);
    if (!cats)
      return;
    auto end = cats->second;
    if (!is(end, {"buyers", "shoppers", "purchasers", "customers", "fans",
                  "lovers", "purchases", "orders"}) &&
        end == i + 1)
      return;
    end = skip(end,
               {"buyers", "shoppers", "purchasers", "customers", "fans",
                "lovers", "purchases", "orders"},
               1);
    std::optional<double> days;
    if (auto w = window(end)) {
      days = w->first;
      end = w->second;
    }
    add(i, end, category_events(cats->first, days, at_least_one),
        days.has_value());
  }

  /// "more than 5 orders", "3+ purchases", "ordered at least 3 times",
  /// "2 orders in electronics in the last 30 days", "one-time buyers",
  /// "repeat customers", "no orders", "never ordered".
  void match_count(std::size_t i) {
    if (auto q = read_quantity(i); q && !q->money) {
      auto noun = skip(
          q->end, {"total", "separate", "different", "completed", "or", "more"},
          2);
      if (is(noun, {"orders", "order", "purchases", "purchase", "times",
                    "transactions"})) {
        auto end = noun + 1;
        std::optional<std::vector<std::vector<std::string>>> cats;
        if (is(end, {"in", "of", "from"})) {
          auto c = categories(skip(end + 1, {"the"}, 1));
          if (c) {
            cats = c->first;
            end = c->second;
          }
        }
        std::optional<double> days;
        if (auto w = window(end)) {
          days = w->first;
          end = w->second;
        }
        if (cats || days) {
          json event;
          if (cats) {
            event = category_events(*cats, days, *q);
          } else {
            event = {{"event", "order"},
                     {"aggregate", "count"},
                     {"within_last_days", number_json(*days)}};
            q->into_event(event);
          }
          add(i, end, std::move(event), true);
        } else {
          add(i, end, q->on("order_count"), true);
        }
        return;
      }
    }
    auto count = [&](std::size_t end, std::string_view oper, int value) {
      add(i, end, leaf("order_count", oper, value), true);
    };
    if (auto e = any_phrase(i, {"one time", "first time", "single purchase",
                                "single order", "only one order",
                                "just one order", "a single order"});
        e != none)
      return count(skip(e,
                        {"buyers", "customers", "purchasers", "shoppers",
                         "buyer", "customer"},
                        1),
                   "eq", 1);
    if (auto e = any_phrase(i, {"repeat", "returning", "multiple orders",
                                "multiple purchases", "more than once"});
        e != none)
      return count(skip(e,
                        {"buyers", "customers", "purchasers", "shoppers",
                         "buyer", "customer", "orders"},
                        1),
                   "gt", 1);
    if (is(i, {"ordered", "bought", "purchased", "shopped", "ordering",
               "buying"})) {
      auto j = skip(i + 1, {"only", "just"}, 1);
      if (auto e = phrase(j, "more than once"); e != none)
        return count(e, "gt", 1);
      if (auto e = phrase(j, "at least twice"); e != none)
        return count(e, "gte", 2);
      if (is(j, {"once"}))
        return count(j + 1, "eq", 1);
      if (is(j, {"twice"}))
        return count(j + 1, "eq", 2);
    }
    // "no orders", "never ordered": not when a window follows, which is
    // recency ("no orders in the last 90 days").
    if (auto e = any_phrase(i, {"no orders", "no order", "no purchases",
                                "zero purchases", "never ordered",
                                "never purchased", "never bought",
                                "never shopped", "without any orders",
                                "without orders", "without any purchases"});
        e != none) {
      if (!window(e))
        count(skip(e, {"yet", "anything", "before"}, 1), "eq", 0);
      return;
    }
  }

  /// "ordered in the last 30 days", "haven't purchased in 90 days",
  /// "last ordered more than 60 days ago", "inactive for 60 days".
  void match_recency(std::size_t i) {
    if (is(i, {"last"})) {
      auto j = skip(
          i + 1,
          {"ordered", "purchased", "bought", "shopped", "order", "purchase"},
          1);
      if (j != i + 1) {
        j = skip(j, {"was", "is", "placed", "made"}, 1);
        if (auto a = ago(j)) {
          // "more than 90 days ago" is before now - 90 days: a date test,
          // not whole days since (90 days and an hour ago is more than 90
          // days ago); and it says the customer did order.
          bool older = a->oper == "gt";
          auto since = leaf("last_order_date",
                            older ? "not_within_last_days" : "within_last_days",
                            number_json(a->days));
          json node =
              older ? group("AND",
                            json::array({since, leaf("order_count", "gt", 0)}))
                    : since;
          add(i, a->end, std::move(node), true);
          return;
        }
      }
    }
    if (is(i, {"inactive", "dormant", "lapsed"})) {
      if (auto w = window(i + 1)) {
        add(i, w->second,
            leaf("days_since_last_order", "gte", number_json(w->first)), true);
        return;
      }
    }
    std::size_t j = any_phrase(
        i, {"placed an order", "placed orders", "made a purchase",
            "made an order", "made purchases", "been active", "ordered",
            "purchased", "bought", "shopped", "order", "orders", "purchase",
            "purchases", "active", "transacted", "buy", "shop"});
    if (j == none)
      return;
    j = skip(j, {"anything", "something", "an", "a", "any", "again", "yet",
                 "from", "with", "us", "online", "one"});
    if (auto w = window(j))
      add(i, w->second,
          leaf("days_since_last_order", "lt", number_json(w->first)), true);
  }

  /// "signed up this week", "joined in the last 30 days", "new customers
  /// this month", "registered more than a year ago".
  void match_signup(std::size_t i) {
    auto j = any_phrase(i, {"signed up", "sign up", "signup", "signups",
                            "joined", "registered", "became customers",
                            "account created", "accounts created", "created",
                            "new customers", "new users", "new members",
                            "new signups", "new accounts", "new"});
    if (j == none)
      return;
    j = skip(j, {"us", "with", "an", "account", "customers", "users"});
    if (auto w = window(j)) {
      add(i, w->second,
          leaf("created_at", "within_last_days", number_json(w->first)), true);
      return;
    }
    if (auto a = ago(j))
      add(i, a->end,
          leaf("created_at",
               a->oper == "gt" ? "not_within_last_days" : "within_last_days",
               number_json(a->days)),
          true);
  }

  /// "spent over $500", "lifetime value between 100 and 300", "average
  /// order value above 80", "over $1,000", "spent nothing".
  void match_money(std::size_t i) {
    std::string field = "total_order_value";
    auto cue = any_phrase(i, {"average order value", "average order",
                              "average spend", "aov", "avg order value"});
    if (cue != none) {
      field = "average_order_value";
    } else {
      cue = any_phrase(i, {"total order value", "lifetime value", "total spend",
                           "total spending", "order value", "spent", "spend",
                           "spends", "spending", "ltv", "revenue", "worth",
                           "value"});
    }
    if (cue != none) {
      if (auto e = any_phrase(cue, {"nothing", "no money", "zero dollars"});
          e != none && field == "total_order_value")
        return add(i, e, leaf(field, "eq", 0), true);
      auto j = skip(cue, {"a", "total", "of", "is", "was", "has", "have",
                          "been", "in", "lifetime", "overall", "than"});
      if (auto q = read_quantity(j)) {
        auto end = skip(
            q->end,
            {"in", "on", "total", "orders", "purchases", "lifetime", "overall"},
            2);
        return add(i, end, q->on(field), true);
      }
      return;
    }
    auto q = read_quantity(i);
    if (!q)
      return;
    auto end = q->end;
    if (!q->money) {
      // "at least 250 lifetime value", "500 or more in spend"
      end = any_phrase(end, {"in lifetime value", "lifetime value",
                             "in total spend", "total spend", "in spend",
                             "spent", "in total order value",
                             "total order value", "in sales"});
      if (end == none)
        return;
      return add(i, end, q->on(field), true);
    }
    if (auto e = any_phrase(end, {"in total", "in spend", "in orders",
                                  "in purchases", "in sales", "spent",
                                  "lifetime", "total", "worth of orders"});
        e != none)
      end = e;
    add(i, end, q->on(field), true);
  }

  /// "in California", "Texas or Florida", "outside Texas and Florida",
  /// "except NY".
  void match_state(std::size_t i) {
    auto first = free(i) ? state_at(t_, i) : std::nullopt;
    if (!first)
      return;
    std::vector<std::string> codes{first->code};
    auto end = first->end;
    for (;;) {
      auto next_at = skip(skip(end, {","}, 1), {"or", "and", "nor"}, 1);
      if (next_at == end)
        break;
      auto next = free(next_at) ? state_at(t_, next_at) : std::nullopt;
      if (!next)
        break;
      codes.push_back(next->code);
      end = next->end;
    }
    end = skip(end, {"state", "states", "residents", "based"}, 1);
    bool outside = false;
    auto begin = i;
    for (auto p :
         {"outside of", "outside", "except for", "except", "excluding",
          "other than", "apart from", "but not", "not in", "besides"}) {
      auto len =
          static_cast<std::size_t>(std::count(std::string_view{p}.begin(),
                                              std::string_view{p}.end(), ' ') +
                                   1);
      if (i >= len && phrase(i - len, p) == i) {
        outside = true;
        begin = i - len;
        break;
      }
    }
    json node = codes.size() == 1
                    ? leaf("shipping_state", outside ? "neq" : "eq", codes[0])
                    : leaf("shipping_state", outside ? "not_in" : "in", codes);
    add(begin, end, std::move(node));
  }

  /// "US customers", "in the United States".
  void match_country(std::size_t i) {
    std::size_t end = none;
    const auto& o = t_[i].original;
    if (o == "US" || o == "USA" || o == "U.S" || o == "U.S.A")
      end = i + 1;
    else
      end = any_phrase(i, {"united states", "america", "american"});
    if (end != none)
      add(i, end, leaf("shipping_country", "eq", "US"));
  }

  /// "opted in", "subscribed", "accept marketing", "unsubscribed from
  /// marketing", "opted out".
  void match_opt_in(std::size_t i) {
    bool yes = true;
    auto end = any_phrase(i, {"opted out", "opt out", "opt outs", "opted-out",
                              "unsubscribed", "unsubscribe", "unsubscribes",
                              "unsubscribers"});
    if (end != none) {
      yes = false;
    } else {
      end = any_phrase(i, {"marketing opt in",
                           "opted in",
                           "opt in",
                           "opt ins",
                           "subscribed",
                           "subscribers",
                           "subscriber",
                           "accept marketing",
                           "accepts marketing",
                           "accepted marketing",
                           "accept emails",
                           "accepts emails",
                           "allow marketing",
                           "allows marketing",
                           "marketing consent",
                           "consented",
                           "consent to marketing",
                           "can be emailed",
                           "can be contacted",
                           "mailing list",
                           "marketing emails",
                           "marketing"});
      if (end == none)
        return;
      // A bare "marketing" only counts after a verb of consent.
      if (t_[i].word == "marketing" && end == i + 1)
        return;
    }
    end = skip(end, {"from", "to", "of", "for", "marketing", "emails", "email",
                     "the", "our", "newsletter", "promotions", "communications",
                     "list"});
    add(i, end, leaf("marketing_opt_in", "eq", yes));
  }

  /// "email contains shop", "emails ending in example.com", "gmail users",
  /// "@yahoo.com addresses".
  void match_email(std::size_t i) {
    auto value_ok = [&](std::size_t k) {
      return free(k) && !t_[k].digits && t_[k].word != "," && t_[k].word != ":";
    };
    if (is(i, {"email", "emails", "address", "addresses", "mail"})) {
      auto j = skip(
          i + 1,
          {"that", "which", "is", "are", "address", "addresses", "domain"}, 2);
      std::string_view oper;
      std::size_t at = none;
      if (auto e = any_phrase(j, {"ending in", "ending with", "ends with",
                                  "ends in", "end with", "end in"});
          e != none) {
        oper = "ends_with";
        at = e;
      } else if (auto e2 = any_phrase(j, {"starting with", "starts with",
                                          "beginning with", "begins with",
                                          "start with"});
                 e2 != none) {
        oper = "starts_with";
        at = e2;
      } else if (auto e3 =
                     any_phrase(j, {"that contains", "contains", "containing",
                                    "including", "includes", "with", "has",
                                    "having", "at", "from", "on"});
                 e3 != none) {
        oper = "contains";
        at = e3;
      }
      if (at != none && value_ok(at))
        return add(i, at + 1, leaf("email", oper, t_[at].word));
      return;
    }
    const auto& w = t_[i].word;
    bool dotted =
        !t_[i].digits && w.find('.') != std::string::npos && w.back() != '.';
    if (w.find('@') != std::string::npos && w.size() > 1) {
      auto begin = i;
      std::string_view oper = "contains";
      for (auto p : {"ending in", "ending with", "ends with", "ends in"})
        if (i >= 2 && phrase(i - 2, p) == i) {
          oper = "ends_with";
          begin = i - 2;
        }
      auto end = skip(
          i + 1,
          {"address", "addresses", "email", "emails", "accounts", "domain"}, 1);
      return add(begin, end, leaf("email", oper, w));
    }
    if ((dotted || is(i, {"gmail", "yahoo", "hotmail", "outlook", "icloud",
                          "aol", "protonmail", "example"})) &&
        is(i + 1, {"address", "addresses", "email", "emails", "accounts",
                   "users", "customers", "mail", "domain"}))
      add(i, i + 2, leaf("email", "contains", w));
  }

  /// "named John", "first name Maria", "last name starts with S",
  /// "surname Garcia", "called John Smith".
  void match_name(std::size_t i) {
    auto word_ok = [&](std::size_t k) {
      return free(k) && !t_[k].number && t_[k].word.size() > 0 &&
             std::isalpha(static_cast<unsigned char>(t_[k].word[0])) != 0 &&
             !is(k, {"and", "or", "who", "with", "in", "that", "from"});
    };
    if (is(i, {"named", "called"})) {
      auto j = i + 1;
      if (!word_ok(j))
        return;
      json first = leaf("first_name", "eq", capitalized(t_[j].word));
      auto k = j + 1;
      bool capital =
          free(k) && !t_[k].original.empty() &&
          std::isupper(static_cast<unsigned char>(t_[k].original[0])) != 0;
      if (capital && word_ok(k) && !state_at(t_, k)) {
        auto last = leaf("last_name", "eq", capitalized(t_[k].word));
        return add(i, k + 1, group("AND", json::array({first, last})));
      }
      return add(i, k, std::move(first));
    }
    std::string_view field;
    auto j = any_phrase(i, {"first name", "firstname", "given name"});
    if (j != none) {
      field = "first_name";
    } else if ((j = any_phrase(i, {"last name", "lastname", "surname",
                                   "family name"})) != none) {
      field = "last_name";
    } else {
      return;
    }
    j = skip(j, {"is", "of", "equals", "equal", "to", "="}, 2);
    std::string_view oper = "eq";
    if (auto e = any_phrase(j, {"starting with", "starts with",
                                "beginning with", "begins with"});
        e != none) {
      oper = "starts_with";
      j = e;
    } else if (auto e2 = any_phrase(j, {"containing", "contains", "including"});
               e2 != none) {
      oper = "contains";
      j = e2;
    } else if (auto e3 =
                   any_phrase(j, {"ending with", "ends with", "ending in"});
               e3 != none) {
      oper = "ends_with";
      j = e3;
    }
    if (!word_ok(j))
      return;
    add(i, j + 1,
        leaf(field, oper,
             oper == "eq" ? capitalized(t_[j].word) : t_[j].original));
  }

  /// "with a phone number" (exists); "without a phone" is its negation.
  void match_phone(std::size_t i) {
    auto end = any_phrase(i, {"phone number", "phone numbers", "phone"});
    if (end != none)
      add(i, end, leaf("phone", "exists", nullptr));
  }

  // --- assembly -------------------------------------------------------------

  /// The criteria in sentence order, "or" binding tighter than "and".
  json combine() const;

  /// Why the sentence cannot be read, if it cannot.
  std::optional<std::string> refusal() const;

  std::vector<token> t_;
  std::vector<bool> used_;
  std::vector<match> found_;
};

json reader::combine() const {
  // Runs of criteria joined by "or"; the runs are joined by "and".
  std::vector<std::vector<json>> runs;
  for (std::size_t m = 0; m < found_.size(); ++m) {
    bool either = false;
    if (m > 0)
      for (auto k = found_[m - 1].end; k < found_[m].begin; ++k)
        if (!used_[k] && t_[k].word == "or")
          either = true;
    if (m == 0 || !either)
      runs.emplace_back();
    runs.back().push_back(found_[m].node);
  }
  auto is_and = [](const json& node) {
    return node.contains("criteria") && node["logical_operator"] == "AND";
  };
  if (runs.size() == 1 && runs[0].size() > 1) {
    json criteria = json::array();
    for (auto& node : runs[0])
      criteria.push_back(node);
    return group("OR", std::move(criteria));
  }
  json criteria = json::array();
  for (auto& run : runs) {
    if (run.size() == 1) {
      // AND inside AND: splice ("between" pairs, "named John Smith").
      if (is_and(run[0]))
        for (auto& c : run[0]["criteria"])
          criteria.push_back(c);
      else
        criteria.push_back(run[0]);
      continue;
    }
    json any = json::array();
    for (auto& node : run)
      any.push_back(node);
    criteria.push_back(group("OR", std::move(any)));
  }
  return group("AND", std::move(criteria));
}

std::optional<std::string> reader::refusal() const {
  for (std::size_t k = 0; k < t_.size(); ++k)
    if (auto what = unsupported_concept(t_[k].word); what && !used_[k])
      return "The customer data has no field for " + std::string{*what} +
             " (\"" + t_[k].original +
             "\"), so I did not build a segment that would ignore it.";
  for (std::size_t k = 0; k < t_.size(); ++k)
    if (t_[k].digits && !used_[k])
      return "I could not tell what \"" + t_[k].original +
             "\" refers to; say e.g. \"spent over $" + t_[k].original +
             "\", \"more than " + t_[k].original +
             " orders\" or \"in the last " + t_[k].original + " days\".";
  if (found_.empty())
    return "I could not find a condition I can express in this sentence. I "
           "understand states (\"in California\", \"outside Texas\"), amounts "
           "spent (\"over $500\"), order counts (\"more than 5 orders\", "
           "\"no orders\"), recency (\"ordered in the last 30 days\"), sign-up "
           "dates (\"signed up this week\"), marketing opt-in, product "
           "categories (\"bought Electronics\"), names and email fragments.";
  // Words before a ":" that nothing was read from are a label ("VIPs: ...").
  std::size_t label_end = 0;
  for (std::size_t k = 0; k < t_.size(); ++k)
    if (t_[k].word == ":") {
      bool read_before =
          std::any_of(found_.begin(), found_.end(),
                      [&](const match& m) { return m.begin < k; });
      if (!read_before)
        label_end = k + 1;
      break;
    }
  bool measured = std::any_of(found_.begin(), found_.end(),
                              [](const match& m) { return m.measured; });
  for (std::size_t k = 0; k < t_.size(); ++k) {
    if (used_[k])
      continue;
    if (k >= label_end && !measured && vague_word(t_[k].word))
      return "\"" + t_[k].original +
             "\" has no fixed meaning in this data; say where the line is, "
             "e.g. \"more than 5 orders\", \"spent over $1000\" or \"ordered "
             "in the last 30 days\".";
  }
  return std::nullopt;
}

segment_reading reader::read() {
  // Most specific phrases first: a category purchase or an order count may
  // carry a window that recency would otherwise take.
  each([&](std::size_t i) { match_category(i); });
  each([&](std::size_t i) { match_count(i); });
  each([&](std::size_t i) { match_recency(i); });
  each([&](std::size_t i) { match_signup(i); });
  each([&](std::size_t i) { match_money(i); });
  each([&](std::size_t i) { match_state(i); });
  each([&](std::size_t i) { match_country(i); });
  each([&](std::size_t i) { match_opt_in(i); });
  each([&](std::size_t i) { match_email(i); });
  each([&](std::size_t i) { match_name(i); });
  each([&](std::size_t i) { match_phone(i); });
  std::sort(found_.begin(), found_.end(),
            [](const match& a, const match& b) { return a.begin < b.begin; });
  if (auto why = refusal())
    return {group("AND", json::array()), *why};
  auto definition = combine();
  return {definition,
          "Customers whose " + describe_definition(definition) + "."};
}

// --- description ------------------------------------------------------------

std::string value_text(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v)
      out += (out.empty() ? "" : ", ") + value_text(e);
    return out;
  }
  return v.dump();
}

std::string describe_node(const json& node);

std::string describe_group(const json& node) {
  auto how = node.value("logical_operator", "AND");
  std::string joint = how == "OR" ? " or " : " and ";
  std::string out;
  for (const auto& c : node.value("criteria", json::array())) {
    auto part = describe_node(c);
    if (c.contains("criteria") && c["criteria"].size() > 1)
      part = "(" + part + ")";
    out += (out.empty() ? "" : joint) + part;
  }
  return how == "NOT" ? "not (" + out + ")" : out;
}

std::string describe_node(const json& node) {
  if (!node.is_object())
    return "?";
  if (node.contains("criteria"))
    return describe_group(node);
  static const std::pair<std::string_view, std::string_view> opers[] = {
      {"eq", "is"},
      {"neq", "is not"},
      {"gt", ">"},
      {"gte", ">="},
      {"lt", "<"},
      {"lte", "<="},
      {"between", "between"},
      {"in", "is one of"},
      {"not_in", "is none of"},
      {"contains", "contains"},
      {"not_contains", "does not contain"},
      {"starts_with", "starts with"},
      {"ends_with", "ends with"},
      {"exists", "is known"},
      {"missing", "is unknown"},
      {"within_last_days", "is within the last days:"},
      {"not_within_last_days", "is before the last days:"},
  };
  auto oper = node.value("operator", "");
  std::string oper_text = oper;
  for (auto [o, text] : opers)
    if (o == oper)
      oper_text = text;
  std::string subject;
  if (node.contains("event")) {
    subject = "number of orders";
    if (node.contains("where") && node["where"].contains("category"))
      subject += " in " + value_text(node["where"]["category"]);
    if (node.contains("within_last_days"))
      subject += " in the last " + node["within_last_days"].dump() + " days";
  } else {
    subject = node.value("field", "?");
    static const std::pair<std::string_view, std::string_view> labels[] = {
        {"total_order_value", "total spent"},
        {"order_count", "number of orders"},
        {"days_since_last_order", "days since the last order"},
        {"created_at", "sign-up date"},
        {"marketing_opt_in", "marketing opt-in"},
        {"shipping_state", "state"},
        {"shipping_country", "country"},
    };
    for (auto [f, label] : labels)
      if (f == subject)
        subject = label;
    std::replace(subject.begin(), subject.end(), '_', ' ');
  }
  std::string out = subject + " " + oper_text;
  if (oper != "exists" && oper != "missing")
    out += " " + value_text(node.value("value", json{}));
  return out;
}

} // namespace

segment_reading read_segment(std::string_view sentence) {
  return reader{sentence}.read();
}

std::string describe_definition(const nlohmann::json& definition) {
  if (!definition.is_object() ||
      definition.value("criteria", json::array()).empty())
    return "";
  return describe_group(definition);
}

} // namespace cdpd::actors::ai::offline
