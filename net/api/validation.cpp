#include "net/api/validation.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "config/text.hpp"
#include "net/http/problem.hpp"

namespace cdpd::net::api {

namespace {

using nlohmann::json;

std::optional<int64_t> parse_int(std::string_view text) {
  auto t = config::trim(text);
  if (!t.empty() && t.front() == '+')
    t.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc{} || end != t.data() + t.size())
    return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  // std::stod wants a string (and stops at its end).
  std::string t{config::trim(text)};
  if (t.empty())
    return std::nullopt;
  try {
    std::size_t used = 0;
    double value = std::stod(t, &used);
    if (used != t.size() || !std::isfinite(value))
      return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

template <class T, class Coerce>
field<T> read(const json& obj, const char* key, const json& loc, issues& found,
              Coerce coerce, const char* msg, const char* type) {
  field<T> out;
  auto i = obj.find(key);
  if (i == obj.end())
    return out;
  out.present = true;
  if (i->is_null())
    return out;
  out.value = coerce(*i);
  if (!out.value)
    found.add(loc_with(loc, key), msg, type);
  return out;
}

} // namespace

http_response issues::response() const {
  json detail = json::array();
  for (const auto& issue : list_)
    detail.push_back(
        {{"loc", issue.loc}, {"msg", issue.msg}, {"type", issue.type}});
  // The frontend reads only `detail`; the problem members make it a valid
  // problem+json body as well.
  json body{{"type", std::string{problem_type_prefix} + "validation"},
            {"title", "Unprocessable Entity"},
            {"status", 422},
            {"detail", std::move(detail)}};
  auto response = json_response(422, body);
  response.content_type = std::string{problem_content_type};
  return response;
}

json parse_json(std::string_view text) {
  json::parser_callback_t limit = [](int depth, json::parse_event_t event,
                                     json& parsed) {
    // depth counts the containers around the event: 0 at the top level.
    if (depth >= max_json_depth)
      throw json_too_deep{};
    if ((event == json::parse_event_t::value ||
         event == json::parse_event_t::key) &&
        parsed.is_string() &&
        parsed.get_ref<const std::string&>().find('\0') != std::string::npos)
      throw json_has_nul{};
    return true;
  };
  return json::parse(text.begin(), text.end(), limit);
}

std::optional<json> parse_object(const std::string& body, issues& found) {
  if (config::trim(body).empty()) {
    found.add(json::array({"body"}), "field required", "value_error.missing");
    return std::nullopt;
  }
  json parsed;
  try {
    parsed = parse_json(body);
  } catch (const json_too_deep&) {
    found.add(json::array({"body"}),
              "JSON nested deeper than " + std::to_string(max_json_depth) +
                  " levels",
              "value_error.jsondepth");
    return std::nullopt;
  } catch (const json_has_nul&) {
    found.add(json::array({"body"}), "strings must not contain NUL (\\u0000)",
              "value_error.str.nul");
    return std::nullopt;
  } catch (const json::exception&) {
    // parse_error, or out_of_range for a number beyond double (1e999).
    found.add(json::array({"body", 0}), "Expecting value",
              "value_error.jsondecode");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    found.add(json::array({"body"}), "value is not a valid dict",
              "type_error.dict");
    return std::nullopt;
  }
  return parsed;
}

json loc_with(const json& loc, const json& key) {
  auto out = loc;
  out.push_back(key);
  return out;
}

std::optional<std::string> coerce_string(const json& value) {
  if (value.is_string())
    return value.get<std::string>();
  if (value.is_boolean())
    return value.get<bool>() ? "True" : "False";
  if (value.is_number_integer() || value.is_number_unsigned())
    return value.dump();
  if (value.is_number_float()) {
    auto text = value.dump();
    if (text.find_first_of(".eE") == std::string::npos)
      text += ".0";
    return text;
  }
  return std::nullopt;
}

std::optional<int64_t> coerce_int(const json& value) {
  if (value.is_boolean())
    return value.get<bool>() ? 1 : 0;
  if (value.is_number_integer())
    return value.get<int64_t>();
  if (value.is_number_unsigned()) {
    auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX))
      return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_float()) {
    auto d = value.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18)
      return std::nullopt;
    return static_cast<int64_t>(d); // pydantic 1 truncates like int()
  }
  if (value.is_string())
    return parse_int(value.get<std::string>());
  return std::nullopt;
}

field<std::string> read_string(const json& obj, const char* key,
                               const json& loc, issues& found) {
  return read<std::string>(obj, key, loc, found, coerce_string,
                           "str type expected", "type_error.str");
}

field<bool> read_bool(const json& obj, const char* key, const json& loc,
                      issues& found) {
  auto coerce = [](const json& v) -> std::optional<bool> {
    if (v.is_boolean())
      return v.get<bool>();
    if (v.is_number()) {
      auto d = v.get<double>();
      if (d == 0)
        return false;
      if (d == 1)
        return true;
      return std::nullopt;
    }
    if (v.is_string()) {
      auto s = config::lower(v.get<std::string>());
      if (s == "0" || s == "off" || s == "f" || s == "false" || s == "n" ||
          s == "no")
        return false;
      if (s == "1" || s == "on" || s == "t" || s == "true" || s == "y" ||
          s == "yes")
        return true;
    }
    return std::nullopt;
  };
  return read<bool>(obj, key, loc, found, coerce,
                    "value could not be parsed to a boolean",
                    "type_error.bool");
}

field<int64_t> read_int(const json& obj, const char* key, const json& loc,
                        issues& found) {
  return read<int64_t>(obj, key, loc, found, coerce_int,
                       "value is not a valid integer", "type_error.integer");
}

field<double> read_number(const json& obj, const char* key, const json& loc,
                          issues& found) {
  auto coerce = [](const json& v) -> std::optional<double> {
    if (v.is_boolean())
      return v.get<bool>() ? 1.0 : 0.0;
    if (v.is_number()) {
      auto d = v.get<double>();
      return std::isfinite(d) ? std::optional<double>{d} : std::nullopt;
    }
    if (v.is_string())
      return parse_double(v.get<std::string>());
    return std::nullopt;
  };
  return read<double>(obj, key, loc, found, coerce,
                      "value is not a valid float", "type_error.float");
}

field<json> read_object(const json& obj, const char* key, const json& loc,
                        issues& found) {
  auto coerce = [](const json& v) -> std::optional<json> {
    if (v.is_object())
      return v;
    return std::nullopt;
  };
  return read<json>(obj, key, loc, found, coerce, "value is not a valid dict",
                    "type_error.dict");
}

field<json> read_array(const json& obj, const char* key, const json& loc,
                       issues& found) {
  auto coerce = [](const json& v) -> std::optional<json> {
    if (v.is_array())
      return v;
    return std::nullopt;
  };
  return read<json>(obj, key, loc, found, coerce, "value is not a valid list",
                    "type_error.list");
}

std::optional<int64_t> query_int(const http_request& request, const char* name,
                                 issues& found) {
  auto i = request.query.find(name);
  if (i == request.query.end())
    return std::nullopt;
  auto value = parse_int(i->second);
  if (!value)
    found.add(json::array({"query", name}), "value is not a valid integer",
              "type_error.integer");
  return value;
}

std::optional<std::string> query_string(const http_request& request,
                                        const char* name) {
  auto i = request.query.find(name);
  if (i == request.query.end())
    return std::nullopt;
  return i->second;
}

} // namespace cdpd::net::api
