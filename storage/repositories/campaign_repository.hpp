#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/flow_repository.hpp"
#include "storage/repositories/outcome.hpp"

/// The `campaigns` table. Functions fail with the storage errors of
/// pg_errors.hpp.
namespace cdpd::storage {

/// One campaign row; timestamps as naive UTC ISO strings.
struct campaign_record {
  std::string id;
  std::string segment_id;
  std::optional<std::string> flow_id;
  std::string name;
  std::optional<std::string> description;
  std::string status;
  std::optional<std::string> start_time;
  std::optional<std::string> start_date;
  std::optional<std::string> start_time_of_day;
  std::string created_at;
  /// Messages per minute; none: the default (delivery.campaign-speed).
  std::optional<int64_t> send_speed_per_minute;
};

/// Columns of a campaign write. On create, segment_id, name and status are
/// required; on update absent members are left alone and segment_id is
/// ignored. Timestamps are naive ISO strings PostgreSQL can parse.
struct campaign_fields {
  std::optional<std::string> segment_id;
  nullable_update flow_id;
  std::optional<std::string> name;
  nullable_update description;
  std::optional<std::string> status;
  nullable_update start_time;
  nullable_update start_date;
  nullable_update start_time_of_day;
  /// Absent: unchanged (the default on create); an empty inner value: the
  /// default speed. The caller checks the range (1..1,000,000).
  std::optional<std::optional<int64_t>> send_speed_per_minute;
};

/// Every campaign in insertion order.
caf::expected<std::vector<campaign_record>>
list_campaigns(pqxx::connection& conn);

/// One campaign; refusal::campaign_missing when there is none.
caf::expected<outcome<campaign_record>> get_campaign(pqxx::connection& conn,
                                                     const std::string& id);

/// Inserts a campaign; refusal::segment_missing or refusal::flow_missing
/// when a referenced row does not exist.
caf::expected<outcome<campaign_record>>
create_campaign(pqxx::connection& conn, const campaign_fields& fields);

/// Changes the given columns; refusal::campaign_missing for an unknown id,
/// refusal::flow_missing for a flow_id naming no flow.
caf::expected<outcome<campaign_record>>
update_campaign(pqxx::connection& conn, const std::string& id,
                const campaign_fields& fields);

/// Deletes a campaign and (by cascade) its steps and delivery statistics;
/// its flow stays. refusal::campaign_missing for an unknown id.
caf::expected<outcome<bool>> delete_campaign(pqxx::connection& conn,
                                             const std::string& id);

/// The campaign's flow: refusal::campaign_missing, then
/// refusal::campaign_has_no_flow, then refusal::flow_missing.
caf::expected<outcome<flow_record>> get_campaign_flow(pqxx::connection& conn,
                                                      const std::string& id);

} // namespace cdpd::storage
