#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "net/api/validation.hpp"
#include "storage/repositories/customer_repository.hpp"
#include "storage/repositories/import_repository.hpp"
#include "storage/repositories/order_repository.hpp"

/// Customers and orders read from JSON: the bodies of POST/PUT /api/users/
/// and POST /api/orders/, and the NDJSON lines of bulk import, which use the
/// same readers (same coercions, same messages) plus an `external_id`.
///
/// A customer line is a UserCreate body with `external_id`; an order line is
/// an Order body with `external_id` that names its customer by
/// `customer_external_id` or `user_id` (exactly one) and each item's product
/// by `product_external_id` or `product_id` (exactly one). External ids are
/// non-empty strings of at most 200 characters.
namespace cdpd::net::api {

/// Why an import line was not turned into a row: the validation problems
/// joined as "loc: msg" with "; " (e.g. "email: field required;
/// items[0].quantity: value is not a valid integer"), or "invalid JSON:
/// <parser message>".
struct line_error {
  std::string message;
};

/// True when a line holds only whitespace. Callers skip such lines (an
/// NDJSON stream may end with one or separate records with them); they are
/// neither rows nor errors.
bool is_blank_line(std::string_view line);

/// Parses one NDJSON customer line; the error says what is wrong with it.
/// A blank line is answered with the error "field required".
std::variant<storage::customer_import_row, line_error>
parse_customer_line(std::string_view line);

/// Parses one NDJSON order line; the error says what is wrong with it.
/// A blank line is answered with the error "field required".
std::variant<storage::order_import_row, line_error>
parse_order_line(std::string_view line);

/// Reads the members of a UserCreate (`create`: email, first_name and
/// last_name required) or UserUpdate object, recording problems under
/// `loc`; nullopt when any was found.
std::optional<storage::customer_fields>
read_customer_object(const nlohmann::json& obj, const nlohmann::json& loc,
                     bool create, issues& found);

/// Reads the members of an Order object, recording problems under `loc`;
/// nullopt when any was found. With `ids_required`, user_id and every
/// item's product_id are required (POST /api/orders/); without, they are
/// optional so that an import line can name external ids instead.
/// total_amount is required unless every item has a unit_price (then it is
/// their sum). Defaults: order_status "pending", currency "USD", channel
/// "web"; order_date stays absent when not given.
std::optional<storage::order_input> read_order_object(const nlohmann::json& obj,
                                                      const nlohmann::json& loc,
                                                      bool ids_required,
                                                      issues& found);

} // namespace cdpd::net::api
