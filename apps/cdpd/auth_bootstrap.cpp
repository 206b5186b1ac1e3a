#include "apps/cdpd/auth_bootstrap.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "apps/cdpd/database_bootstrap.hpp"
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

/// Writes `password` to `path`, readable by this user only; the error text
/// otherwise.
std::string write_secret_file(const std::filesystem::path& path,
                              const std::string& password) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return std::strerror(errno);
  auto text = password + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) ==
                                           static_cast<ssize_t>(text.size());
  int saved = errno;
  ::close(fd);
  return ok ? std::string{} : std::strerror(saved);
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
  // A generated password goes to a file only its owner reads, never to
  // standard error (journald and container logs keep that), and works for
  // one login that sets a new one. Written before the account exists, so
  // no account has a password nobody can read; under a temporary name, so
  // a node that loses the race to another one sharing the state directory
  // leaves the winner's file alone.
  auto file = std::filesystem::path{state_directory(s)} / first_password_file;
  auto draft = file;
  draft += ".new";
  if (generated)
    if (auto failed = write_secret_file(draft, password); !failed.empty())
      return fail("could not write the first admin's password to " +
                  draft.string() + ": " + failed +
                  "; set state.dir to a directory cdpd may write, or "
                  "auth.bootstrap-password");
  auto created = pool.run([&](pqxx::connection& conn) {
    return storage::bootstrap_admin(conn, s.auth.bootstrap_email, *hash,
                                    generated);
  });
  std::error_code ec;
  if (!created || !*created) {
    if (generated)
      std::filesystem::remove(draft, ec);
    if (!created)
      return fail("could not create the first admin: " +
                  storage::describe(created.error()));
    return caf::unit; // another node was first
  }
  if (generated) {
    std::filesystem::rename(draft, file, ec);
    if (ec)
      return fail("could not move the first admin's password to " +
                  file.string() + ": " + ec.message());
  }
  if (generated)
    std::fprintf(stderr,
                 "\ncdpd: created the first admin account %s; its password "
                 "is in %s (readable by this user only).\n"
                 "  Sign in at /login (or `cdpctl login`) and choose a new "
                 "password there; the file is no use after that.\n\n",
                 s.auth.bootstrap_email.c_str(), file.c_str());
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
