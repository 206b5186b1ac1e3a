#include "actors/domain/flow_work.hpp"

#include "actors/domain/work_support.hpp"

namespace cdpd::actors::domain {

db_job<std::vector<storage::flow_record>> list_flows() {
  return pg_work(
      [](pqxx::connection& c) { return reply(storage::list_flows(c)); }, true);
}

db_job<storage::flow_record> get_flow(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::get_flow(c, id)); },
      true);
}

db_job<storage::flow_record> create_flow(storage::flow_input input) {
  return pg_work(
      [input](pqxx::connection& c) {
        return reply(storage::create_flow(c, input));
      },
      false);
}

db_job<storage::flow_record> update_flow(std::string id,
                                         storage::flow_fields fields) {
  return pg_work(
      [id, fields](pqxx::connection& c) {
        return reply(storage::update_flow(c, id, fields));
      },
      false);
}

db_job<bool> delete_flow(std::string id) {
  return pg_work(
      [id](pqxx::connection& c) { return reply(storage::delete_flow(c, id)); },
      false);
}

db_job<std::vector<storage::flow_step_record>>
list_flow_steps(std::string flow_id) {
  return pg_work(
      [flow_id](pqxx::connection& c) {
        return reply(storage::list_flow_steps(c, flow_id));
      },
      true);
}

db_job<storage::flow_step_record>
create_flow_step(std::string flow_id, storage::flow_step_input input) {
  return pg_work(
      [flow_id, input](pqxx::connection& c) {
        return reply(storage::create_flow_step(c, flow_id, input));
      },
      false);
}

db_job<storage::flow_step_record>
update_flow_step(std::string flow_id, std::string step_id,
                 storage::flow_step_input input) {
  return pg_work(
      [flow_id, step_id, input](pqxx::connection& c) {
        return reply(storage::update_flow_step(c, flow_id, step_id, input));
      },
      false);
}

db_job<bool> delete_flow_step(std::string flow_id, std::string step_id) {
  return pg_work(
      [flow_id, step_id](pqxx::connection& c) {
        return reply(storage::delete_flow_step(c, flow_id, step_id));
      },
      false);
}

} // namespace cdpd::actors::domain
