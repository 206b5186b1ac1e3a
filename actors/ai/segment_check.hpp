#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

/// Every segment definition an AI route returns passes through here, from
/// the offline engine and from a provider alike: criteria the segment
/// language refuses are dropped (never passed on) and reported.
namespace cdpd::actors::ai {

/// A criterion left out, and why.
struct dropped_criterion {
  nlohmann::json criterion;
  std::string reason; ///< the parser's message ("field: \"age\" is not ...")
};

/// A definition the segment language accepts.
struct checked_segment {
  /// {"logical_operator", "criteria"}: what parse_definition accepts.
  nlohmann::json definition;
  std::vector<dropped_criterion> dropped;
};

/// Keeps the criteria of `answer` ({"logical_operator", "criteria", ...})
/// that parse on their own (a group keeps its valid members, and goes when
/// none is left); an unknown logical operator becomes AND and is reported.
checked_segment check_segment(const nlohmann::json& answer);

/// The dropped criteria as JSON: [{"criterion", "reason"}].
nlohmann::json dropped_json(const std::vector<dropped_criterion>& dropped);

} // namespace cdpd::actors::ai
