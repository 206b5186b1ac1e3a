#include "actors/ai/segment_check.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "storage/segments/definition.hpp"

namespace cdpd::actors::ai {

namespace {

using nlohmann::json;
namespace seg = storage::segments;

constexpr int max_depth = 32;

/// "and" -> "AND"; anything else that is not AND, OR or NOT -> nullopt.
std::optional<std::string> logic_of(const json& node) {
  auto it = node.find("logical_operator");
  if (it == node.end() || it->is_null())
    return "AND";
  if (!it->is_string())
    return std::nullopt;
  auto text = it->get<std::string>();
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (text == "AND" || text == "OR" || text == "NOT")
    return text;
  return std::nullopt;
}

/// The first error parse_definition finds in `criterion` on its own.
std::optional<std::string> leaf_error(const json& criterion) {
  auto parsed = seg::parse_definition(json{
      {"logical_operator", "AND"}, {"criteria", json::array({criterion})}});
  if (parsed.ok())
    return std::nullopt;
  auto message = seg::to_string(parsed.errors.front());
  // "criteria[0].field: ..." -> "field: ..."; the criterion is shown beside.
  if (message.starts_with("criteria[0]"))
    message.erase(0, message.starts_with("criteria[0].") ? 12 : 11);
  return message;
}

/// `group`'s accepted criteria; the rest goes to `dropped`.
json keep_valid(const json& criteria, int depth,
                std::vector<dropped_criterion>& dropped) {
  json kept = json::array();
  for (const auto& c : criteria) {
    if (c.is_object() && c.contains("criteria") && !c.contains("event")) {
      auto how = logic_of(c);
      if (!how || !c["criteria"].is_array() || depth >= max_depth) {
        dropped.push_back({c, "not a group of AND, OR or NOT with a criteria "
                              "list"});
        continue;
      }
      auto inner = keep_valid(c["criteria"], depth + 1, dropped);
      if (!inner.empty())
        kept.push_back({{"logical_operator", *how}, {"criteria", inner}});
      continue;
    }
    if (auto err = leaf_error(c))
      dropped.push_back({c, *err});
    else
      kept.push_back(c);
  }
  return kept;
}

} // namespace

checked_segment check_segment(const json& answer) {
  checked_segment out;
  out.definition = {{"logical_operator", "AND"}, {"criteria", json::array()}};
  if (!answer.is_object()) {
    out.dropped.push_back({answer, "not a JSON object"});
    return out;
  }
  auto how = logic_of(answer);
  if (!how) {
    out.dropped.push_back(
        {answer["logical_operator"], "not a logical operator; read as AND"});
    how = "AND";
  }
  auto criteria = answer.find("criteria");
  if (criteria == answer.end() || !criteria->is_array()) {
    if (criteria != answer.end() && !criteria->is_null())
      out.dropped.push_back({*criteria, "criteria is not a list"});
    return out;
  }
  out.definition["logical_operator"] = *how;
  out.definition["criteria"] = keep_valid(*criteria, 1, out.dropped);
  // Each part parsed alone; the whole must too (it always should).
  if (!seg::parse_definition(out.definition).ok()) {
    out.dropped.push_back({out.definition, "the definition does not parse"});
    out.definition["criteria"] = json::array();
  }
  return out;
}

json dropped_json(const std::vector<dropped_criterion>& dropped) {
  json out = json::array();
  for (const auto& d : dropped)
    out.push_back({{"criterion", d.criterion}, {"reason", d.reason}});
  return out;
}

} // namespace cdpd::actors::ai
