#include "actors/domain/campaign_run_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<campaign_run_reply> load_campaign_run(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::load_campaign_run(c, id));
      },
      true);
}

db_job<std::vector<std::string>> live_campaign_ids() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::live_campaign_ids(c)); },
      true);
}

db_job<bool> schedule_campaign(std::string id, std::string timezone) {
  return pg_work(
      [id, timezone](pqxx::connection& c) {
        return reply(storage::schedule_campaign(c, id, timezone));
      },
      true);
}

db_job<storage::start_result> start_campaign(std::string id,
                                             storage::millis wait_day) {
  // Idempotent: a repeated start skips existing idempotency keys.
  return pg_work(
      [id, wait_day](pqxx::connection& c) {
        return reply(storage::start_campaign(c, id, wait_day));
      },
      true);
}

db_job<bool> complete_campaign(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::complete_campaign(c, id));
      },
      true);
}

db_job<std::string> pause_if_failing(std::string id, int64_t threshold) {
  return pg_work(
      [id, threshold](pqxx::connection& c) {
        return reply(storage::pause_if_failing(c, id, threshold));
      },
      true);
}

} // namespace cdpd::actors::domain
