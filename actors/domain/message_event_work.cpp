#include "actors/domain/message_event_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<message_event_outcome>
record_message_event(int64_t delivery_id, storage::message_event kind,
                     std::optional<std::string> url) {
  return pg_work(
      [=](pqxx::connection& c) -> caf::expected<caf::message> {
        auto recorded =
            storage::record_message_event(c, delivery_id, kind, url);
        if (!recorded)
          return std::move(recorded.error());
        message_event_outcome out;
        out.found = recorded->has_value();
        if (out.found && (*recorded)->first)
          out.first_for_campaign = (*recorded)->campaign_id;
        return caf::make_message(std::move(out));
      },
      false);
}

} // namespace cdpd::actors::domain
