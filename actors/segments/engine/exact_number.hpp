#pragma once

#include <optional>
#include <string_view>

/// Exact comparisons of fixed-point column values (integers, cents) with the
/// decimal text of a condition's value, as PostgreSQL compares numerics:
/// 0.29 equals 29 cents although the double 0.29 does not.
namespace cdpd::actors::segments::engine {

/// A 128-bit integer: wide enough for cents times 10^24.
__extension__ typedef __int128 wide_int;

/// A decimal value placed among the integers of one scale: the value times
/// 10^scale lies in [floor, floor + 1), exactly at floor when `exact`.
/// Magnitudes beyond 10^36 saturate (they lie beyond every column value).
struct scaled_threshold {
  wide_int floor = 0; ///< largest integer <= value * 10^scale
  bool exact = false; ///< value * 10^scale == floor
};

/// Reads decimal text ("-12.5", "1e+20", "3") and places it at `scale`
/// (0..40). Returns nothing when the text is not a decimal number.
std::optional<scaled_threshold> threshold_at(std::string_view text, int scale);

/// -1, 0 or 1 as x / 10^scale is below, equal to or above the value the
/// threshold was made from.
inline int compare_scaled(wide_int x, const scaled_threshold& t) noexcept {
  if (x < t.floor)
    return -1;
  if (x > t.floor)
    return 1;
  return t.exact ? 0 : -1;
}

/// PostgreSQL's avg() of numeric(_, 2) values: sum_cents / (100 * n) rounded
/// (half away from zero) to the scale numeric division picks
/// (select_div_scale), as {value * 10^scale, scale}. `n` must be positive.
struct rounded_average {
  wide_int scaled = 0; ///< the rounded average times 10^scale
  int scale = 0;       ///< decimal places PostgreSQL keeps
};

/// The average PostgreSQL's avg(numeric) returns for these orders.
rounded_average pg_numeric_average(long long sum_cents, long long n);

} // namespace cdpd::actors::segments::engine
