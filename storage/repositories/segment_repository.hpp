#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <pqxx/connection>

#include "storage/repositories/outcome.hpp"

/// The `segments` table. Functions fail with the storage errors of
/// pg_errors.hpp (errc::query_failed, errc::connection_lost,
/// errc::statement_timeout).
namespace cdpd::storage {

/// One segment row; timestamps as naive UTC ISO strings.
struct segment_record {
  std::string id;
  std::string name;
  std::optional<std::string> description;
  std::string definition; ///< the stored JSON object as text
  std::string created_at;
};

/// Columns of a segment write. On create, name is required and an absent
/// definition is `{}`; on update absent members are left alone.
struct segment_fields {
  std::optional<std::string> name;
  nullable_update description;
  std::optional<std::string> definition; ///< JSON object text
};

/// What keeps a segment from being deleted: the names of the campaigns and
/// flows that reference it (a flow without a name is listed by its id).
struct segment_dependents {
  std::vector<std::string> campaigns; ///< in creation order
  std::vector<std::string> flows;     ///< in creation order

  /// True when nothing references the segment.
  bool empty() const { return campaigns.empty() && flows.empty(); }
};

/// Segments in insertion order (created_at, id), one page.
caf::expected<page<segment_record>> list_segments(pqxx::connection& conn,
                                                  const page_request& request);

/// One segment; refusal::segment_missing when there is none.
caf::expected<outcome<segment_record>> get_segment(pqxx::connection& conn,
                                                   const std::string& id);

/// Inserts a segment.
caf::expected<segment_record> create_segment(pqxx::connection& conn,
                                             const segment_fields& fields);

/// Changes the given columns and updated_at; refusal::segment_missing for
/// an unknown id.
caf::expected<outcome<segment_record>>
update_segment(pqxx::connection& conn, const std::string& id,
               const segment_fields& fields);

/// Deletes a segment nothing references and replies empty dependents; when
/// campaigns or flows use it, deletes nothing and replies them.
/// refusal::segment_missing for an unknown id. The segment row is locked
/// first, so a campaign or flow created concurrently either shows up here
/// or fails its own foreign key check.
caf::expected<outcome<segment_dependents>>
delete_segment(pqxx::connection& conn, const std::string& id);

/// The md5 of every segment's definition text, by segment id: a cheap way
/// to notice created, edited and deleted segments.
caf::expected<std::map<std::string, std::string>>
segment_digests(pqxx::connection& conn);

/// A segment's definition text and its md5 (as segment_digests has it);
/// nothing when the segment does not exist.
struct segment_definition_text {
  std::string definition;
  std::string digest;
};
caf::expected<std::optional<segment_definition_text>>
get_segment_definition(pqxx::connection& conn, const std::string& id);

} // namespace cdpd::storage
