#include "storage/repositories/credential_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;

constexpr const char* api_keys_sql =
    "SELECT id, prefix, key_hash, role FROM api_keys WHERE revoked_at IS NULL";

constexpr const char* accounts_sql =
    "SELECT id, role, active,"
    " coalesce(floor(extract(epoch FROM password_changed_at))::bigint, 0)"
    " FROM accounts";

constexpr const char* revoked_sql =
    "SELECT jti FROM revoked_tokens"
    " WHERE expires_at > (now() AT TIME ZONE 'utc')";

constexpr const char* secret_sql =
    "WITH added AS (INSERT INTO cluster_secrets (name, value) VALUES ($1, $2)"
    " ON CONFLICT (name) DO NOTHING RETURNING value)"
    " SELECT value FROM added"
    " UNION ALL SELECT value FROM cluster_secrets WHERE name = $1";

constexpr const char* token_keys_sql =
    "SELECT name, value, extract(epoch FROM created_at -"
    " (now() AT TIME ZONE 'utc'))::bigint FROM cluster_secrets"
    " WHERE name IN ('jwt-signing-key', 'jwt-signing-key-previous')";

token_key_rows read_token_keys(pqxx::work& tx) {
  token_key_rows out;
  for (const auto& row : tx.exec(token_keys_sql)) {
    token_key_rows::key key{row[1].as<std::string>(), row[2].as<int64_t>()};
    (row[0].as<std::string>() == "jwt-signing-key" ? out.current
                                                   : out.previous) = key;
  }
  return out;
}

} // namespace

caf::expected<credential_rows> load_credentials(pqxx::connection& conn) {
  return in_transaction(conn, "load_credentials", [&](pqxx::work& tx) {
    // One snapshot for the three reads.
    tx.exec0("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    credential_rows out;
    for (const auto& row : tx.exec(api_keys_sql))
      out.api_keys.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(),
           row[2].as<std::string>(), row[3].as<std::string>()});
    for (const auto& row : tx.exec(accounts_sql))
      out.accounts.push_back({row[0].as<std::string>(),
                              row[1].as<std::string>(), row[2].as<bool>(),
                              row[3].as<int64_t>()});
    for (const auto& row : tx.exec(revoked_sql))
      out.revoked_token_ids.push_back(row[0].as<std::string>());
    out.token_keys = read_token_keys(tx);
    return out;
  });
}

caf::expected<std::string> ensure_cluster_secret(pqxx::connection& conn,
                                                 const std::string& name,
                                                 const std::string& candidate) {
  internal::prepare(conn, "cluster_secret", secret_sql);
  return in_transaction(conn, "ensure_cluster_secret", [&](pqxx::work& tx) {
    // The data-modifying CTE and the plain SELECT see the same snapshot, so
    // a row committed by a racing node is not visible to the SELECT here
    // while the INSERT waits for it and then does nothing: retry once.
    auto rows = tx.exec_prepared("cluster_secret", name, candidate);
    if (rows.empty())
      rows = tx.exec_prepared("cluster_secret", name, candidate);
    return rows.empty() ? std::string{} : rows[0][0].as<std::string>();
  });
}

caf::expected<token_key_rotation>
rotate_token_key(pqxx::connection& conn, const std::string& value,
                 int64_t activate_after, int64_t window, bool immediate) {
  return in_transaction(conn, "rotate_token_key", [&](pqxx::work& tx) {
    token_key_rotation out;
    // Rotations on two nodes at once queue here.
    auto locked = tx.exec(
        "SELECT extract(epoch FROM created_at - (now() AT TIME ZONE "
        "'utc'))::bigint FROM cluster_secrets WHERE name = 'jwt-signing-key'"
        " FOR UPDATE");
    if (locked.empty()) {
      out.settling_for = -1;
      return out;
    }
    auto active_in = locked[0][0].as<int64_t>();
    bool has_previous = !tx.exec("SELECT 1 FROM cluster_secrets WHERE name ="
                                 " 'jwt-signing-key-previous'")
                             .empty();
    if (!immediate && has_previous && active_in + window > 0) {
      out.settling_for = active_in + window;
      out.keys = read_token_keys(tx);
      return out;
    }
    tx.exec0("DELETE FROM cluster_secrets WHERE name ="
             " 'jwt-signing-key-previous'");
    if (immediate)
      tx.exec0("DELETE FROM cluster_secrets WHERE name = 'jwt-signing-key'");
    else
      tx.exec0("UPDATE cluster_secrets SET name = 'jwt-signing-key-previous'"
               " WHERE name = 'jwt-signing-key'");
    tx.exec_params0(
        "INSERT INTO cluster_secrets (name, value, created_at) VALUES"
        " ('jwt-signing-key', $1, (now() AT TIME ZONE 'utc') +"
        " make_interval(secs => $2))",
        value, immediate ? 0 : activate_after);
    out.rotated = true;
    out.keys = read_token_keys(tx);
    return out;
  });
}

} // namespace cdpd::storage
