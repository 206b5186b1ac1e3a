#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "storage/repositories/outcome.hpp"

/// Flows entered by events, in PostgreSQL: `customer_events`, `flow_runs`
/// with their step snapshot, and the run rows of `deliveries` (schema in
/// migrations/0007_flow_runs.sql). The enroller turns unprocessed events
/// into runs; dispatchers send run rows like campaign rows. Functions block
/// and fail with the storage errors of pg_errors.hpp.
namespace cdpd::storage {

/// A customer event to record.
struct event_input {
  std::string customer_id;
  std::string type;                       ///< 1..64 characters
  std::string properties = "{}";          ///< a JSON object as text
  std::optional<std::string> occurred_at; ///< naive UTC ISO; absent: now
};

/// A recorded event.
struct event_record {
  int64_t id = 0;
  std::string customer_id;
  std::string type;
};

/// Inserts an event in the caller's transaction (the write paths that
/// record events with their own change use it); returns its id. Throws the
/// driver's exceptions, which the caller's in_transaction translates.
int64_t insert_event(pqxx::work& tx, const std::string& customer_id,
                     const std::string& type,
                     const std::string& properties = "{}");

/// Inserts, in the caller's transaction, the events of a new order of
/// `customer_id`: `order_completed` when `status` is "completed" (in any
/// case) and `first_purchase` when it is the customer's only order. Throws
/// like insert_event.
void insert_order_events(pqxx::work& tx, const std::string& customer_id,
                         const std::string& order_id,
                         const std::string& status);

/// Records an event; refusal::customer_missing when the customer does not
/// exist.
caf::expected<outcome<event_record>> record_event(pqxx::connection& conn,
                                                  const event_input& input);

/// What one enrolment batch did.
struct enrol_result {
  int64_t events = 0;     ///< events marked processed
  int64_t runs = 0;       ///< runs created
  int64_t deliveries = 0; ///< deliveries rows written for them
};

/// Takes up to `limit` unprocessed events (FOR UPDATE SKIP LOCKED, oldest
/// first) and, in one transaction with marking them processed, creates for
/// each a run of every flow whose entry_condition_type is the event's type,
/// that was created by the time the event was recorded, and whose segment
/// contains the customer, who must be opted in and subscribed. A run gets
/// the content of its flow's SEND_EMAIL steps before the first EXIT and
/// one delivery per such step, due at the event's time + the WAIT days
/// before the step x `wait_day`. A flow whose segment definition is invalid
/// enrols nobody.
caf::expected<enrol_result> enrol_events(pqxx::connection& conn, int64_t limit,
                                         std::chrono::milliseconds wait_day);

/// Checks that the customer of run `run_id` is still in its flow's segment;
/// when not, the run is exited with exit_reason "left segment" and its rows
/// not yet sent or dead (the claimed one included) become dead with that
/// reason. Returns true when the run was exited now; false when the
/// customer is still a member, or the run is gone or no longer active.
caf::expected<bool> exit_run_if_left(pqxx::connection& conn,
                                     const std::string& run_id);

/// Marks active runs whose deliveries are all sent or dead as completed.
/// Returns how many.
caf::expected<int64_t> complete_runs(pqxx::connection& conn);

/// One run as the API lists it, with its deliveries' counts.
struct flow_run_record {
  std::string id;
  std::string flow_id;
  std::string customer_id;
  int64_t event_id = 0;
  std::string status; ///< active, completed, exited
  std::optional<std::string> exit_reason;
  std::string started_at; ///< naive UTC ISO
  std::optional<std::string> finished_at;
  int64_t pending = 0; ///< pending or being sent
  int64_t sent = 0;
  int64_t failed = 0; ///< waiting for a retry
  int64_t dead = 0;
};

/// Runs of a flow by (started_at, id), only those with `status` when given,
/// one page; refusal::flow_missing when the flow does not exist.
caf::expected<outcome<page<flow_run_record>>>
list_flow_runs(pqxx::connection& conn, const std::string& flow_id,
               const std::optional<std::string>& status,
               const page_request& request);

} // namespace cdpd::storage
