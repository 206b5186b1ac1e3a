#include "net/access/credentials_refresher.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/storage/db_actor.hpp"
#include "net/api/db_call.hpp"
#include "storage/errc.hpp"
#include "storage/repositories/account_repository.hpp"
#include "storage/repositories/credential_repository.hpp"

namespace cdpd::net {

namespace {

using clock = std::chrono::steady_clock;

credential_cache::snapshot to_snapshot(const storage::credential_rows& rows) {
  credential_cache::snapshot out;
  for (const auto& key : rows.api_keys)
    if (auto role = auth::parse_role(key.role))
      out.api_keys[key.prefix] = {key.id, key.key_hash, *role};
  for (const auto& account : rows.accounts)
    if (auto role = auth::parse_role(account.role))
      out.accounts[account.id] = {*role, account.active};
  out.revoked_token_ids.insert(rows.revoked_token_ids.begin(),
                               rows.revoked_token_ids.end());
  return out;
}

/// Loads into `cache`; runs on a db worker or the starting thread.
caf::expected<void> load_into(storage::pg_pool& pool, credential_cache& cache) {
  auto started = clock::now();
  auto rows = pool.run(
      [](pqxx::connection& conn) { return storage::load_credentials(conn); },
      true);
  if (!rows)
    return rows.error();
  cache.replace(to_snapshot(*rows), started);
  return caf::unit;
}

struct refresher_state {
  clock::time_point next_purge;
  bool failing = false; ///< the last reload failed (log once per episode)
  static inline const char* name = "credentials-refresher";
};

caf::behavior refresher(caf::stateful_actor<refresher_state>* self,
                        std::shared_ptr<credential_cache> cache,
                        std::chrono::milliseconds every) {
  self->state.next_purge = clock::now() + token_purge_interval;
  self->delayed_send(self, every, actors::tick_atom::value);
  return {
      [=](actors::tick_atom) {
        self->delayed_send(self, every, actors::tick_atom::value);
        if (auto reader =
                api::find_db_actor(self->system(), api::db_role::read)) {
          actors::db_work work =
              [cache](storage::pg_pool& pool) -> caf::expected<caf::message> {
            auto loaded = load_into(pool, *cache);
            if (!loaded)
              return loaded.error();
            return caf::make_message(true);
          };
          self->request(reader, every, actors::db_job_atom::value, work)
              .then(
                  [=](actors::db_result&) {
                    if (self->state.failing)
                      spdlog::info("credentials reloaded again");
                    self->state.failing = false;
                  },
                  [=](caf::error& err) {
                    if (!self->state.failing)
                      spdlog::warn("could not reload credentials (keeping "
                                   "the last ones): {}",
                                   storage::describe(err));
                    self->state.failing = true;
                  });
        }
        if (clock::now() < self->state.next_purge)
          return;
        self->state.next_purge = clock::now() + token_purge_interval;
        if (auto writer =
                api::find_db_actor(self->system(), api::db_role::write)) {
          actors::db_work purge =
              [](storage::pg_pool& pool) -> caf::expected<caf::message> {
            auto purged = pool.run([](pqxx::connection& conn) {
              return storage::purge_expired_tokens(conn);
            });
            if (!purged)
              return purged.error();
            return caf::make_message(*purged);
          };
          self->request(writer, api::db_reply_timeout,
                        actors::db_job_atom::value, purge)
              .then(
                  [](actors::db_result& result) {
                    auto n = actors::db_value<int64_t>(result);
                    if (n && *n > 0)
                      spdlog::debug("purged {} expired token rows", *n);
                  },
                  [](caf::error& err) {
                    spdlog::warn("could not purge expired tokens: {}",
                                 storage::describe(err));
                  });
        }
      },
  };
}

} // namespace

caf::expected<void> load_credentials_now(storage::pg_pool& pool,
                                         credential_cache& cache) {
  return load_into(pool, cache);
}

caf::actor spawn_credentials_refresher(caf::actor_system& sys,
                                       std::shared_ptr<credential_cache> cache,
                                       std::chrono::milliseconds every) {
  return sys.spawn(refresher, std::move(cache), every);
}

} // namespace cdpd::net
