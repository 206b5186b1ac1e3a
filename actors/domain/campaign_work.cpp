#include "actors/domain/campaign_work.hpp"

#include "actors/campaigns/campaign_lifecycle.hpp"
#include "actors/domain/work_support.hpp"
#include "storage/repositories/delivery_repository.hpp"

namespace cdpd::actors::domain {

namespace {

/// The campaign and its execution, read after a change.
caf::expected<caf::message> view_reply(pqxx::connection& c,
                                       const std::string& id) {
  auto found = storage::get_campaign(c, id);
  if (!found || !found->value)
    return reply(std::move(found));
  auto exec = storage::get_campaign_execution(c, id);
  if (!exec)
    return std::move(exec.error());
  if (!exec->value)
    return refusal_error(exec->why);
  return caf::make_message(
      campaign_view{std::move(*found->value), std::move(*exec->value)});
}

/// Applies a lifecycle change through the execution rules; an error when
/// the campaign is missing (errc::not_found) or the change is refused
/// (errc::conflict with the reason).
caf::error change_status(pqxx::connection& c, const std::string& id,
                         campaigns::campaign_status status) {
  auto moved = campaigns::move_campaign(c, id, status);
  if (!moved)
    return std::move(moved.error());
  if (!moved->found)
    return refusal_error(storage::refusal::campaign_missing);
  if (!moved->conflict.empty())
    return make_error(errc::conflict, moved->conflict);
  return {};
}

} // namespace

db_job<std::vector<storage::campaign_record>> list_campaigns() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::list_campaigns(c)); },
      true);
}

db_job<storage::campaign_record> get_campaign(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_campaign(c, id)); },
      true);
}

db_job<std::vector<campaign_view>> list_campaign_views(known_executions known) {
  return pg_work(
      [known = std::move(known)](
          pqxx::connection& c) -> caf::expected<caf::message> {
        auto campaigns = storage::list_campaigns(c);
        if (!campaigns)
          return std::move(campaigns.error());
        std::vector<std::string> ids;
        for (const auto& [id, e] : known)
          ids.push_back(id);
        auto executions = storage::list_campaign_executions(c, ids);
        if (!executions)
          return std::move(executions.error());
        executions->insert(known.begin(), known.end());
        std::vector<campaign_view> out;
        out.reserve(campaigns->size());
        for (auto& campaign : *campaigns) {
          auto exec = executions->find(campaign.id);
          out.push_back(
              {std::move(campaign), exec == executions->end()
                                        ? storage::campaign_execution{}
                                        : exec->second});
        }
        return caf::make_message(std::move(out));
      },
      true);
}

db_job<campaign_view> get_campaign_view(std::string id) {
  return pg_work([id](pqxx::connection& c) { return view_reply(c, id); }, true);
}

db_job<storage::campaign_record>
create_campaign(storage::campaign_fields fields) {
  return pg_work(
      [fields](pqxx::connection& c) {
        return reply(storage::create_campaign(c, fields));
      },
      false);
}

db_job<campaign_view> update_campaign(std::string id,
                                      storage::campaign_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) -> caf::expected<caf::message> {
        // A status in the body follows the lifecycle like the status route;
        // values outside it are stored as before.
        auto rest = fields;
        auto status = rest.status
                          ? campaigns::parse_campaign_status(*rest.status)
                          : std::nullopt;
        if (status) {
          if (auto err = change_status(c, id, *status))
            return err;
          rest.status.reset();
        }
        auto updated = storage::update_campaign(c, id, rest);
        if (!updated || !updated->value)
          return reply(std::move(updated));
        return view_reply(c, id);
      },
      false);
}

namespace {

/// set_campaign_status without the view. The campaign is looked up first
/// so an unknown id is a 404 even with a bad status, as the prototype
/// answers.
caf::error status_change(pqxx::connection& c, const std::string& id,
                         const std::string& status) {
  auto found = storage::get_campaign(c, id);
  if (!found)
    return std::move(found.error());
  if (!found->value)
    return refusal_error(found->why);
  auto wanted = campaigns::parse_campaign_status(status);
  if (!wanted)
    return make_error(errc::rejected, "Invalid status. Must be: draft, "
                                      "active, paused, or completed");
  return change_status(c, id, *wanted);
}

} // namespace

db_job<campaign_view> set_campaign_status(std::string id, std::string status) {
  return pg_work(
      [id, status](pqxx::connection& c) -> caf::expected<caf::message> {
        if (auto err = status_change(c, id, status))
          return err;
        return view_reply(c, id);
      },
      false);
}

db_job<bool> change_campaign_status(std::string id, std::string status) {
  return pg_work(
      [id, status](pqxx::connection& c) -> caf::expected<caf::message> {
        if (auto err = status_change(c, id, status))
          return err;
        return caf::make_message(true);
      },
      false);
}

db_job<bool> delete_campaign(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::delete_campaign(c, id));
      },
      false);
}

db_job<storage::flow_record> get_campaign_flow(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) {
        return reply(storage::get_campaign_flow(c, id));
      },
      true);
}

} // namespace cdpd::actors::domain
