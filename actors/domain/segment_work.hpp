#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>

#include "actors/storage/db_actor.hpp"
#include "storage/repositories/segment_repository.hpp"
#include "storage/segments/definition.hpp"
#include "storage/segments/segment_queries.hpp"

/// Work for the db actor on segments and their members. Failures are domain
/// errors (errc::not_found "Segment not found"; errc::conflict naming the
/// campaigns and flows that use a segment being deleted; errc::rejected for
/// a stored definition that no longer parses) or storage errors. Member
/// queries measure relative dates from the time the work runs.
namespace cdpd::actors::domain {

/// The members of a segment as `users` and `evaluate` show them.
struct segment_members {
  std::string segment_id;
  std::int64_t total = 0; ///< every matching customer
  std::vector<storage::segments::customer_row> rows; ///< the first `limit`
  /// The column `users` shows besides name and email, if any.
  std::optional<storage::segments::field> extra;
};

/// The 409 text for a segment in use, e.g. `Segment is used by campaign
/// "Spring sale" and flow "Welcome"; delete or move them first`.
std::string in_use_message(const storage::segment_dependents& users);

/// Replies storage::page<storage::segment_record>.
db_job<storage::page<storage::segment_record>>
list_segments(storage::page_request request);

/// Replies storage::segment_record.
db_job<storage::segment_record> get_segment(std::string id);

/// Replies the new storage::segment_record.
db_job<storage::segment_record> create_segment(storage::segment_fields fields);

/// Replies the changed storage::segment_record.
db_job<storage::segment_record> update_segment(std::string id,
                                               storage::segment_fields fields);

/// Replies true; errc::conflict (in_use_message) when campaigns or flows
/// use the segment.
db_job<bool> delete_segment(std::string id);

/// Replies the number of matching customers as std::int64_t.
db_job<std::int64_t> count_segment(std::string id);

/// Replies segment_members with at most `limit` rows (negative counts as
/// 0) in (created_at, id) order.
db_job<segment_members> segment_members_of(std::string id, std::int64_t limit);

/// Replies segment_members for members already known (from the segment's
/// actor): `total` as given and the rows of the customers `ids`, read by id
/// and kept in the order of `ids` (a customer deleted since is left out).
/// Fails like segment_members_of when the segment is gone or its
/// definition no longer parses.
db_job<segment_members> segment_members_by_id(std::string id,
                                              std::int64_t total,
                                              std::vector<std::string> ids);

} // namespace cdpd::actors::domain

// Replies that stay on one node (see actors/domain/replies.hpp).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::storage::segment_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    cdpd::storage::page<cdpd::storage::segment_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(cdpd::actors::domain::segment_members)
