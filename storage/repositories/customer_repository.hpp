#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `customers` table (the prototype's "user"). Functions fail with the
/// storage errors of pg_errors.hpp (errc::query_failed,
/// errc::connection_lost, errc::statement_timeout).
namespace cdpd::storage {

/// One customer row, timestamps as naive UTC ISO strings.
struct customer_record {
  std::string id;
  std::string email;
  std::optional<std::string> phone;
  std::string first_name;
  std::string last_name;
  bool marketing_opt_in = true;
  std::optional<std::string> shipping_state;
  std::optional<std::string> shipping_country;
  double total_order_value = 0;
  int64_t order_count = 0;
  std::optional<std::string> last_order_date;
  std::string created_at;
};

/// The writable columns of a customer; absent members are left alone on
/// update. A create needs email, first_name and last_name.
struct customer_fields {
  std::optional<std::string> email;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<bool> marketing_opt_in;
  nullable_update phone;
  nullable_update shipping_state;
  nullable_update shipping_country;
};

/// Filter of the customer list.
struct customer_query {
  /// Case-insensitive substring of first name, last name or email; '%' and
  /// '_' act as wildcards. Empty or absent: no filter.
  std::optional<std::string> search;
  page_request page;
};

/// Customers in insertion order (created_at, id).
caf::expected<page<customer_record>>
list_customers(pqxx::connection& conn, const customer_query& query);

/// One customer; refusal::customer_missing when there is none.
caf::expected<outcome<customer_record>> get_customer(pqxx::connection& conn,
                                                     const std::string& id);

/// Inserts a customer with zero aggregates and, in the same transaction,
/// its `signup` event (flows enter on it); refusal::email_taken when the
/// email belongs to another customer.
caf::expected<outcome<customer_record>>
create_customer(pqxx::connection& conn, const customer_fields& fields);

/// Changes the given columns; refusal::customer_missing for an unknown id,
/// refusal::email_taken when the new email belongs to another customer.
caf::expected<outcome<customer_record>>
update_customer(pqxx::connection& conn, const std::string& id,
                const customer_fields& fields);

/// Deletes a customer and (by cascade) their orders;
/// refusal::customer_missing for an unknown id.
caf::expected<outcome<bool>> delete_customer(pqxx::connection& conn,
                                             const std::string& id);

} // namespace cdpd::storage
