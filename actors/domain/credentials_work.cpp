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

db_job<storage::token_key_rotation> rotate_token_key(std::string value,
                                                     int64_t activate_after,
                                                     int64_t window,
                                                     bool immediate) {
  return pg_work(
      [=](pqxx::connection& c) {
        return reply(storage::rotate_token_key(c, value, activate_after, window,
                                               immediate));
      },
      false);
}

} // namespace cdpd::actors::domain
