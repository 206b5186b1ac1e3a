#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

/// The offline engine's reading of an English sentence about customers into
/// the segment language (storage/segments/README.md): deterministic, no
/// I/O. What it reads is listed in actors/ai/README.md; a sentence it cannot
/// read completely (a concept the data has no field for, a number it cannot
/// place, a vague word such as "loyal" with no number beside it) gives no
/// criteria rather than a guess.
namespace cdpd::actors::ai::offline {

/// A sentence read into a definition.
struct segment_reading {
  /// {"logical_operator": "AND"|"OR", "criteria": [...]}; the criteria are
  /// empty when the sentence was refused.
  nlohmann::json definition;
  std::string explanation; ///< what was read, or why nothing was
};

/// Reads `sentence` ("Texas customers who spent over $500").
segment_reading read_segment(std::string_view sentence);

/// A short English description of a definition's criteria ("state is CA
/// and total spent > 500"); "" for no criteria.
std::string describe_definition(const nlohmann::json& definition);

} // namespace cdpd::actors::ai::offline
