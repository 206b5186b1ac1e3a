#include "actors/domain/campaign_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

bool is_campaign_status(const std::string& status) {
  return status == "draft" || status == "active" || status == "paused" ||
         status == "completed";
}

db_work list_campaigns() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::list_campaigns(c)); },
      true);
}

db_work get_campaign(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_campaign(c, id)); },
      true);
}

db_work create_campaign(storage::campaign_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_campaign(c, fields));
      },
      false);
}

db_work update_campaign(std::string id, storage::campaign_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_campaign(c, id, fields));
      },
      false);
}

db_work set_campaign_status(std::string id, std::string status) {
  return pg_work(
      [id, status](pqxx::connection& c) -> caf::expected<caf::message> {
        // The campaign is looked up first so an unknown id is a 404 even
        // with a bad status, as the prototype answers.
        auto found = storage::get_campaign(c, id);
        if (!found || !found->value)
          return reply(std::move(found));
        if (!is_campaign_status(status))
          return make_error(errc::rejected, "Invalid status. Must be: draft, "
                                            "active, paused, or completed");
        storage::campaign_fields fields;
        fields.status = status;
        return reply(storage::update_campaign(c, id, fields));
      },
      false);
}

db_work delete_campaign(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::delete_campaign(c, id));
      },
      false);
}

db_work get_campaign_flow(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::get_campaign_flow(c, id));
      },
      true);
}

} // namespace cdpd::actors::domain
