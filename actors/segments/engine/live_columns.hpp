#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "actors/segments/engine/customer_columns.hpp"
#include "actors/segments/engine/row_bitset.hpp"
#include "storage/segments/definition.hpp"

namespace cdpd::actors::segments::engine {

/// What live_columns::evaluate finds.
struct live_answer {
  std::uint64_t count = 0;      ///< every matching customer
  std::vector<std::string> ids; ///< the first max_ids members, sorted
};

/// A shard's customers as writes change them: the columns of the last full
/// load (`base`, rows in id order) with the rows of changed or deleted
/// customers masked out, plus an overlay holding the changed customers'
/// current rows (and their orders) as a small column set of its own, also
/// in id order. Answers equal those over a fresh load of the same data.
/// When the overlay grows past a sixteenth of the base (plus 1,024 rows)
/// both are merged into a new base. Not thread-safe.
class live_columns {
public:
  /// Starts from `base` (not null) with an empty overlay.
  explicit live_columns(std::shared_ptr<const customer_columns> base);

  /// Makes customers `ids` (lower-case UUID text) what `fresh` says:
  /// those with a row in `fresh` (read after their change) get that row,
  /// the others are deleted. Rows of `fresh` for ids not listed are
  /// ignored. Fails with storage::errc::invalid_argument when the columns'
  /// LC_CTYPE cannot be loaded; nothing changes then.
  caf::error apply(const std::vector<std::string>& ids,
                   const customer_columns& fresh);

  /// The customers `def` selects at `now` and the first `max_ids` of
  /// them in id order. Fails like engine::evaluate.
  caf::expected<live_answer>
  evaluate(const storage::segments::segment_definition& def,
           std::chrono::system_clock::time_point now,
           std::size_t max_ids) const;

  /// The number of customers.
  std::size_t size() const noexcept;

  /// The number of orders.
  std::size_t orders() const noexcept;

  /// Bytes held (memory_bytes of base and overlay plus the mask).
  std::size_t bytes() const;

  /// Customers in the overlay.
  std::size_t overlay_size() const noexcept { return overlay_.size(); }

  /// How often base and overlay were merged.
  std::uint64_t compactions() const noexcept { return compactions_; }

private:
  caf::error compact();

  std::shared_ptr<const customer_columns> base_;
  row_bitset masked_; ///< base rows that no longer count
  std::size_t masked_count_ = 0;
  std::size_t masked_orders_ = 0;
  customer_columns overlay_;
  std::uint64_t compactions_ = 0;
};

} // namespace cdpd::actors::segments::engine
