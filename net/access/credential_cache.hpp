#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "net/auth/roles.hpp"

/// What the access guard needs from the database to authenticate a request
/// without waiting for it: live API keys, the role and state of every
/// account, and revoked access-token ids. The whole set is reloaded from
/// PostgreSQL every auth.cache-refresh (credentials_refresher.hpp), so a
/// change made on another node takes effect within that interval; changes
/// made through this node are applied here at once. Thread-safe: readers
/// share an immutable snapshot, writers replace it.
namespace cdpd::net {

class credential_cache {
public:
  /// A live API key.
  struct api_key_entry {
    std::string id;
    std::string hash; ///< auth::api_key_hash of the whole key
    auth::role role = auth::role::viewer;
  };

  /// An account's current role and state; tokens carry the role they were
  /// issued with, this one wins.
  struct account_entry {
    auth::role role = auth::role::viewer;
    bool active = true;
    /// Access tokens issued before this second (since 1970, UTC) are
    /// refused: the password changed then. 0: never changed.
    int64_t password_changed_epoch = 0;
  };

  /// Everything the cache holds, as loaded from the database.
  struct snapshot {
    std::unordered_map<std::string, api_key_entry> api_keys; ///< by prefix
    std::unordered_map<std::string, account_entry> accounts; ///< by id
    std::unordered_set<std::string> revoked_token_ids;
    /// When the load that made this began; the epoch before any load.
    std::chrono::system_clock::time_point loaded_at{};
  };

  credential_cache();

  /// Replaces everything with a fresh load, keeping changes made here since
  /// `loaded_from` began (they may not be in the load yet).
  void replace(snapshot fresh,
               std::chrono::steady_clock::time_point loaded_from);

  /// The live key with `prefix`, or nullopt.
  std::optional<api_key_entry> api_key(const std::string& prefix) const;

  /// The account with `id`, or nullopt when the cache does not know it
  /// (created on another node since the last load).
  std::optional<account_entry> account(const std::string& id) const;

  /// True when the access token with `jti` was revoked.
  bool revoked(const std::string& jti) const;

  /// When the load the cache holds began: an account missing from it
  /// existed for none of the tokens issued well before then.
  std::chrono::system_clock::time_point loaded_at() const;

  /// Records changes made through this node.
  void put_api_key(const std::string& prefix, api_key_entry entry);
  void remove_api_key_by_id(const std::string& id);
  void put_account(const std::string& id, account_entry entry);
  /// The account's password changed at `epoch` (whole seconds).
  void password_changed(const std::string& id, int64_t epoch);
  void revoke(const std::string& jti);

private:
  using change = std::function<void(snapshot&)>;
  void apply(change c);
  std::shared_ptr<const snapshot> current() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const snapshot> current_;
  /// Local changes a reload that began before them might not include yet.
  std::vector<std::pair<std::chrono::steady_clock::time_point, change>> recent_;
};

} // namespace cdpd::net
