#include "net/access/credentials_refresher.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/atoms.hpp"
#include "actors/domain/credentials_work.hpp"
#include "actors/domain/errc.hpp"
#include "net/access/token_keys.hpp"
#include "net/api/db_call.hpp"

namespace cdpd::net {

namespace {

using clock = std::chrono::steady_clock;
namespace domain = actors::domain;

credential_cache::snapshot
to_snapshot(const storage::credential_rows& rows,
            std::chrono::system_clock::time_point loaded_at) {
  credential_cache::snapshot out;
  out.loaded_at = loaded_at;
  for (const auto& key : rows.api_keys)
    if (auto role = auth::parse_role(key.role))
      out.api_keys[key.prefix] = {key.id, key.key_hash, *role};
  for (const auto& account : rows.accounts)
    if (auto role = auth::parse_role(account.role))
      out.accounts[account.id] = {*role, account.active,
                                  account.password_changed_epoch};
  out.revoked_token_ids.insert(rows.revoked_token_ids.begin(),
                               rows.revoked_token_ids.end());
  return out;
}

/// What the refresher keeps current.
struct refreshed {
  std::shared_ptr<credential_cache> cache;
  std::shared_ptr<auth::jwt_codec> tokens;
  config::auth_settings settings;
};

struct refresher_state {
  clock::time_point next_purge;
  bool failing = false; ///< the last reload failed (log once per episode)
  static inline const char* name = "credentials-refresher";
};

using refresher_actor = caf::stateful_actor<refresher_state>*;

void reload_failed(refresher_actor self, const caf::error& err) {
  if (!self->state.failing)
    spdlog::warn("could not reload credentials (keeping the last ones): {}",
                 domain::describe(err));
  self->state.failing = true;
}

void reload(refresher_actor self, std::shared_ptr<const refreshed> target) {
  auto reader = api::find_db_actor(self->system(), api::db_role::read);
  if (!reader)
    return;
  // Changes this node makes after the load was asked for survive it.
  auto started = clock::now();
  auto wall = std::chrono::system_clock::now();
  self->request(reader, api::db_reply_timeout, actors::db_job_atom::value,
                domain::load_credentials().work)
      .then(
          [=](actors::db_result& result) {
            auto rows = actors::db_value<storage::credential_rows>(result);
            if (!rows) {
              reload_failed(self, rows.error());
              return;
            }
            target->cache->replace(to_snapshot(*rows, wall), started);
            use_token_keys(*target->tokens, target->settings, rows->token_keys);
            if (self->state.failing)
              spdlog::info("credentials reloaded again");
            self->state.failing = false;
          },
          [=](caf::error& err) { reload_failed(self, err); });
}

void purge(refresher_actor self) {
  auto writer = api::find_db_actor(self->system(), api::db_role::write);
  if (!writer)
    return;
  self->request(writer, api::db_reply_timeout, actors::db_job_atom::value,
                domain::purge_expired_tokens().work)
      .then(
          [](actors::db_result& result) {
            auto n = actors::db_value<int64_t>(result);
            if (n && *n > 0)
              spdlog::debug("purged {} expired token rows", *n);
          },
          [](caf::error& err) {
            spdlog::warn("could not purge expired tokens: {}",
                         domain::describe(err));
          });
}

caf::behavior refresher(refresher_actor self,
                        std::shared_ptr<const refreshed> target,
                        std::chrono::milliseconds every) {
  self->state.next_purge = clock::now() + token_purge_interval;
  self->delayed_send(self, every, actors::tick_atom::value);
  return {
      [=](actors::tick_atom) {
        self->delayed_send(self, every, actors::tick_atom::value);
        reload(self, target);
        if (clock::now() < self->state.next_purge)
          return;
        self->state.next_purge = clock::now() + token_purge_interval;
        purge(self);
      },
  };
}

} // namespace

caf::expected<void> load_credentials_now(storage::pg_pool& pool,
                                         auth_services& services) {
  auto started = clock::now();
  auto wall = std::chrono::system_clock::now();
  auto rows = actors::run_now(domain::load_credentials(), pool);
  if (!rows)
    return std::move(rows.error());
  services.credentials->replace(to_snapshot(*rows, wall), started);
  use_token_keys(*services.tokens, services.settings, rows->token_keys);
  return caf::unit;
}

caf::actor spawn_credentials_refresher(caf::actor_system& sys,
                                       const auth_services& services,
                                       std::chrono::milliseconds every) {
  auto target = std::make_shared<const refreshed>(
      refreshed{services.credentials, services.tokens, services.settings});
  return sys.spawn(refresher, std::move(target), every);
}

} // namespace cdpd::net
