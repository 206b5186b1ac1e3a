#include "storage/repositories/account_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/paging_sql.hpp"
#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;
using internal::param;
using internal::prepare;

#define ACCOUNT_COLUMNS                                                        \
  "id, email, password_hash, role, active, created_at, updated_at, "           \
  "last_login_at, " PASSWORD_CHANGED_EPOCH ", must_change_password"
// Whole seconds, as access tokens' `iat`; 0 for never.
#define PASSWORD_CHANGED_EPOCH                                                 \
  "coalesce(floor(extract(epoch FROM password_changed_at))::bigint, 0)"
#define UTC_NOW "(now() AT TIME ZONE 'utc')"

// Serialises bootstrap_admin across nodes; the value spells "cdpdauth".
#define BOOTSTRAP_LOCK "pg_advisory_xact_lock(x'6364706461757468'::bigint)"

constexpr const char* insert_sql =
    "INSERT INTO accounts (email, password_hash, role) VALUES ($1, $2, $3)"
    " ON CONFLICT ((lower(email))) DO NOTHING RETURNING " ACCOUNT_COLUMNS;

constexpr const char* by_email_sql =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE lower(email) = "
    "lower($1)";

constexpr const char* by_id_sql =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1::uuid";

constexpr const char* list_sql =
    "SELECT " ACCOUNT_COLUMNS " FROM accounts"
    " WHERE ($1::timestamp IS NULL OR (created_at, id) > ($1::timestamp, "
    "$2::uuid)) ORDER BY created_at, id OFFSET $3 LIMIT $4";

constexpr const char* count_sql = "SELECT count(*) FROM accounts";

constexpr const char* set_role_sql =
    "UPDATE accounts SET role = $2, updated_at = " UTC_NOW
    " WHERE id = $1::uuid RETURNING " ACCOUNT_COLUMNS;

constexpr const char* set_active_sql =
    "UPDATE accounts SET active = $2::boolean, updated_at = " UTC_NOW
    " WHERE id = $1::uuid RETURNING " ACCOUNT_COLUMNS;

constexpr const char* set_hash_sql =
    "UPDATE accounts SET password_hash = $2, updated_at = " UTC_NOW
    " WHERE id = $1::uuid";

constexpr const char* login_sql =
    "UPDATE accounts SET last_login_at = " UTC_NOW " WHERE id = $1::uuid";

// Serialises update_account; the value spells "cdpdadmn".
#define ADMINS_LOCK "pg_advisory_xact_lock(x'6364706461646d6e'::bigint)"

constexpr const char* admins_lock_sql = "SELECT " ADMINS_LOCK;

constexpr const char* lock_account_sql =
    "SELECT role, active FROM accounts WHERE id = $1::uuid FOR UPDATE";

constexpr const char* other_admins_sql =
    "SELECT count(*) FROM accounts WHERE role = 'admin' AND active"
    " AND id <> $1::uuid";

constexpr const char* active_admins_sql =
    "SELECT count(*) FROM accounts WHERE role = 'admin' AND active";

// A new password ends the tokens issued before it and a forced change.
constexpr const char* update_sql =
    "UPDATE accounts SET role = coalesce($2, role),"
    " active = coalesce($3::boolean, active),"
    " password_hash = coalesce($4, password_hash),"
    " password_changed_at = CASE WHEN $4 IS NULL THEN password_changed_at"
    " ELSE " UTC_NOW " END,"
    " must_change_password = must_change_password AND $4 IS NULL,"
    " updated_at = " UTC_NOW " WHERE id = $1::uuid RETURNING " ACCOUNT_COLUMNS;

constexpr const char* bootstrap_lock_sql = "SELECT " BOOTSTRAP_LOCK;

constexpr const char* bootstrap_insert_sql =
    "INSERT INTO accounts (email, password_hash, role, must_change_password)"
    " SELECT $1, $2, 'admin', $3 WHERE NOT EXISTS (SELECT 1 FROM accounts)"
    " RETURNING " ACCOUNT_COLUMNS;

constexpr const char* refresh_insert_sql =
    "INSERT INTO refresh_tokens (token_hash, account_id, expires_at)"
    " VALUES ($1, $2::uuid, " UTC_NOW
    " + make_interval(secs => $3::float8)) RETURNING account_id, expires_at";

constexpr const char* refresh_lock_sql =
    "SELECT account_id, expires_at <= " UTC_NOW ", revoked_at IS NOT NULL"
    " FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE";

constexpr const char* refresh_revoke_sql =
    "UPDATE refresh_tokens SET revoked_at = " UTC_NOW
    " WHERE token_hash = $1 AND revoked_at IS NULL";

constexpr const char* refresh_revoke_account_sql =
    "UPDATE refresh_tokens SET revoked_at = " UTC_NOW
    " WHERE account_id = $1::uuid AND revoked_at IS NULL";

constexpr const char* jti_insert_sql =
    "INSERT INTO revoked_tokens (jti, expires_at)"
    " VALUES ($1, to_timestamp($2::bigint) AT TIME ZONE 'utc')"
    " ON CONFLICT (jti) DO NOTHING";

constexpr const char* jti_check_sql =
    "SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $1)";

constexpr const char* purge_jti_sql =
    "DELETE FROM revoked_tokens WHERE expires_at < " UTC_NOW;

constexpr const char* purge_refresh_sql =
    "DELETE FROM refresh_tokens WHERE expires_at < " UTC_NOW;

account_record read_account(const pqxx::row& row) {
  account_record a;
  a.id = row[0].as<std::string>();
  a.email = row[1].as<std::string>();
  a.password_hash = row[2].as<std::string>();
  a.role = row[3].as<std::string>();
  a.active = row[4].as<bool>();
  a.created_at = internal::iso_timestamp(row[5].c_str());
  a.updated_at = internal::iso_timestamp(row[6].c_str());
  a.last_login_at = internal::optional_timestamp(row[7]);
  a.password_changed_epoch = row[8].as<int64_t>();
  a.must_change_password = row[9].as<bool>();
  return a;
}

std::optional<account_record> first_account(const pqxx::result& rows) {
  if (rows.empty())
    return std::nullopt;
  return read_account(rows[0]);
}

refresh_token_record read_refresh(const pqxx::row& row) {
  return {row[0].as<std::string>(), internal::iso_timestamp(row[1].c_str())};
}

} // namespace

caf::expected<outcome<account_record>>
create_account(pqxx::connection& conn, const std::string& email,
               const std::string& password_hash, const std::string& role) {
  using result = outcome<account_record>;
  prepare(conn, "accounts_insert", insert_sql);
  return in_transaction(conn, "create_account", [&](pqxx::work& tx) {
    auto rows = tx.exec_prepared("accounts_insert", email, password_hash, role);
    if (rows.empty())
      return result::refused(refusal::email_taken);
    return result::of(read_account(rows[0]));
  });
}

caf::expected<std::optional<account_record>>
find_account_by_email(pqxx::connection& conn, const std::string& email) {
  prepare(conn, "accounts_by_email", by_email_sql);
  return in_transaction(conn, "find_account_by_email", [&](pqxx::work& tx) {
    return first_account(tx.exec_prepared("accounts_by_email", email));
  });
}

caf::expected<std::optional<account_record>>
get_account(pqxx::connection& conn, const std::string& id) {
  if (!internal::is_uuid(id))
    return std::optional<account_record>{};
  prepare(conn, "accounts_by_id", by_id_sql);
  return in_transaction(conn, "get_account", [&](pqxx::work& tx) {
    return first_account(tx.exec_prepared("accounts_by_id", id));
  });
}

caf::expected<page<account_record>> list_accounts(pqxx::connection& conn,
                                                  const page_request& page) {
  prepare(conn, "accounts_list", list_sql);
  prepare(conn, "accounts_count", count_sql);
  return in_transaction(conn, "list_accounts", [&](pqxx::work& tx) {
    internal::page_params p{page};
    auto rows = tx.exec_prepared("accounts_list", p.after_created_at(),
                                 p.after_id(), p.skip(), p.fetch());
    auto total = tx.exec_prepared1("accounts_count")[0].as<int64_t>();
    return internal::make_page<account_record>(rows, page, total, read_account);
  });
}

caf::expected<int64_t> count_accounts(pqxx::connection& conn) {
  prepare(conn, "accounts_count", count_sql);
  return in_transaction(conn, "count_accounts", [&](pqxx::work& tx) {
    return tx.exec_prepared1("accounts_count")[0].as<int64_t>();
  });
}

caf::expected<std::optional<account_record>>
set_account_role(pqxx::connection& conn, const std::string& id,
                 const std::string& role) {
  if (!internal::is_uuid(id))
    return std::optional<account_record>{};
  prepare(conn, "accounts_set_role", set_role_sql);
  return in_transaction(conn, "set_account_role", [&](pqxx::work& tx) {
    return first_account(tx.exec_prepared("accounts_set_role", id, role));
  });
}

caf::expected<std::optional<account_record>>
set_account_active(pqxx::connection& conn, const std::string& id, bool active) {
  if (!internal::is_uuid(id))
    return std::optional<account_record>{};
  prepare(conn, "accounts_set_active", set_active_sql);
  prepare(conn, "refresh_revoke_account", refresh_revoke_account_sql);
  return in_transaction(conn, "set_account_active", [&](pqxx::work& tx) {
    auto account = first_account(
        tx.exec_prepared("accounts_set_active", id, param(active)));
    if (account && !active)
      tx.exec_prepared("refresh_revoke_account", id);
    return account;
  });
}

caf::expected<bool> set_password_hash(pqxx::connection& conn,
                                      const std::string& id,
                                      const std::string& password_hash) {
  if (!internal::is_uuid(id))
    return false;
  prepare(conn, "accounts_set_hash", set_hash_sql);
  return in_transaction(conn, "set_password_hash", [&](pqxx::work& tx) {
    return tx.exec_prepared("accounts_set_hash", id, password_hash)
               .affected_rows() > 0;
  });
}

caf::expected<bool> record_login(pqxx::connection& conn,
                                 const std::string& id) {
  if (!internal::is_uuid(id))
    return false;
  prepare(conn, "accounts_login", login_sql);
  return in_transaction(conn, "record_login", [&](pqxx::work& tx) {
    return tx.exec_prepared("accounts_login", id).affected_rows() > 0;
  });
}

caf::expected<account_update> update_account(pqxx::connection& conn,
                                             const std::string& id,
                                             const account_changes& changes) {
  if (!internal::is_uuid(id))
    return account_update{};
  prepare(conn, "accounts_admins_lock", admins_lock_sql);
  prepare(conn, "accounts_lock", lock_account_sql);
  prepare(conn, "accounts_other_admins", other_admins_sql);
  prepare(conn, "accounts_update", update_sql);
  prepare(conn, "refresh_revoke_account", refresh_revoke_account_sql);
  return in_transaction(conn, "update_account", [&](pqxx::work& tx) {
    account_update out;
    // Each statement below takes a fresh snapshot under READ COMMITTED, so
    // the count sees every change committed before the lock was granted.
    tx.exec_prepared("accounts_admins_lock");
    auto rows = tx.exec_prepared("accounts_lock", id);
    if (rows.empty())
      return out;
    bool admin_now =
        rows[0][0].as<std::string>() == "admin" && rows[0][1].as<bool>();
    bool demoted = changes.role && *changes.role != "admin";
    bool disabled = changes.active && !*changes.active;
    if (admin_now && (demoted || disabled) &&
        tx.exec_prepared1("accounts_other_admins", id)[0].as<int64_t>() == 0) {
      out.result = account_update_result::last_admin;
      return out;
    }
    std::optional<std::string> active;
    if (changes.active)
      active = *changes.active ? "true" : "false";
    out.account = first_account(
        tx.exec_prepared("accounts_update", id, param(changes.role),
                         param(active), param(changes.password_hash)));
    if (disabled || changes.password_hash)
      tx.exec_prepared("refresh_revoke_account", id);
    out.result = account_update_result::updated;
    return out;
  });
}

caf::expected<int64_t> count_active_admins(pqxx::connection& conn) {
  prepare(conn, "accounts_active_admins", active_admins_sql);
  return in_transaction(conn, "count_active_admins", [&](pqxx::work& tx) {
    return tx.exec_prepared1("accounts_active_admins")[0].as<int64_t>();
  });
}

caf::expected<std::optional<account_record>>
bootstrap_admin(pqxx::connection& conn, const std::string& email,
                const std::string& password_hash, bool must_change) {
  prepare(conn, "accounts_bootstrap_lock", bootstrap_lock_sql);
  prepare(conn, "accounts_bootstrap", bootstrap_insert_sql);
  return in_transaction(conn, "bootstrap_admin", [&](pqxx::work& tx) {
    // Under READ COMMITTED the NOT EXISTS sees rows committed before the
    // lock was granted, so the second of two racing nodes inserts nothing.
    tx.exec_prepared("accounts_bootstrap_lock");
    return first_account(tx.exec_prepared("accounts_bootstrap", email,
                                          password_hash, must_change));
  });
}

caf::expected<refresh_token_record>
store_refresh_token(pqxx::connection& conn, const std::string& account_id,
                    const std::string& token_hash, int64_t ttl_seconds) {
  prepare(conn, "refresh_insert", refresh_insert_sql);
  return in_transaction(conn, "store_refresh_token", [&](pqxx::work& tx) {
    return read_refresh(tx.exec_prepared1(
        "refresh_insert", token_hash, account_id, std::to_string(ttl_seconds)));
  });
}

caf::expected<refresh_rotation>
rotate_refresh_token(pqxx::connection& conn, const std::string& old_hash,
                     const std::string& new_hash, int64_t ttl_seconds) {
  prepare(conn, "refresh_lock", refresh_lock_sql);
  prepare(conn, "refresh_revoke", refresh_revoke_sql);
  prepare(conn, "refresh_revoke_account", refresh_revoke_account_sql);
  prepare(conn, "refresh_insert", refresh_insert_sql);
  prepare(conn, "accounts_by_id", by_id_sql);
  return in_transaction(conn, "rotate_refresh_token", [&](pqxx::work& tx) {
    refresh_rotation out;
    auto rows = tx.exec_prepared("refresh_lock", old_hash);
    if (rows.empty())
      return out;
    auto account_id = rows[0][0].as<std::string>();
    if (rows[0][2].as<bool>()) {
      tx.exec_prepared("refresh_revoke_account", account_id);
      out.result = rotation_result::replayed;
      return out;
    }
    if (rows[0][1].as<bool>()) {
      out.result = rotation_result::expired;
      return out;
    }
    auto account =
        first_account(tx.exec_prepared("accounts_by_id", account_id));
    if (!account || !account->active) {
      out.result = rotation_result::account_inactive;
      return out;
    }
    tx.exec_prepared("refresh_revoke", old_hash);
    out.replacement = read_refresh(tx.exec_prepared1(
        "refresh_insert", new_hash, account_id, std::to_string(ttl_seconds)));
    out.result = rotation_result::rotated;
    out.account = std::move(account);
    return out;
  });
}

caf::expected<bool> revoke_refresh_token(pqxx::connection& conn,
                                         const std::string& token_hash) {
  prepare(conn, "refresh_revoke", refresh_revoke_sql);
  return in_transaction(conn, "revoke_refresh_token", [&](pqxx::work& tx) {
    return tx.exec_prepared("refresh_revoke", token_hash).affected_rows() > 0;
  });
}

caf::expected<int64_t>
revoke_account_refresh_tokens(pqxx::connection& conn,
                              const std::string& account_id) {
  if (!internal::is_uuid(account_id))
    return int64_t{0};
  prepare(conn, "refresh_revoke_account", refresh_revoke_account_sql);
  return in_transaction(
      conn, "revoke_account_refresh_tokens", [&](pqxx::work& tx) {
        return static_cast<int64_t>(
            tx.exec_prepared("refresh_revoke_account", account_id)
                .affected_rows());
      });
}

caf::expected<bool> revoke_token_id(pqxx::connection& conn,
                                    const std::string& jti,
                                    int64_t expires_at_epoch) {
  prepare(conn, "jti_insert", jti_insert_sql);
  return in_transaction(conn, "revoke_token_id", [&](pqxx::work& tx) {
    return tx.exec_prepared("jti_insert", jti, std::to_string(expires_at_epoch))
               .affected_rows() > 0;
  });
}

caf::expected<bool> is_token_id_revoked(pqxx::connection& conn,
                                        const std::string& jti) {
  prepare(conn, "jti_check", jti_check_sql);
  return in_transaction(conn, "is_token_id_revoked", [&](pqxx::work& tx) {
    return tx.exec_prepared1("jti_check", jti)[0].as<bool>();
  });
}

caf::expected<int64_t> purge_expired_tokens(pqxx::connection& conn) {
  prepare(conn, "purge_jti", purge_jti_sql);
  prepare(conn, "purge_refresh", purge_refresh_sql);
  return in_transaction(conn, "purge_expired_tokens", [&](pqxx::work& tx) {
    auto a = tx.exec_prepared("purge_jti").affected_rows();
    auto b = tx.exec_prepared("purge_refresh").affected_rows();
    return static_cast<int64_t>(a + b);
  });
}

} // namespace cdpd::storage
