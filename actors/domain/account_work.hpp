#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/account_repository.hpp"
#include "storage/repositories/api_key_repository.hpp"

/// Work for the db actor on operator accounts, their sessions and API keys.
/// Logins check passwords before and outside their db jobs (the edge's
/// password hasher); the other password changes pass hashing in as
/// functions, because it belongs to the HTTP edge's crypto while its cost
/// (Argon2id: about 50-100 ms of CPU and 64 MiB) must never be paid on an
/// I/O or scheduler thread. Failures are domain errors (errc::not_found
/// "Account not found", errc::conflict "Email already exists" or the
/// last-admin refusal) or storage errors.
namespace cdpd::actors::domain {

/// True when the presented password matches `stored_hash`. Called with
/// nullopt when there is no hash to check against (unknown email, inactive
/// account): it must then spend the time of one check and return false.
using password_verifier =
    std::function<bool(const std::optional<std::string>& stored_hash)>;

/// A new hash of a password, computed on the db worker; nullopt when
/// hashing failed.
using hash_producer = std::function<std::optional<std::string>()>;

/// Text of the refusal when a change would leave no active admin.
inline constexpr const char* last_admin_detail =
    "that would leave no active admin: promote or enable another admin first";

/// What a login attempt found.
struct login_outcome {
  bool accepted = false; ///< email and password matched an active account
  storage::account_record account;       ///< when accepted
  storage::refresh_token_record refresh; ///< the stored refresh token
};

/// The account whose email equals `email` ignoring letter case, with its
/// password hash, active or not; an empty id when there is none. Replies
/// storage::account_record.
db_job<storage::account_record> find_login_account(std::string email);

/// A login whose password was checked against `verified_hash`.
struct verified_login {
  std::string account_id;
  std::string verified_hash;
  /// A new hash to store: a forced change's new password, or the same
  /// password under current limits.
  std::optional<std::string> new_hash;
  /// `new_hash` is a new password (it ends the account's other sessions).
  bool password_changed = false;
  std::string refresh_hash;
  int64_t refresh_ttl_seconds = 0;
};

/// Completes `login`: refused (not accepted) when the account was disabled
/// or its password changed since the check; else stores the new hash, if
/// any, records the login and stores the refresh token. Replies
/// login_outcome.
db_job<login_outcome> complete_login(verified_login login);

/// Exchanges a refresh token (see storage::rotate_refresh_token). Replies
/// storage::refresh_rotation.
db_job<storage::refresh_rotation>
rotate_session(std::string old_hash, std::string new_hash, int64_t ttl_seconds);

/// Revokes the refresh token hashed `refresh_hash` (when set) and records
/// the access-token id `jti` (when set) as revoked until
/// `jti_expires_epoch`. Replies true.
db_job<bool> end_session(std::optional<std::string> refresh_hash,
                         std::optional<std::string> jti,
                         int64_t jti_expires_epoch);

/// What a password change found.
enum class password_change_result : uint8_t {
  changed,        ///< new hash stored, refresh tokens revoked
  wrong_password, ///< the current password did not match
};

/// Checks the current password of account `id` with `verify`, then stores
/// the hash from `make_hash` and revokes the account's refresh tokens.
/// Replies password_change_result; errc::not_found for an unknown or
/// inactive account.
db_job<password_change_result> change_password(std::string id,
                                               password_verifier verify,
                                               hash_producer make_hash);

/// Replies storage::page<storage::account_record>.
db_job<storage::page<storage::account_record>>
list_accounts(storage::page_request page);

/// Replies storage::account_record; errc::not_found for an unknown id.
db_job<storage::account_record> get_account(std::string id);

/// Creates an account with the hash from `make_hash`. Replies the new
/// storage::account_record; errc::conflict "Email already exists".
db_job<storage::account_record>
create_account(std::string email, std::string role, hash_producer make_hash);

/// Applies role, active and (from `make_hash`, when set) password changes
/// at once (see storage::update_account). Replies the changed
/// storage::account_record; errc::not_found, or errc::conflict with
/// last_admin_detail.
db_job<storage::account_record> update_account(std::string id,
                                               storage::account_changes changes,
                                               hash_producer make_hash);

/// A freshly generated API key: the whole key and the row to store.
struct generated_api_key {
  std::string key;
  storage::api_key_fields fields;
};

/// A stored API key with the whole key, which is shown only once.
struct created_api_key {
  std::string key;
  storage::api_key_record record;
};

/// Stores a key from `generate`, generating another on a prefix clash, at
/// most `attempts` times. Replies created_api_key; errc::conflict when
/// every attempt clashed.
db_job<created_api_key>
create_api_key(std::function<generated_api_key()> generate, int attempts);

/// Replies storage::page<storage::api_key_record>.
db_job<storage::page<storage::api_key_record>>
list_api_keys(storage::page_request page);

/// Revokes a key. Replies true; errc::not_found for an unknown or already
/// revoked id.
db_job<bool> revoke_api_key(std::string id);

} // namespace cdpd::actors::domain

// Replies of the work above; they never leave the node (see replies.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::account_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::account_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::api_key_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::refresh_rotation)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::login_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::password_change_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::created_api_key)
