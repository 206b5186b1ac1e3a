#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

/// The segment language: a JSON definition parsed once into a validated tree
/// (the AST) that the back ends (SQL compiler, in-memory evaluator) share.
/// The grammar and its semantics are described in storage/segments/README.md.
namespace cdpd::storage::segments {

/// How a field's values compare.
enum class field_type : uint8_t { string, number, boolean, date };

/// Every field a condition may name: customer columns, then computed traits.
enum class field : uint8_t {
  email,
  phone,
  first_name,
  last_name,
  marketing_opt_in,
  shipping_state,
  shipping_country,
  total_order_value,
  order_count,
  last_order_date,
  created_at,
  days_since_last_order, ///< floor(days since last_order_date), 999999 if none
  lifetime_value,        ///< sum of the customer's orders' total_amount
  average_order_value,   ///< mean order total_amount; none without orders
};

/// Comparison operators of conditions and event conditions.
enum class op : uint8_t {
  eq,
  neq,
  gt,
  gte,
  lt,
  lte,
  between, ///< value [low, high], both inclusive
  in,      ///< value is an array; any element equal
  not_in,  ///< value is an array; no element equal (nulls do not match)
  contains,
  not_contains,
  starts_with,
  ends_with,
  exists,  ///< not null (strings: not null and not "")
  missing, ///< null (strings: null or "")
  within_last_days,
  not_within_last_days,
};

/// How a group combines its criteria.
enum class logic : uint8_t {
  all_of,  ///< "AND": every criterion matches
  any_of,  ///< "OR": at least one criterion matches
  none_of, ///< "NOT": no criterion matches
};

/// What an event condition computes over the matching orders.
enum class aggregate : uint8_t { count, sum };

/// Which syntax the definition was written in.
enum class definition_format : uint8_t {
  empty,    ///< no criteria at all: matches nobody
  criteria, ///< {"logical_operator", "criteria": [...]}, flat or nested
  legacy,   ///< {"field": {"op": value, ...}, ...}
};

/// A leaf {field, operator, value}. `value` is kept as written: a value whose
/// type can never match the field is not an error, the condition just never
/// matches (decided by each back end the same way).
struct condition {
  segments::field field = field::email; ///< what is compared
  op oper = op::eq;                     ///< how
  nlohmann::json value;                 ///< with what, as written
  std::string path; ///< where it came from, e.g. "criteria[2]"
};

/// Which orders an event condition looks at; an empty list does not filter.
/// Lists hold alternatives (any of).
struct order_filter {
  std::vector<std::string> statuses;
  std::vector<std::string> channels;
  std::vector<std::string> categories;  ///< an item's product category
  std::vector<std::string> product_ids; ///< an item's product id
};

/// A condition over the customer's orders, e.g. "at least 2 orders in
/// category Electronics in the last 30 days".
struct event_condition {
  segments::aggregate aggregate = aggregate::count; ///< count or sum
  order_filter where;                               ///< which orders count
  std::optional<double> within_last_days;           ///< only orders this recent
  op oper = op::gte;    ///< eq, neq, gt, gte, lt, lte or between
  nlohmann::json value; ///< compared with the aggregate, as written
  std::string path;     ///< where it came from, e.g. "criteria[0]"
};

struct node;

/// A group of criteria combined by `how`; groups nest to any depth.
struct group {
  logic how = logic::all_of;  ///< AND, OR or NOT
  std::vector<node> criteria; ///< in the order written
  std::string path;           ///< "" for the top level
};

/// One criterion: a condition, an event condition or a nested group.
struct node {
  std::variant<condition, event_condition, group> item; ///< what it is
};

/// A parsed, validated definition.
struct segment_definition {
  definition_format format = definition_format::empty; ///< syntax it came in
  group root; ///< the top-level group (legacy: one AND/OR group of leaves)
};

/// One problem found while parsing, pointing at the bad node.
struct definition_error {
  std::string path;    ///< e.g. "criteria[2].operator"; "" is the whole value
  std::string message; ///< e.g. "\"gtt\" is not an operator; expected ..."
};

/// "path: message", or just the message when the path is empty.
std::string to_string(const definition_error& err);

/// The outcome of parse_definition: a definition, or every error found.
struct parse_result {
  std::optional<segment_definition> definition;
  std::vector<definition_error> errors;

  /// True when the definition parsed without errors.
  bool ok() const noexcept { return definition.has_value(); }
};

/// Parses and validates a definition (flat, nested, NOT, legacy or `{}`).
/// Never throws. On failure returns no definition and every error found,
/// each naming the node it concerns.
parse_result parse_definition(const nlohmann::json& definition);

/// The field's name in definitions ("total_order_value").
std::string_view name(field f) noexcept;

/// The field named `text`, if it is one.
std::optional<field> field_from_name(std::string_view text) noexcept;

/// How the field compares.
field_type type_of(field f) noexcept;

/// True for stored customer columns, false for computed traits.
bool is_customer_column(field f) noexcept;

/// The operator's name in definitions ("not_in").
std::string_view name(op o) noexcept;

/// The operator named `text`, if it is one.
std::optional<op> op_from_name(std::string_view text) noexcept;

/// The column the prototype's `/segments/{id}/users` adds to name and email:
/// the first condition (depth first) on a customer column other than email,
/// first_name and last_name. None for the legacy format.
std::optional<field> first_extra_column(const segment_definition& def);

} // namespace cdpd::storage::segments
