#include "apps/cdpd/auth_bootstrap.hpp"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "net/access/credentials_refresher.hpp"
#include "net/access/token_keys.hpp"
#include "net/api/db_call.hpp"
#include "net/auth/errc.hpp"
#include "net/auth/jwt_key.hpp"
#include "net/auth/password.hpp"
#include "net/auth/secrets.hpp"
#include "storage/errc.hpp"
#include "storage/repositories/account_repository.hpp"
#include "storage/repositories/api_key_repository.hpp"
#include "storage/repositories/credential_repository.hpp"

namespace cdpd::app {

namespace {

constexpr const char* signing_key_name = "jwt-signing-key";

caf::error fail(std::string what) {
  return caf::make_error(caf::sec::runtime_error, std::move(what));
}

/// Whether a node listening on `address` is reachable from this host only.
bool loopback_only(const std::string& address) {
  return address == "localhost" || address == "::1" ||
         address.rfind("127.", 0) == 0;
}

/// The access-token key ring: from the settings, else the keys stored in
/// cluster_secrets (one made and stored now when there is none). Also
/// returns the key message links were derived from before they had their
/// own.
caf::expected<std::pair<net::auth::key_ring, std::string>>
find_token_keys(const config::settings& s, storage::pg_pool& pool) {
  if (net::token_key_configured(s.auth)) {
    auto ring = net::configured_ring(s.auth);
    if (!ring)
      return fail(net::auth::describe(ring.error()));
    auto secret = ring->signing.secret;
    return std::pair{std::move(*ring), std::move(secret)};
  }
  // 32 random bytes, as base64url: 43 characters.
  auto stored = pool.run([](pqxx::connection& conn) {
    return storage::ensure_cluster_secret(conn, signing_key_name,
                                          net::auth::random_token(32));
  });
  if (!stored)
    return fail("could not read or store the token signing key: " +
                storage::describe(stored.error()));
  if (stored->size() < net::auth::min_key_bytes)
    return fail("the token signing key stored in cluster_secrets is too "
                "short; delete that row or set auth.jwt-secret");
  if (!loopback_only(s.http.address))
    spdlog::warn("the access-token key is kept only in PostgreSQL: anyone "
                 "who can read the cdpd database can sign tokens. On a "
                 "node reachable from other hosts, set auth.jwt-secret-file "
                 "(`openssl rand -hex 32`) or restrict the database");
  // The ring with rotations applied comes with the credentials below.
  net::auth::key_ring ring{net::auth::make_hs256_key(*stored), {}};
  return std::pair{std::move(ring), std::move(*stored)};
}

caf::expected<void> ensure_first_admin(const config::settings& s,
                                       storage::pg_pool& pool) {
  auto existing = pool.run(
      [](pqxx::connection& conn) { return storage::count_accounts(conn); });
  if (!existing)
    return fail("could not count accounts: " +
                storage::describe(existing.error()));
  if (*existing > 0)
    return caf::unit;
  bool generated = s.auth.bootstrap_password.empty();
  auto password =
      generated ? net::auth::generate_password() : s.auth.bootstrap_password;
  auto hash = net::auth::hash_password(password);
  if (!hash)
    return fail("could not hash the first admin's password: " +
                net::auth::describe(hash.error()));
  auto created = pool.run([&](pqxx::connection& conn) {
    return storage::bootstrap_admin(conn, s.auth.bootstrap_email, *hash);
  });
  if (!created)
    return fail("could not create the first admin: " +
                storage::describe(created.error()));
  if (!*created)
    return caf::unit; // another node was first
  if (generated) {
    // Printed once, on stderr and outside the log format, so it does not
    // end up in log storage by default.
    std::fprintf(stderr,
                 "\ncdpd: created the first admin account\n"
                 "  email:    %s\n"
                 "  password: %s\n"
                 "  (shown once; sign in at /login or with `cdpctl login`, "
                 "then change it)\n\n",
                 s.auth.bootstrap_email.c_str(), password.c_str());
    std::fflush(stderr);
  }
  spdlog::info("created the first admin account {}", s.auth.bootstrap_email);
  return caf::unit;
}

} // namespace

caf::expected<std::shared_ptr<net::auth_services>>
prepare_auth(const config::settings& s, storage::pg_pool& pool) {
  if (!net::auth::crypto_ready())
    return fail("libsodium could not be initialised");
  auto keys = find_token_keys(s, pool);
  if (!keys)
    return keys.error();
  if (auto admin = ensure_first_admin(s, pool); !admin)
    return admin.error();
  auto link_key = pool.run([&](pqxx::connection& conn) {
    return storage::ensure_cluster_secret(conn, net::link_key_name,
                                          net::first_link_key(keys->second));
  });
  if (!link_key)
    return fail("could not read or store the message link key: " +
                storage::describe(link_key.error()));
  auto links = net::link_signer_for(*link_key);
  if (!links)
    return fail(caf::to_string(links.error()));
  auto services = std::make_shared<net::auth_services>();
  services->settings = s.auth;
  services->links = std::make_shared<net::auth::link_signer>(*links);
  services->tokens = std::make_shared<net::auth::jwt_codec>(
      std::move(keys->first), s.auth.jwt_issuer);
  services->credentials = std::make_shared<net::credential_cache>();
  if (auto loaded = net::load_credentials_now(pool, *services); !loaded)
    return fail("could not load credentials: " +
                storage::describe(loaded.error()));
  return services;
}

std::function<void(const std::string&)>
record_api_key_use(caf::actor_system& sys) {
  return [&sys](const std::string& key_id) {
    actors::db_job<bool> work =
        [key_id](storage::pg_pool& pool) -> caf::expected<caf::message> {
      auto touched = pool.run([&](pqxx::connection& conn) {
        return storage::touch_api_key(conn, key_id);
      });
      if (!touched)
        return touched.error();
      return caf::make_message(*touched);
    };
    net::api::run_db(
        sys, net::api::db_role::write, std::move(work), [](bool) {},
        [](caf::error& err) {
          spdlog::debug("could not record an API key's use: {}",
                        storage::describe(err));
        });
  };
}

} // namespace cdpd::app
