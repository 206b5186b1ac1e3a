#include "actors/segments/engine/live_columns.hpp"

#include <algorithm>
#include <utility>

#include "actors/segments/engine/evaluate.hpp"
#include "storage/errc.hpp"

namespace cdpd::actors::segments::engine {

namespace {

/// The row of `id` in `columns`, whose ids are sorted.
std::optional<std::size_t> sorted_row(const customer_columns& columns,
                                      const std::string& id) {
  auto it = std::lower_bound(columns.ids.begin(), columns.ids.end(), id);
  if (it == columns.ids.end() || *it != id)
    return std::nullopt;
  return static_cast<std::size_t>(it - columns.ids.begin());
}

/// Columns without rows, as a builder makes them.
customer_columns empty_columns(const std::string& lc_ctype) {
  customer_columns out;
  out.lc_ctype = lc_ctype;
  out.order_begin.push_back(0);
  out.item_begin.push_back(0);
  return out;
}

std::size_t orders_of(const customer_columns& c, std::size_t row) {
  return c.order_begin[row + 1] - c.order_begin[row];
}

caf::error missing_locale(const std::string& lc_ctype) {
  return make_error(storage::errc::invalid_argument,
                    "LC_CTYPE " + lc_ctype + " is not available here");
}

} // namespace

live_columns::live_columns(std::shared_ptr<const customer_columns> base)
    : base_(std::move(base)), masked_(base_->size()),
      overlay_(empty_columns(base_->lc_ctype)) {}

caf::error live_columns::apply(const std::vector<std::string>& ids,
                               const customer_columns& fresh) {
  auto changed = ids;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  auto is_changed = [&](const std::string& id) {
    return std::binary_search(changed.begin(), changed.end(), id);
  };
  // The new overlay: its rows of unchanged customers merged, in id order,
  // with the fresh rows of changed ones.
  columns_builder builder{base_->lc_ctype};
  std::size_t o = 0;
  std::size_t f = 0;
  auto skip_fresh = [&] {
    while (f < fresh.size() && !is_changed(fresh.ids[f]))
      ++f;
  };
  auto skip_overlay = [&] {
    while (o < overlay_.size() && is_changed(overlay_.ids[o]))
      ++o;
  };
  skip_fresh();
  skip_overlay();
  while (o < overlay_.size() || f < fresh.size()) {
    if (f >= fresh.size() ||
        (o < overlay_.size() && overlay_.ids[o] < fresh.ids[f])) {
      copy_row(overlay_, o++, builder);
      skip_overlay();
    } else {
      copy_row(fresh, f++, builder);
      skip_fresh();
    }
  }
  auto next = builder.finish();
  if (!next)
    return missing_locale(base_->lc_ctype);
  for (const auto& id : changed)
    if (auto row = sorted_row(*base_, id); row && !masked_.test(*row)) {
      masked_.set(*row);
      ++masked_count_;
      masked_orders_ += orders_of(*base_, *row);
    }
  overlay_ = std::move(*next);
  if (overlay_.size() > 1024 + base_->size() / 16)
    return compact();
  return {};
}

caf::error live_columns::compact() {
  columns_builder builder{base_->lc_ctype};
  std::size_t b = 0;
  std::size_t o = 0;
  auto skip_masked = [&] {
    while (b < base_->size() && masked_.test(b))
      ++b;
  };
  skip_masked();
  while (b < base_->size() || o < overlay_.size()) {
    if (o >= overlay_.size() ||
        (b < base_->size() && base_->ids[b] < overlay_.ids[o])) {
      copy_row(*base_, b++, builder);
      skip_masked();
    } else {
      copy_row(overlay_, o++, builder);
    }
  }
  auto merged = builder.finish();
  if (!merged)
    return missing_locale(base_->lc_ctype);
  merged->snapshot = base_->snapshot;
  base_ = std::make_shared<const customer_columns>(std::move(*merged));
  masked_ = row_bitset{base_->size()};
  masked_count_ = 0;
  masked_orders_ = 0;
  overlay_ = empty_columns(base_->lc_ctype);
  ++compactions_;
  return {};
}

caf::expected<live_answer>
live_columns::evaluate(const storage::segments::segment_definition& def,
                       std::chrono::system_clock::time_point now,
                       std::size_t max_ids) const {
  auto in_base = engine::evaluate(def, *base_, now);
  if (!in_base)
    return in_base.error();
  in_base->and_not(masked_);
  row_bitset in_overlay;
  if (overlay_.size() > 0) {
    auto rows = engine::evaluate(def, overlay_, now);
    if (!rows)
      return rows.error();
    in_overlay = std::move(*rows);
  }
  live_answer out;
  out.count = in_base->count() + in_overlay.count();
  if (max_ids == 0)
    return out;
  // Both sets are in id order; merge them up to max_ids.
  std::vector<std::size_t> base_rows;
  std::vector<std::size_t> overlay_rows;
  in_base->for_each([&](std::size_t r) {
    if (base_rows.size() < max_ids)
      base_rows.push_back(r);
  });
  in_overlay.for_each([&](std::size_t r) {
    if (overlay_rows.size() < max_ids)
      overlay_rows.push_back(r);
  });
  out.ids.reserve(std::min<std::size_t>(max_ids, out.count));
  std::size_t b = 0;
  std::size_t o = 0;
  while (out.ids.size() < max_ids &&
         (b < base_rows.size() || o < overlay_rows.size())) {
    if (o >= overlay_rows.size() ||
        (b < base_rows.size() &&
         base_->ids[base_rows[b]] < overlay_.ids[overlay_rows[o]]))
      out.ids.push_back(base_->ids[base_rows[b++]]);
    else
      out.ids.push_back(overlay_.ids[overlay_rows[o++]]);
  }
  return out;
}

std::size_t live_columns::size() const noexcept {
  return base_->size() - masked_count_ + overlay_.size();
}

std::size_t live_columns::orders() const noexcept {
  return base_->order_date.size() - masked_orders_ + overlay_.order_date.size();
}

std::size_t live_columns::bytes() const {
  return memory_bytes(*base_) + memory_bytes(overlay_) +
         masked_.words().capacity() * sizeof(std::uint64_t);
}

} // namespace cdpd::actors::segments::engine
