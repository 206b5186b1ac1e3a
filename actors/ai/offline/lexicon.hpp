#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/ai/offline/sentence.hpp"

/// The names the offline engine knows: US states (the data's
/// shipping_state holds two-letter codes), the demo data's product
/// categories and order channels, and the words it must not guess about.
namespace cdpd::actors::ai::offline {

/// A name found in a sentence: what it stands for and the token after it.
struct named {
  std::string code; ///< "CA", "Electronics", "mobile"
  std::size_t end = 0;
};

/// The state named at `tokens[at]` ("California", "new york", "TX"; a code
/// only when written in capitals, and never "OR", the conjunction).
std::optional<named> state_at(const std::vector<token>& tokens, std::size_t at);

/// The product category named at `tokens[at]` ("electronics", "clothes").
std::optional<named> category_at(const std::vector<token>& tokens,
                                 std::size_t at);

/// The order channel named at `tokens[at]` ("mobile", "online" -> web).
std::optional<named> channel_at(const std::vector<token>& tokens,
                                std::size_t at);

/// The name of a state code ("CA" -> "California").
std::string_view state_name(std::string_view code);

/// The demo data's categories, in the order the seed uses.
const std::vector<std::string>& category_names();

/// When `word` asks about something the data has no field for ("age",
/// "city", "clicked"), what to say about it.
std::optional<std::string_view> unsupported_concept(std::string_view word);

/// True for words that describe customers without saying where a line is
/// ("loyal", "inactive", "recent"): the engine asks for a number instead
/// of inventing a threshold.
bool vague_word(std::string_view word);

} // namespace cdpd::actors::ai::offline
