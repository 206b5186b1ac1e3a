#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

/// What each node keeps in memory to authenticate requests without a query
/// per request (see net/access/credential_cache.hpp), and the secrets the
/// nodes of a cluster share. Functions fail with the storage errors of
/// pg_errors.hpp.
namespace cdpd::storage {

/// The access-token keys cdpd keeps in cluster_secrets when none is
/// configured: the current key, which signs from its activation time on,
/// and the one it replaced, still accepted for a while.
struct token_key_rows {
  struct key {
    std::string value;
    /// Seconds from now (PostgreSQL's clock) until the key is active;
    /// zero or less once it is.
    int64_t active_in = 0;
  };
  std::optional<key> current;
  std::optional<key> previous;
};

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
    int64_t password_changed_epoch = 0; ///< whole seconds; 0: never
  };
  std::vector<api_key> api_keys;              ///< not revoked
  std::vector<account> accounts;              ///< all of them
  std::vector<std::string> revoked_token_ids; ///< not expired yet
  token_key_rows token_keys;
};

/// Reads live API keys, all accounts and unexpired revoked token ids.
caf::expected<credential_rows> load_credentials(pqxx::connection& conn);

/// The cluster secret `name`: the stored one, or `candidate` stored now when
/// there is none. Two nodes racing get the same value.
caf::expected<std::string> ensure_cluster_secret(pqxx::connection& conn,
                                                 const std::string& name,
                                                 const std::string& candidate);

/// What rotate_token_key did.
struct token_key_rotation {
  bool rotated = false;
  /// When not rotated: seconds until the last rotation has settled (its
  /// previous key is no longer needed), or -1 when there is no stored key.
  int64_t settling_for = 0;
  token_key_rows keys; ///< the keys after the call
};

/// Makes `value` the current access-token key, active `activate_after`
/// seconds from now, and keeps the current one as the previous key. Refused
/// (rotated false) while the previous rotation settles: until its new key
/// has been active for `window` seconds, so no token a node signed with
/// the key before it is dropped. `immediate` drops the current key at once
/// instead (a leaked key): it is active now, no previous key is kept, and
/// no wait applies.
caf::expected<token_key_rotation>
rotate_token_key(pqxx::connection& conn, const std::string& value,
                 int64_t activate_after, int64_t window, bool immediate);

} // namespace cdpd::storage
