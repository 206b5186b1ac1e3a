#include "actors/ai/offline/answers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "actors/ai/offline/segment_reader.hpp"

namespace cdpd::actors::ai::offline {

namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

double number_of(const json& v) {
  if (v.is_number())
    return v.get<double>();
  if (v.is_array() && !v.empty() && v[0].is_number())
    return v[0].get<double>();
  return 0;
}

/// Every leaf of a definition that is not under a NOT.
void leaves(const json& node, std::vector<json>& out) {
  if (!node.is_object())
    return;
  if (node.contains("criteria")) {
    if (node.value("logical_operator", "AND") == "NOT")
      return;
    for (const auto& c : node["criteria"])
      leaves(c, out);
    return;
  }
  out.push_back(node);
}

std::optional<audience> audience_of_definition(const json& definition) {
  std::vector<json> list;
  leaves(definition, list);
  std::optional<audience> found;
  auto pick = [&](audience a) {
    // The first clear signal wins, except that lapsed beats everything:
    // "spent a lot but not lately" is a win-back audience.
    if (!found || a == audience::lapsed)
      found = a;
  };
  for (const auto& leaf : list) {
    auto field = leaf.value("field", "");
    auto oper = leaf.value("operator", "");
    auto value = number_of(leaf.value("value", json{}));
    bool above = oper == "gt" || oper == "gte" || oper == "between";
    bool below = oper == "lt" || oper == "lte";
    if (field == "days_since_last_order" && above && value >= 30)
      pick(audience::lapsed);
    else if (field == "days_since_last_order" && below)
      pick(audience::recent);
    else if (field == "last_order_date" && oper == "not_within_last_days")
      pick(audience::lapsed);
    else if (field == "order_count" &&
             ((oper == "eq" && value == 0) || (oper == "lt" && value <= 1)))
      pick(audience::never_ordered);
    else if (field == "order_count" &&
             ((oper == "eq" && value <= 2) || (below && value <= 2)))
      pick(audience::first_order);
    else if ((field == "total_order_value" || field == "lifetime_value") &&
             above && value >= 500)
      pick(audience::high_value);
    else if (field == "order_count" && above && value >= 4)
      pick(audience::high_value);
    else if (field == "created_at" && oper == "within_last_days")
      pick(audience::never_ordered);
  }
  return found;
}

audience audience_of_words(std::string_view description) {
  auto text = lower(description);
  auto has = [&](std::initializer_list<std::string_view> words) {
    return std::any_of(words.begin(), words.end(), [&](std::string_view w) {
      return text.find(w) != std::string::npos;
    });
  };
  if (has({"lapsed", "inactive", "at-risk", "at risk", "win back", "win-back",
           "churn", "dormant", "not ordered", "haven't ordered"}))
    return audience::lapsed;
  if (has({"vip", "platinum", "gold", "high value", "high-value", "loyal",
           "big spender", "high spender", "frequent"}))
    return audience::high_value;
  if (has({"no orders", "never", "signup", "sign-up", "signed up", "welcome",
           "new customer", "new subscriber", "prospect"}))
    return audience::never_ordered;
  if (has({"first", "one-time", "one time", "new buyer"}))
    return audience::first_order;
  if (has({"active", "recent"}))
    return audience::recent;
  return audience::general;
}

std::string label(std::string_view description) {
  return description.empty() ? std::string{"your customers"}
                             : std::string{description};
}

json email(std::string subject, std::string body) {
  return {{"step_type", "SEND_EMAIL"},
          {"config",
           {{"subject", std::move(subject)}, {"body_text", std::move(body)}}}};
}

json wait(int days) {
  return {{"step_type", "WAIT"}, {"config", {{"duration_days", days}}}};
}

json push(std::string title, std::string message) {
  return {{"step_type", "SEND_PUSH"},
          {"config",
           {{"title", std::move(title)}, {"message", std::move(message)}}}};
}

json exit_step() {
  return {{"step_type", "EXIT"}, {"config", json::object()}};
}

/// The per-audience texts every template shares.
struct playbook {
  std::string_view kind;       ///< "Welcome", "Win-back", ...
  std::string_view entry_type; ///< one of the prototype's five
  std::string_view entry_text; ///< when a customer enters
  std::string_view first_subject;
  std::string_view first_body;
  std::string_view second_subject;
  std::string_view second_body;
  std::string_view push_title;
  std::string_view push_message;
  std::string_view send_time; ///< HH:MM
  std::string_view time_reason;
  std::string_view strategy;
  std::string_view tone;
  std::array<std::string_view, 3> ideas;
};

const playbook& playbook_for(audience a) {
  static const std::array<playbook, 6> books = {{
      {"Welcome",
       "signup",
       "Customer signs up and has not ordered yet",
       "Welcome! Here is 10% off your first order",
       "Thanks for joining us. Your first order comes with 10% off: use the "
       "code in this email at checkout.",
       "Our best sellers, picked for you",
       "Not sure where to start? These are the products customers like you "
       "buy first.",
       "Your welcome offer ends soon",
       "Your 10% first-order discount expires in 48 hours.",
       "12:00",
       "Midday, when new subscribers check personal email on their lunch "
       "break; welcome messages opened the same day convert best.",
       "Turn sign-ups into first orders with a time-limited welcome offer "
       "and social proof.",
       "welcoming",
       {"A first-order discount with a clear expiry",
        "Best sellers and reviews as social proof",
        "A short brand story with free-shipping terms"}},
      {"Second purchase",
       "first_purchase",
       "Customer completes a first order",
       "Thank you for your first order",
       "We hope you love it. Here are a few tips to get the most out of "
       "your purchase, and what other customers pair it with.",
       "Something to go with your order",
       "Customers who bought what you did also liked these picks.",
       "A little thank-you inside",
       "Enjoy free shipping on your next order this week.",
       "18:00",
       "Early evening, after work, when one-time buyers have time to browse "
       "and a second order is most likely.",
       "Earn the second order: thank, cross-sell from the first purchase, "
       "then a small incentive.",
       "warm",
       {"Care tips for the product they bought",
        "Complementary products from the same category",
        "Free shipping on the second order"}},
      {"Win-back",
       "order_completed",
       "Customer's last order was a while ago and has not returned",
       "We miss you: 15% off to welcome you back",
       "It has been a while. Here is 15% off your next order, and a look at "
       "what is new since your last visit.",
       "New arrivals since your last order",
       "A lot has changed: these are the new products customers are buying "
       "now.",
       "15% off ends tonight",
       "Come back and save 15% on anything, today only.",
       "10:00",
       "Mid-morning on a weekday, when inboxes are less crowded; lapsed "
       "customers respond best before the lunch peak.",
       "Re-engage lapsed buyers with a strong, time-limited discount and "
       "what is new.",
       "friendly",
       {"A personal 'we miss you' note with a discount",
        "New arrivals since their last order",
        "A last-chance reminder before the offer expires"}},
      {"VIP",
       "order_completed",
       "High-value customer completes an order",
       "Thank you for being one of our best customers",
       "You are part of a small group of our most valued customers. As a "
       "thank-you, you get early access to our next collection.",
       "Early access, just for you",
       "Shop the new collection 48 hours before everyone else, with free "
       "express shipping.",
       "Your VIP early access is open",
       "The new collection is live for VIPs only. Have a look.",
       "19:00",
       "Evening, when high-value customers browse at leisure; premium and "
       "early-access offers get their best open rates after dinner.",
       "Reward and retain the best customers with recognition and "
       "exclusivity rather than discounts.",
       "exclusive",
       {"Early access to new collections", "A personal thank-you from the team",
        "Free express shipping on every order"}},
      {"Momentum",
       "order_completed",
       "Customer completes an order",
       "Thanks for your order: here is what is next",
       "Your order is on its way. While you wait, here are products that go "
       "well with it.",
       "How are you liking it?",
       "Tell us what you think and get 10% off your next order.",
       "Picked for you",
       "New picks based on your last order are waiting.",
       "11:00",
       "Late morning, while the last purchase is fresh; active customers "
       "open promptly and act the same day.",
       "Keep recent buyers engaged with relevant follow-ups and a review "
       "incentive.",
       "friendly",
       {"Products that complement the last order",
        "A review request with a small reward",
        "Restock reminders for consumables"}},
      {"Engagement",
       "order_completed",
       "Customer in the segment completes an order",
       "Something special for you",
       "We picked a few products we think you will like, with an offer just "
       "for this week.",
       "Don't miss this week's picks",
       "A reminder that this week's offer ends on Sunday.",
       "This week's picks are here",
       "Fresh picks and this week's offer are waiting for you.",
       "10:00",
       "Mid-morning on a weekday, the most reliable open-rate window for "
       "general audiences.",
       "Stay top of mind with relevant picks and one clear offer a week.",
       "friendly",
       {"This week's best sellers", "One clear offer with an end date",
        "Seasonal picks for the segment"}},
  }};
  return books[static_cast<std::size_t>(a)];
}

static_assert(static_cast<int>(audience::never_ordered) == 0 &&
                  static_cast<int>(audience::general) == 5,
              "playbook_for indexes its books by audience");

std::string str(std::string_view s) {
  return std::string{s};
}

} // namespace

audience audience_of(const json& definition, std::string_view description) {
  if (auto a = audience_of_definition(definition))
    return *a;
  if (auto read = read_segment(description);
      !read.definition["criteria"].empty())
    if (auto a = audience_of_definition(read.definition))
      return *a;
  return audience_of_words(description);
}

json flow_for(std::string_view description, const json& definition) {
  const auto& book = playbook_for(audience_of(definition, description));
  auto who = label(description);
  json steps = json::array({
      email(str(book.first_subject), str(book.first_body)),
      wait(3),
      email(str(book.second_subject), str(book.second_body)),
      wait(4),
      push(str(book.push_title), str(book.push_message)),
      exit_step(),
  });
  for (std::size_t i = 0; i < steps.size(); ++i)
    steps[i]["step_order"] = static_cast<int>(i + 1);
  return {{"entry_condition_type", book.entry_type},
          {"name", str(book.kind) + " flow for " + who},
          {"entry_condition", str(book.entry_text) + " (segment: " + who + ")"},
          {"steps", std::move(steps)}};
}

json campaign_for(std::string_view description, const json& definition,
                  const std::optional<std::string>& flow_name) {
  const auto& book = playbook_for(audience_of(definition, description));
  auto who = label(description);
  std::string text = str(book.strategy);
  if (flow_name)
    text += " Delivered through the flow \"" + *flow_name + "\".";
  auto criteria = describe_definition(definition);
  if (!criteria.empty())
    text += " Audience: customers whose " + criteria + ".";
  json recommendations = json::array();
  for (auto idea : book.ideas)
    recommendations.push_back(idea);
  return {{"name", str(book.kind) + " campaign for " + who},
          {"description", std::move(text)},
          {"start_time_of_day", book.send_time},
          {"time_recommendation_reason", book.time_reason},
          {"marketing_strategy", book.strategy},
          {"recommendations", std::move(recommendations)}};
}

json chat_answer(std::string_view prompt, std::string_view context) {
  auto read = read_segment(prompt);
  bool understood = !read.definition["criteria"].empty();
  auto a =
      understood
          ? audience_of(read.definition, prompt)
          : audience_of_words(std::string{prompt} + " " + std::string{context});
  const auto& book = playbook_for(a);
  std::string who =
      understood ? "Customers whose " + describe_definition(read.definition)
                 : std::string{prompt};
  json ideas = json::array();
  for (auto idea : book.ideas)
    ideas.push_back(idea);
  std::string explanation =
      understood
          ? "I read your question as the segment: " + who + ". A " +
                lower(book.kind) + " message fits this audience. " +
                str(book.time_reason)
          : read.explanation + " Here is a general suggestion meanwhile.";
  return {{"segment_description", who},
          {"campaign",
           {{"subject", book.first_subject},
            {"send_time", book.send_time},
            {"send_date", "Within 3 days"},
            {"content_ideas", std::move(ideas)}}},
          {"explanation", std::move(explanation)},
          {"segment", read.definition}};
}

json step_content(std::string_view description, std::string_view step_type,
                  int step_number) {
  const auto& book = playbook_for(audience_of(json::object(), description));
  auto who = label(description);
  bool later = step_number > 1;
  if (step_type == "SEND_PUSH")
    return {{"subject", later ? book.push_title : book.first_subject},
            {"body_text", book.push_message},
            {"tone", book.tone}};
  std::string body = "Hi {{first_name}},\n\n" +
                     str(later ? book.second_body : book.first_body) +
                     "\n\nWe wrote this for " + who +
                     ", and we would love to hear what you think.\n\nThe team";
  return {{"subject", later ? book.second_subject : book.first_subject},
          {"body_text", std::move(body)},
          {"tone", book.tone}};
}

} // namespace cdpd::actors::ai::offline
