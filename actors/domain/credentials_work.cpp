#include "actors/domain/credentials_work.hpp"

#include "actors/domain/work_support.hpp"
#include "storage/repositories/account_repository.hpp"

namespace cdpd::actors::domain {

db_job<storage::credential_rows> load_credentials() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::load_credentials(c)); },
      true);
}

db_job<int64_t> purge_expired_tokens() {
  return pg_work(
      [](pqxx::connection& c) {
        return reply(storage::purge_expired_tokens(c));
      },
      false);
}

} // namespace cdpd::actors::domain
