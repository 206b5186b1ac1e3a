#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// What each node keeps in memory to authenticate requests without a query
/// per request (see net/access/credential_cache.hpp), and the secrets the
/// nodes of a cluster share. Functions fail with the storage errors of
/// pg_errors.hpp.
namespace cdpd::storage {

/// Every live credential fact, read in one snapshot.
struct credential_rows {
  struct api_key {
    std::string id;
    std::string prefix;
    std::string key_hash;
    std::string role;
  };
  struct account {
    std::string id;
    std::string role;
    bool active = true;
  };
  std::vector<api_key> api_keys;              ///< not revoked
  std::vector<account> accounts;              ///< all of them
  std::vector<std::string> revoked_token_ids; ///< not expired yet
};

/// Reads live API keys, all accounts and unexpired revoked token ids.
caf::expected<credential_rows> load_credentials(pqxx::connection& conn);

/// The cluster secret `name`: the stored one, or `candidate` stored now when
/// there is none. Two nodes racing get the same value.
caf::expected<std::string> ensure_cluster_secret(pqxx::connection& conn,
                                                 const std::string& name,
                                                 const std::string& candidate);

} // namespace cdpd::storage
