#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `flows` and `flow_steps` tables. Functions fail with the storage
/// errors of pg_errors.hpp.
namespace cdpd::storage {

/// One flow row.
struct flow_record {
  std::string id;
  std::string segment_id;
  std::optional<std::string> entry_condition_type;
  std::optional<std::string> entry_condition;
  std::optional<std::string> name;
  std::string created_at;
};

/// One flow step row; config is JSON text.
struct flow_step_record {
  std::string id;
  std::string flow_id;
  std::string step_type;
  std::string config;
  std::optional<std::string> next_step_id;
  int64_t step_order = 0;
  std::string created_at;
};

/// A step to write; config is JSON text.
struct flow_step_input {
  std::string step_type;
  std::string config = "{}";
  int64_t step_order = 0;
  std::optional<std::string> next_step_id;
};

/// A new flow with its steps.
struct flow_input {
  std::string segment_id;
  std::optional<std::string> entry_condition_type;
  std::optional<std::string> entry_condition;
  std::optional<std::string> name;
  std::vector<flow_step_input> steps;
};

/// A partial update of a flow's optional columns.
struct flow_fields {
  nullable_update entry_condition_type;
  nullable_update entry_condition;
  nullable_update name;
};

/// Every flow in insertion order.
caf::expected<std::vector<flow_record>> list_flows(pqxx::connection& conn);

/// One flow; refusal::flow_missing when there is none.
caf::expected<outcome<flow_record>> get_flow(pqxx::connection& conn,
                                             const std::string& id);

/// Inserts a flow and its steps, sorted by step_order and chained through
/// next_step_id (values sent for it are ignored); refusal::segment_missing
/// when the segment does not exist.
caf::expected<outcome<flow_record>> create_flow(pqxx::connection& conn,
                                                const flow_input& input);

/// Changes the given columns; refusal::flow_missing for an unknown id.
caf::expected<outcome<flow_record>> update_flow(pqxx::connection& conn,
                                                const std::string& id,
                                                const flow_fields& fields);

/// Deletes a flow and (by cascade) its steps; campaigns using it lose their
/// flow_id. refusal::flow_missing for an unknown id.
caf::expected<outcome<bool>> delete_flow(pqxx::connection& conn,
                                         const std::string& id);

/// The flow's steps by step_order; empty for an unknown flow.
caf::expected<std::vector<flow_step_record>>
list_flow_steps(pqxx::connection& conn, const std::string& flow_id);

/// Adds a step; a next_step_id naming no step of this flow is stored as
/// NULL. refusal::flow_missing for an unknown flow.
caf::expected<outcome<flow_step_record>>
create_flow_step(pqxx::connection& conn, const std::string& flow_id,
                 const flow_step_input& input);

/// Replaces a step's columns; refusal::flow_step_missing when the step does
/// not exist or belongs to another flow.
caf::expected<outcome<flow_step_record>>
update_flow_step(pqxx::connection& conn, const std::string& flow_id,
                 const std::string& step_id, const flow_step_input& input);

/// Deletes a step; refusal::flow_step_missing as for update.
caf::expected<outcome<bool>> delete_flow_step(pqxx::connection& conn,
                                              const std::string& flow_id,
                                              const std::string& step_id);

} // namespace cdpd::storage
