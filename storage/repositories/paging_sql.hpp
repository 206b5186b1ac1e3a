#pragma once

#include <cstdint>
#include <string>

#include <pqxx/result>
#include <pqxx/transaction_base>

#include "storage/repositories/outcome.hpp"

/// Keyset paging shared by the list queries: every list orders by
/// (created_at, id) and takes (after_created_at, after_id, skip, fetch) as
/// parameters, fetching one row more than asked to learn whether more follow.
namespace cdpd::storage::internal {

/// The paging parameters of one list query, as statement parameters.
class page_params {
public:
  explicit page_params(const page_request& request)
      : request_(request), skip_(std::to_string(request.skip)),
        fetch_(std::to_string(request.limit + 1)) {}

  /// The cursor's timestamp, or NULL without a cursor.
  const char* after_created_at() const {
    return request_.after ? request_.after->created_at.c_str() : nullptr;
  }

  /// The cursor's id, or NULL without a cursor.
  const char* after_id() const {
    return request_.after ? request_.after->id.c_str() : nullptr;
  }

  /// OFFSET after the cursor.
  const std::string& skip() const { return skip_; }

  /// LIMIT: one more than the page size.
  const std::string& fetch() const { return fetch_; }

private:
  const page_request& request_;
  std::string skip_;
  std::string fetch_;
};

/// Reads at most `request.limit` rows with `read` and sets next_cursor from
/// the last one when the query found more.
template <class T, class Reader>
page<T> make_page(const pqxx::result& rows, const page_request& request,
                  int64_t total, Reader read) {
  page<T> out;
  out.total = total;
  auto limit = static_cast<pqxx::result::size_type>(request.limit);
  for (pqxx::result::size_type i = 0; i < rows.size() && i < limit; ++i)
    out.items.push_back(read(rows[i]));
  if (rows.size() > limit && !out.items.empty())
    out.next_cursor =
        page_cursor{out.items.back().created_at, out.items.back().id};
  return out;
}

/// The rows of `table` (customers, orders or products) as the statement
/// triggers of migration 0020 keep them: an unfiltered list's total for
/// the price of summing a few rows, exact in `tx`'s snapshot.
inline int64_t table_rows(pqxx::transaction_base& tx, const char* table) {
  return tx
      .exec_params1("SELECT coalesce(sum(n), 0)::int8 FROM row_counts"
                    " WHERE table_name = $1",
                    table)[0]
      .as<int64_t>();
}

} // namespace cdpd::storage::internal
