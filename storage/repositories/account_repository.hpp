#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// Operator accounts (`accounts`), their refresh tokens (`refresh_tokens`)
/// and revoked access-token ids (`revoked_tokens`). Roles are the words
/// viewer, manager and admin; hashes are computed by the caller (Argon2id
/// strings for passwords, SHA-256 hex for tokens), so no secret reaches
/// this layer. Functions fail with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// One account row.
struct account_record {
  std::string id;
  std::string email;
  std::string password_hash;
  std::string role;
  bool active = true;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> last_login_at;
  /// When the password last changed, in whole seconds since 1970 (UTC);
  /// 0: never since the account was made.
  int64_t password_changed_epoch = 0;
  /// The password was generated: a login must set a new one.
  bool must_change_password = false;
};

/// Inserts an account. refusal::email_taken when an account with the same
/// email in any letter case exists.
caf::expected<outcome<account_record>>
create_account(pqxx::connection& conn, const std::string& email,
               const std::string& password_hash, const std::string& role);

/// The account whose email equals `email` ignoring letter case, or nullopt.
caf::expected<std::optional<account_record>>
find_account_by_email(pqxx::connection& conn, const std::string& email);

/// The account with `id`, or nullopt (also for a malformed id).
caf::expected<std::optional<account_record>> get_account(pqxx::connection& conn,
                                                         const std::string& id);

/// Accounts in creation order.
caf::expected<page<account_record>> list_accounts(pqxx::connection& conn,
                                                  const page_request& page);

/// Number of accounts, active or not.
caf::expected<int64_t> count_accounts(pqxx::connection& conn);

/// Changes the role; nullopt for an unknown id.
caf::expected<std::optional<account_record>>
set_account_role(pqxx::connection& conn, const std::string& id,
                 const std::string& role);

/// Enables or disables an account; disabling also revokes its refresh
/// tokens. nullopt for an unknown id.
caf::expected<std::optional<account_record>>
set_account_active(pqxx::connection& conn, const std::string& id, bool active);

/// Replaces the password hash (password change, or a rehash after login);
/// false for an unknown id.
caf::expected<bool> set_password_hash(pqxx::connection& conn,
                                      const std::string& id,
                                      const std::string& password_hash);

/// Sets last_login_at to now; false for an unknown id.
caf::expected<bool> record_login(pqxx::connection& conn, const std::string& id);

/// What an admin changes on an account; absent members stay as they are.
struct account_changes {
  std::optional<std::string> role;
  std::optional<bool> active;
  std::optional<std::string> password_hash;
};

/// What update_account did.
enum class account_update_result : uint8_t {
  updated,    ///< the changes were applied
  not_found,  ///< no account has that id
  last_admin, ///< refused: no active admin would remain
};

/// The result of update_account, with the changed account when updated.
struct account_update {
  account_update_result result = account_update_result::not_found;
  std::optional<account_record> account;
};

/// Applies `changes` to the account with `id` in one transaction. Refuses
/// with last_admin when the account is an active admin that the change
/// would demote or disable while no other active admin exists. Every call
/// holds a transaction-scoped advisory lock from that check to its commit,
/// so two admins demoting each other at the same time cannot leave none.
/// Disabling the account or giving it a new password also revokes its
/// refresh tokens.
caf::expected<account_update> update_account(pqxx::connection& conn,
                                             const std::string& id,
                                             const account_changes& changes);

/// Number of accounts that are both active and admin.
caf::expected<int64_t> count_active_admins(pqxx::connection& conn);

/// Creates the first admin when, and only when, no account exists. Holds a
/// transaction-scoped advisory lock while it counts and inserts, so nodes
/// starting at the same time create one admin between them. Returns the new
/// account, or nullopt when accounts already existed. `must_change`: the
/// password was generated and the first login must replace it.
caf::expected<std::optional<account_record>>
bootstrap_admin(pqxx::connection& conn, const std::string& email,
                const std::string& password_hash, bool must_change = false);

/// A stored refresh token.
struct refresh_token_record {
  std::string account_id;
  std::string expires_at;
};

/// Stores the SHA-256 hex of a new refresh token for `account_id`, valid
/// for `ttl_seconds` from now.
caf::expected<refresh_token_record>
store_refresh_token(pqxx::connection& conn, const std::string& account_id,
                    const std::string& token_hash, int64_t ttl_seconds);

/// What rotate_refresh_token found.
enum class rotation_result : uint8_t {
  rotated,          ///< old token revoked, new one stored
  unknown,          ///< no such token
  expired,          ///< the token's lifetime is over
  replayed,         ///< already revoked: every token of its account is revoked
  account_inactive, ///< the account was disabled
};

/// The result of a rotation, with the account when rotated.
struct refresh_rotation {
  rotation_result result = rotation_result::unknown;
  std::optional<account_record> account;
  std::optional<refresh_token_record> replacement;
};

/// Exchanges the refresh token hashed `old_hash` for one hashed `new_hash`
/// valid for `ttl_seconds`, in one transaction. The old row is locked, so
/// of two concurrent uses of one token one rotates it and the other counts
/// as a replay. A token presented again after rotation or logout is
/// treated as stolen: all refresh tokens of its account are revoked.
caf::expected<refresh_rotation>
rotate_refresh_token(pqxx::connection& conn, const std::string& old_hash,
                     const std::string& new_hash, int64_t ttl_seconds);

/// Revokes one refresh token (logout); false when it was unknown or
/// already revoked.
caf::expected<bool> revoke_refresh_token(pqxx::connection& conn,
                                         const std::string& token_hash);

/// Revokes every live refresh token of an account; returns how many.
caf::expected<int64_t>
revoke_account_refresh_tokens(pqxx::connection& conn,
                              const std::string& account_id);

/// Records an access-token id as revoked until `expires_at_epoch` (the
/// token's `exp`, seconds since 1970). Idempotent: true when newly
/// recorded, false when it already was.
caf::expected<bool> revoke_token_id(pqxx::connection& conn,
                                    const std::string& jti,
                                    int64_t expires_at_epoch);

/// True when `jti` was revoked (and has not been purged).
caf::expected<bool> is_token_id_revoked(pqxx::connection& conn,
                                        const std::string& jti);

/// Deletes revoked token ids and refresh tokens whose expiry has passed;
/// returns the number of rows deleted.
caf::expected<int64_t> purge_expired_tokens(pqxx::connection& conn);

} // namespace cdpd::storage
