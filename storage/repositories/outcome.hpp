#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// Result shapes shared by the repositories: a write or lookup either yields
/// a value or says which referenced row it did not find (or why it refused),
/// and list reads come back one page at a time.
namespace cdpd::storage {

/// Why a repository call produced no value although the SQL ran fine.
enum class refusal : uint8_t {
  none,                 ///< the call produced its value
  customer_missing,     ///< the customer id matches no row
  product_missing,      ///< a product id matches no row
  order_missing,        ///< the order id matches no row
  segment_missing,      ///< the segment id matches no row
  flow_missing,         ///< the flow id matches no row
  flow_step_missing,    ///< no such step in that flow
  campaign_missing,     ///< the campaign id matches no row
  campaign_has_no_flow, ///< the campaign exists but has no flow_id
  email_taken,          ///< another customer already has the email
  webhook_missing,      ///< the webhook endpoint id matches no row
};

/// A value, or the reason there is none.
template <class T> struct outcome {
  std::optional<T> value;
  refusal why = refusal::none;

  /// A successful outcome.
  static outcome of(T x) { return {std::move(x), refusal::none}; }

  /// A refused outcome.
  static outcome refused(refusal r) { return {std::nullopt, r}; }
};

/// The position after the last row of a page: rows are ordered by
/// (created_at, id), so this pair continues a list without an OFFSET scan.
struct page_cursor {
  std::string created_at; ///< naive UTC ISO timestamp of the last row
  std::string id;         ///< UUID of the last row
};

/// Which part of a list to read.
struct page_request {
  int64_t skip = 0;                 ///< rows to skip after the cursor
  int64_t limit = 100;              ///< most rows to return (callers cap it)
  std::optional<page_cursor> after; ///< start after this row
};

/// One page of a list.
template <class T> struct page {
  std::vector<T> items;
  int64_t total = 0;                      ///< rows matching the filter
  std::optional<page_cursor> next_cursor; ///< set when more rows follow
};

/// An optional column in a partial update: absent = leave it, a null inner
/// value = set NULL, a string = set it.
using nullable_update = std::optional<std::optional<std::string>>;

} // namespace cdpd::storage
