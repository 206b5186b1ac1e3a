#include "actors/domain/webhook_work.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

namespace {

/// Random bytes in a secret (the Standard Webhooks libraries use 24 to 32).
constexpr int secret_bytes = 32;

/// Runs `check` before `fn` takes a connection: a slow DNS answer then
/// holds a db worker but no PostgreSQL connection.
template <class Check, class Fn>
db_work checked_work(Check check, Fn fn, bool idempotent) {
  return [check = std::move(check), fn = std::move(fn),
          idempotent](storage::pg_pool& pool) -> caf::expected<caf::message> {
    if (auto why = check(); !why.empty())
      return make_error(errc::rejected, why);
    return pool.run(fn, idempotent);
  };
}

} // namespace

std::string make_webhook_secret() {
  unsigned char raw[secret_bytes];
  if (RAND_bytes(raw, secret_bytes) != 1)
    return {};
  unsigned char encoded[4 * ((secret_bytes + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, raw, secret_bytes);
  return "whsec_" + std::string(reinterpret_cast<char*>(encoded),
                                static_cast<std::size_t>(n));
}

db_job<storage::page<storage::webhook_record>>
list_webhooks(storage::page_request page) {
  return pg_work(
      [page](pqxx::connection& c) {
        return reply(storage::list_webhooks(c, page));
      },
      true);
}

db_job<storage::webhook_record> get_webhook(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_webhook(c, id)); },
      true);
}

db_job<storage::webhook_record> create_webhook(storage::webhook_fields fields,
                                               std::string secret,
                                               webhook_rules rules) {
  auto url = fields.url.value_or(std::string{});
  return checked_work([url, rules] { return check_webhook_target(url, rules); },
                      [fields, secret](pqxx::connection& c) {
                        return reply(
                            storage::create_webhook(c, fields, secret));
                      },
                      false);
}

db_job<storage::webhook_record> update_webhook(std::string id,
                                               storage::webhook_fields fields,
                                               webhook_rules rules) {
  auto url = fields.url;
  return checked_work(
      [url, rules] {
        return url ? check_webhook_target(*url, rules) : std::string{};
      },
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_webhook(c, id, fields));
      },
      false);
}

db_job<bool> delete_webhook(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::delete_webhook(c, id));
      },
      false);
}

namespace {

caf::error webhook_missing() {
  return make_error(errc::not_found, "Webhook not found");
}

/// An optional repository answer: the value, or `missing`.
template <class T>
caf::expected<caf::message> reply_or(caf::expected<std::optional<T>>&& r,
                                     caf::error (*missing)()) {
  if (!r)
    return std::move(r.error());
  if (!*r)
    return missing();
  return caf::make_message(std::move(**r));
}

} // namespace

db_job<storage::page<storage::webhook_delivery_record>>
list_webhook_deliveries(storage::webhook_delivery_query query) {
  return pg_work(
      [query](pqxx::connection& c) {
        return reply_or(storage::list_webhook_deliveries(c, query),
                        webhook_missing);
      },
      true);
}

db_job<storage::webhook_delivery_record>
replay_webhook_delivery(std::string endpoint_id, int64_t id) {
  return pg_work(
      [endpoint_id, id](pqxx::connection& c) {
        return reply_or(
            storage::replay_webhook_delivery(c, endpoint_id, id),
            +[] { return make_error(errc::not_found, "Delivery not found"); });
      },
      false);
}

db_job<int64_t> replay_webhooks_since(std::string endpoint_id,
                                      std::string since) {
  return pg_work(
      [endpoint_id, since](pqxx::connection& c) {
        return reply_or(storage::replay_webhooks_since(c, endpoint_id, since),
                        webhook_missing);
      },
      false);
}

db_job<storage::webhook_delivery_record>
queue_webhook_ping(std::string endpoint_id) {
  return pg_work(
      [endpoint_id](pqxx::connection& c) {
        return reply_or(storage::queue_webhook_ping(c, endpoint_id),
                        webhook_missing);
      },
      false);
}

} // namespace cdpd::actors::domain
