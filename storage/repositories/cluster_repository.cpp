#include "storage/repositories/cluster_repository.hpp"

#include <pqxx/pqxx>

#include "storage/repositories/sql_support.hpp"

namespace cdpd::storage {

namespace {

using internal::in_transaction;

constexpr const char* join_sql =
    "INSERT INTO cluster_members (name, address, port, http_address,"
    " incarnation, state, joined_at, lease_until)"
    " VALUES ($1, $2, $3, $4, nextval('cluster_incarnations'), 'up', now(),"
    " now() + $5::bigint * interval '1 millisecond')"
    " ON CONFLICT (name) DO UPDATE SET address = excluded.address,"
    " port = excluded.port, http_address = excluded.http_address,"
    " incarnation = excluded.incarnation, state = 'up',"
    " joined_at = excluded.joined_at, lease_until = excluded.lease_until"
    " RETURNING incarnation";

constexpr const char* renew_sql =
    "UPDATE cluster_members"
    " SET lease_until = now() + $3::bigint * interval '1 millisecond'"
    " WHERE name = $1 AND incarnation = $2 AND state = 'up'"
    " AND lease_until > now()";

// Names the session after the member, so that others can tell whether its
// process still holds a connection (expire_if_disconnected). Session level:
// it outlives the transaction.
constexpr const char* name_session_sql =
    "SELECT set_config('application_name', $1, false)";

constexpr const char* list_sql =
    "SELECT name, address, port, http_address, incarnation,"
    " state = 'up' AND lease_until > now(), state = 'left',"
    " (extract(epoch FROM lease_until) * 1000)::bigint"
    " FROM cluster_members ORDER BY name";

constexpr const char* leave_sql =
    "UPDATE cluster_members SET state = 'left', lease_until = now()"
    " WHERE name = $1 AND incarnation = $2";

constexpr const char* expire_sql =
    "UPDATE cluster_members SET lease_until = now()"
    " WHERE name = $1 AND incarnation = $2 AND lease_until > now()"
    " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity"
    "                 WHERE application_name = $3)";

constexpr const char* release_sql =
    "UPDATE deliveries SET lease_until = (now() AT TIME ZONE 'utc')"
    " WHERE status = 'sending' AND claimed_by IS NOT NULL"
    " AND lease_until > (now() AT TIME ZONE 'utc')"
    " AND claimed_by NOT IN (SELECT name || ':' || incarnation"
    " FROM cluster_members WHERE state = 'up' AND lease_until > now())";

// Members, other than the asking one, that may be placing keys by the
// stored settings now.
constexpr const char* others_sql =
    "SELECT string_agg(name, ', ' ORDER BY name) FROM cluster_members"
    " WHERE name <> $1 AND state = 'up' AND lease_until > now()";

constexpr const char* setting_sql =
    "SELECT value, set_by,"
    " set_at > now() - $2::bigint * interval '1 millisecond'"
    " FROM cluster_settings WHERE name = $1";

constexpr const char* store_setting_sql =
    "INSERT INTO cluster_settings (name, value, set_by, set_at)"
    " VALUES ($1, $2, $3, now()) ON CONFLICT (name) DO UPDATE"
    " SET value = excluded.value, set_by = excluded.set_by,"
    " set_at = excluded.set_at";

} // namespace

caf::expected<std::vector<std::string>>
agree_cluster_settings(pqxx::connection& conn, const std::string& self,
                       const std::vector<shared_setting>& settings,
                       std::chrono::milliseconds lease) {
  return in_transaction(conn, "agree_cluster_settings", [&](pqxx::work& tx) {
    tx.exec("LOCK TABLE cluster_settings IN EXCLUSIVE MODE");
    auto others_row = tx.exec_params1(others_sql, self);
    auto others = others_row[0].is_null() ? std::string{}
                                          : others_row[0].as<std::string>();
    std::vector<std::string> mismatches;
    for (const auto& setting : settings) {
      auto stored = tx.exec_params(setting_sql, setting.name,
                                   static_cast<int64_t>(lease.count()));
      if (!stored.empty() && stored[0][0].as<std::string>() == setting.value)
        continue;
      if (!stored.empty()) {
        auto set_by = stored[0][1].as<std::string>();
        bool recent = stored[0][2].as<bool>() && set_by != self;
        if (!others.empty() || recent) {
          mismatches.push_back(
              setting.name + " is " + setting.value + " here but " +
              stored[0][0].as<std::string>() + " in the cluster (" +
              (others.empty() ? "set by " + set_by + ", which is starting"
                              : "members " + others + " use it") +
              "): start this node with --" + setting.name + "=" +
              stored[0][0].as<std::string>() +
              ", or stop every member to change it");
          continue;
        }
      }
      tx.exec_params(store_setting_sql, setting.name, setting.value, self);
    }
    return mismatches;
  });
}

std::string claimant_tag(const std::string& name, int64_t incarnation) {
  return name + ":" + std::to_string(incarnation);
}

caf::expected<int64_t> release_lost_claims(pqxx::connection& conn) {
  return in_transaction(conn, "release_lost_claims", [&](pqxx::work& tx) {
    return static_cast<int64_t>(tx.exec(release_sql).affected_rows());
  });
}

std::string membership_session_name(const std::string& name,
                                    int64_t incarnation) {
  // application_name keeps 63 bytes; the incarnation goes first so that a
  // long name loses its tail, never the part that tells starts apart.
  return ("cdpd-member " + std::to_string(incarnation) + " " + name)
      .substr(0, 63);
}

caf::expected<int64_t> join_cluster(pqxx::connection& conn,
                                    const member_endpoint& self,
                                    std::chrono::milliseconds lease) {
  return in_transaction(conn, "join_cluster", [&](pqxx::work& tx) {
    auto incarnation = tx.exec_params1(join_sql, self.name, self.address,
                                       self.port, self.http_address,
                                       static_cast<int64_t>(lease.count()))[0]
                           .as<int64_t>();
    tx.exec_params(name_session_sql,
                   membership_session_name(self.name, incarnation));
    return incarnation;
  });
}

caf::expected<bool> renew_membership(pqxx::connection& conn,
                                     const std::string& name,
                                     int64_t incarnation,
                                     std::chrono::milliseconds lease) {
  return in_transaction(conn, "renew_membership", [&](pqxx::work& tx) {
    // Again on every renewal: the pool may have opened a new connection.
    tx.exec_params(name_session_sql,
                   membership_session_name(name, incarnation));
    return tx.exec_params(renew_sql, name, incarnation,
                          static_cast<int64_t>(lease.count()))
               .affected_rows() == 1;
  });
}

caf::expected<std::vector<member_row>> list_members(pqxx::connection& conn) {
  return in_transaction(conn, "list_members", [&](pqxx::work& tx) {
    std::vector<member_row> rows;
    for (const auto& r : tx.exec(list_sql))
      rows.push_back({r[0].as<std::string>(), r[1].as<std::string>(),
                      r[2].as<int>(), r[3].as<std::string>(),
                      r[4].as<int64_t>(), r[5].as<bool>(), r[6].as<bool>(),
                      r[7].as<int64_t>()});
    return rows;
  });
}

caf::expected<void> leave_cluster(pqxx::connection& conn,
                                  const std::string& name,
                                  int64_t incarnation) {
  auto done = in_transaction(conn, "leave_cluster", [&](pqxx::work& tx) {
    tx.exec_params(leave_sql, name, incarnation);
    return true;
  });
  if (!done)
    return std::move(done.error());
  return caf::unit;
}

caf::expected<bool> expire_if_disconnected(pqxx::connection& conn,
                                           const std::string& name,
                                           int64_t incarnation,
                                           const std::string& session) {
  return in_transaction(conn, "expire_member", [&](pqxx::work& tx) {
    return tx.exec_params(expire_sql, name, incarnation, session)
               .affected_rows() == 1;
  });
}

} // namespace cdpd::storage
