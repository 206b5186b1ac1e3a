#include "actors/delivery/delivery_work.hpp"

#include "actors/domain/work_support.hpp"
#include "storage/repositories/campaign_repository.hpp"

namespace cdpd::actors::delivery {

using domain::pg_work;
using domain::reply;

db_job<std::vector<storage::delivery_record>>
list_campaign_deliveries(std::string campaign_id,
                         std::optional<std::string> status, int64_t after_id,
                         int64_t limit) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        auto found = storage::get_campaign(c, campaign_id);
        if (!found)
          return std::move(found.error());
        if (!found->value)
          return domain::refusal_error(found->why);
        return reply(
            storage::list_deliveries(c, campaign_id, status, after_id, limit));
      },
      true);
}

db_job<std::vector<storage::delivery_record>>
list_dead_letters(std::string campaign_id, int64_t after_id, int64_t limit) {
  return pg_work(
      [=](pqxx::connection& c) {
        return reply(storage::list_deliveries(
            c, campaign_id, std::string{"dead"}, after_id, limit));
      },
      true);
}

db_job<storage::replay_result> replay_dead_letters(std::vector<int64_t> ids,
                                                   std::string campaign_id) {
  return pg_work(
      [=](pqxx::connection& c) {
        return reply(storage::replay_dead(c, ids, campaign_id));
      },
      false);
}

} // namespace cdpd::actors::delivery
