#include "actors/domain/ai_request_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<bool> record_ai_request(storage::ai_request_entry entry) {
  return pg_work(
      [entry](pqxx::connection& c) {
        return reply(storage::record_ai_request(c, entry));
      },
      false);
}

db_job<std::vector<storage::ai_request_record>>
list_ai_requests(std::int64_t limit, std::optional<std::int64_t> before_id) {
  return pg_work(
      [limit, before_id](pqxx::connection& c) {
        return reply(storage::list_ai_requests(c, limit, before_id));
      },
      true);
}

} // namespace cdpd::actors::domain
