#include "actors/domain/event_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<storage::event_record> record_event(storage::event_input input) {
  return pg_work(
      [input = std::move(input)](pqxx::connection& c) {
        return reply(storage::record_event(c, input));
      },
      false);
}

db_job<storage::page<storage::flow_run_record>>
list_flow_runs(std::string flow_id, std::optional<std::string> status,
               storage::page_request page) {
  return pg_work(
      [flow_id = std::move(flow_id), status = std::move(status),
       page](pqxx::connection& c) {
        return reply(storage::list_flow_runs(c, flow_id, status, page));
      },
      true);
}

} // namespace cdpd::actors::domain
