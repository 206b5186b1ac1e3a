#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `webhook_endpoints` table: where events are sent, which ones, and
/// the secret that signs them. Functions fail with the storage errors of
/// pg_errors.hpp.
namespace cdpd::storage {

/// One endpoint. `secret` is filled only by create_webhook: the API shows
/// it once.
struct webhook_record {
  std::string id;
  std::string url;
  std::optional<std::vector<std::string>> event_types; ///< nullopt: all
  std::string description;
  bool enabled = true;
  std::optional<std::string> disabled_reason;
  std::optional<std::string> failing_since;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> secret;
};

/// Writable columns; absent members are left alone on update.
struct webhook_fields {
  std::optional<std::string> url;
  /// Absent: leave; an empty inner value: every event type.
  std::optional<std::optional<std::vector<std::string>>> event_types;
  std::optional<std::string> description;
  std::optional<bool> enabled;
};

/// Endpoints in creation order.
caf::expected<page<webhook_record>> list_webhooks(pqxx::connection& conn,
                                                  const page_request& request);

/// One endpoint; refusal::webhook_missing when there is none.
caf::expected<outcome<webhook_record>> get_webhook(pqxx::connection& conn,
                                                   const std::string& id);

/// Inserts an endpoint with `secret`; `fields.url` must be set. The record
/// returned carries the secret.
caf::expected<webhook_record> create_webhook(pqxx::connection& conn,
                                             const webhook_fields& fields,
                                             const std::string& secret);

/// Changes the given columns. Enabling an endpoint clears its disabled
/// reason and failure streak. refusal::webhook_missing for an unknown id.
caf::expected<outcome<webhook_record>>
update_webhook(pqxx::connection& conn, const std::string& id,
               const webhook_fields& fields);

/// Deletes an endpoint and its deliveries; refusal::webhook_missing for an
/// unknown id.
caf::expected<outcome<bool>> delete_webhook(pqxx::connection& conn,
                                            const std::string& id);

} // namespace cdpd::storage
