#pragma once

#include <string>

#include "actors/domain/webhook_target.hpp"
#include "actors/storage/db_actor.hpp"
#include "storage/repositories/webhook_delivery_repository.hpp"
#include "storage/repositories/webhook_repository.hpp"

/// Work for the db actor on webhook endpoints. Failures are domain errors
/// (errc::not_found "Webhook not found"; errc::rejected with the reason
/// when an endpoint URL is refused by webhook_target.hpp's rules) or
/// storage errors.
namespace cdpd::actors::domain {

/// A new endpoint secret: "whsec_" and the base64 of 32 random bytes from
/// OpenSSL's generator (the form the Standard Webhooks libraries read).
/// Empty when the generator fails.
std::string make_webhook_secret();

/// Replies storage::page<storage::webhook_record>.
db_job<storage::page<storage::webhook_record>>
list_webhooks(storage::page_request page);

/// Replies storage::webhook_record.
db_job<storage::webhook_record> get_webhook(std::string id);

/// Checks the URL (resolving its host on the db worker's thread, before a
/// connection is taken), then replies the new storage::webhook_record with
/// its secret.
db_job<storage::webhook_record> create_webhook(storage::webhook_fields fields,
                                               std::string secret,
                                               webhook_rules rules);

/// Checks a new URL as create_webhook does, then replies the changed
/// storage::webhook_record.
db_job<storage::webhook_record> update_webhook(std::string id,
                                               storage::webhook_fields fields,
                                               webhook_rules rules);

/// Replies true once the endpoint and its deliveries are gone.
db_job<bool> delete_webhook(std::string id);

/// Replies the endpoint's delivery log, newest first.
db_job<storage::page<storage::webhook_delivery_record>>
list_webhook_deliveries(storage::webhook_delivery_query query);

/// Replies the new row that sends delivery `id` of the endpoint again
/// (errc::not_found "Delivery not found").
db_job<storage::webhook_delivery_record>
replay_webhook_delivery(std::string endpoint_id, int64_t id);

/// Replies how many events since `since` were queued for the endpoint.
db_job<int64_t> replay_webhooks_since(std::string endpoint_id,
                                      std::string since);

/// Replies the queued `webhook.ping` row.
db_job<storage::webhook_delivery_record>
queue_webhook_ping(std::string endpoint_id);

} // namespace cdpd::actors::domain

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::webhook_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::webhook_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::webhook_delivery_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::webhook_delivery_record>)
