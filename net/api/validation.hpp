#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/http/http_message.hpp"

/// Request validation in the prototype's style (FastAPI with pydantic 1):
/// every problem becomes one `{loc, msg, type}` entry, and a request with
/// any answers 422 with `{"detail": [entries...]}`. Readers coerce values
/// the way pydantic 1 does (numbers become strings for str fields, "yes"
/// and 1 become true for bool fields, "12" becomes 12 for int fields).
namespace cdpd::net::api {

/// One validation problem.
struct validation_issue {
  nlohmann::json loc; ///< e.g. ["body", "email"] or ["query", "limit"]
  std::string msg;    ///< e.g. "field required"
  std::string type;   ///< e.g. "value_error.missing"
};

/// The problems found in one request.
class issues {
public:
  /// Records a problem.
  void add(nlohmann::json loc, std::string msg, std::string type) {
    list_.push_back({std::move(loc), std::move(msg), std::move(type)});
  }

  /// True when nothing was recorded.
  bool empty() const { return list_.empty(); }

  /// The 422 response listing every problem (problem+json with `detail`
  /// the array).
  http_response response() const;

private:
  std::vector<validation_issue> list_;
};

/// A member read from a JSON object: absent, null, or a value.
template <class T> struct field {
  bool present = false;   ///< the key was in the object
  std::optional<T> value; ///< empty when absent, null or invalid
  bool is_null() const { return present && !value; }
};

/// Deepest nesting of arrays and objects a request may send. A segment
/// definition of 32 nested groups needs about 70.
inline constexpr int max_json_depth = 128;

/// Thrown by parse_json when a text nests deeper than max_json_depth.
struct json_too_deep {};

/// Thrown by parse_json when a string (a value or a key) holds a NUL: libpq
/// ends a parameter at the first NUL, so "admin@x\u0000junk" would reach
/// SQL as "admin@x" while everything before SQL saw another value.
struct json_has_nul {};

/// nlohmann::json::parse with the nesting limit and no NUL in any string:
/// throws json_too_deep or json_has_nul, and
/// json::parse_error for invalid text or json::out_of_range for a number
/// too large for a double (catch json::exception for both).
nlohmann::json parse_json(std::string_view text);

/// Parses a request body that must be a JSON object. Records
/// "field required" for an empty body, a JSON decode error, "JSON nested
/// deeper than 128 levels", a string with NUL, or "value is not a valid
/// dict" for another
/// JSON value; returns nullopt then.
std::optional<nlohmann::json> parse_object(const std::string& body,
                                           issues& found);

/// `loc` extended by one key or index.
nlohmann::json loc_with(const nlohmann::json& loc, const nlohmann::json& key);

/// Reads `obj[key]` as a string (numbers are converted).
field<std::string> read_string(const nlohmann::json& obj, const char* key,
                               const nlohmann::json& loc, issues& found);

/// Reads `obj[key]` as a boolean.
field<bool> read_bool(const nlohmann::json& obj, const char* key,
                      const nlohmann::json& loc, issues& found);

/// Reads `obj[key]` as an integer.
field<int64_t> read_int(const nlohmann::json& obj, const char* key,
                        const nlohmann::json& loc, issues& found);

/// Reads `obj[key]` as a number.
field<double> read_number(const nlohmann::json& obj, const char* key,
                          const nlohmann::json& loc, issues& found);

/// Reads `obj[key]` as a JSON object.
field<nlohmann::json> read_object(const nlohmann::json& obj, const char* key,
                                  const nlohmann::json& loc, issues& found);

/// Reads `obj[key]` as a JSON array.
field<nlohmann::json> read_array(const nlohmann::json& obj, const char* key,
                                 const nlohmann::json& loc, issues& found);

/// Records "field required" when the field is absent and "none is not an
/// allowed value" when it is null; true when it has a value.
template <class T>
bool require(const field<T>& f, const nlohmann::json& loc, const char* key,
             issues& found) {
  if (!f.present)
    found.add(loc_with(loc, key), "field required", "value_error.missing");
  else if (f.is_null())
    found.add(loc_with(loc, key), "none is not an allowed value",
              "type_error.none.not_allowed");
  return f.value.has_value();
}

/// Converts a query parameter to an integer; records "value is not a valid
/// integer" at ["query", name] when it is not one.
std::optional<int64_t> query_int(const http_request& request, const char* name,
                                 issues& found);

/// A query parameter, if present.
std::optional<std::string> query_string(const http_request& request,
                                        const char* name);

/// Coerces a JSON value as pydantic 1's int validator does.
std::optional<int64_t> coerce_int(const nlohmann::json& value);

/// Coerces a JSON value as pydantic 1's str validator does.
std::optional<std::string> coerce_string(const nlohmann::json& value);

} // namespace cdpd::net::api
