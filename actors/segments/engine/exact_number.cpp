#include "actors/segments/engine/exact_number.hpp"

#include <cctype>
#include <string>

namespace cdpd::actors::segments::engine {

namespace {

constexpr int max_digits = 36;

wide_int pow10(int n) {
  wide_int r = 1;
  for (int i = 0; i < n; ++i)
    r *= 10;
  return r;
}

// floor(log_10000(x)) and x's leading base-10000 digit, for x > 0.
void base10000(wide_int x, int& weight, wide_int& first) {
  weight = 0;
  while (x >= 10000) {
    x /= 10000;
    ++weight;
  }
  first = x;
}

} // namespace

std::optional<scaled_threshold> threshold_at(std::string_view text, int scale) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+'))
    negative = text[i++] == '-';
  std::string digits;
  int exponent = 0;
  bool any = false, dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any = true;
      if (digits.empty() && c == '0') {
        if (dot)
          --exponent;
        continue;
      }
      digits.push_back(c);
      if (dot)
        --exponent;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any)
    return std::nullopt;
  if (i < text.size()) {
    if (text[i] != 'e' && text[i] != 'E')
      return std::nullopt;
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+'))
      eneg = text[i++] == '-';
    if (i == text.size())
      return std::nullopt;
    long e = 0;
    for (; i < text.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i])))
        return std::nullopt;
      e = std::min(e * 10 + (text[i] - '0'), 100000L);
    }
    exponent += static_cast<int>(eneg ? -e : e);
  }
  if (digits.empty())
    return scaled_threshold{0, true};
  // value * 10^scale = digits * 10^shift
  long shift = static_cast<long>(exponent) + scale;
  scaled_threshold t;
  auto integer_digits = static_cast<long>(digits.size()) + shift;
  if (integer_digits > max_digits) {
    t.floor = negative ? -pow10(max_digits + 1) - 1 : pow10(max_digits + 1);
    t.exact = false;
    return t;
  }
  wide_int magnitude = 0;
  bool exact = true;
  if (shift >= 0) {
    for (char c : digits)
      magnitude = magnitude * 10 + (c - '0');
    magnitude *= pow10(static_cast<int>(shift));
  } else {
    auto keep = integer_digits > 0 ? static_cast<std::size_t>(integer_digits)
                                   : std::size_t{0};
    for (std::size_t k = 0; k < keep; ++k)
      magnitude = magnitude * 10 + (digits[k] - '0');
    exact = keep >= digits.size(); // digits are stripped of leading zeros
    if (!exact) {
      // Trailing zeros after the kept digits do not make it inexact.
      exact = digits.find_first_not_of('0', keep) == std::string::npos;
    }
  }
  if (negative) {
    t.floor = exact ? -magnitude : -magnitude - 1;
  } else {
    t.floor = magnitude;
  }
  t.exact = exact;
  return t;
}

rounded_average pg_numeric_average(long long sum_cents, long long n) {
  wide_int s = sum_cents < 0 ? -static_cast<wide_int>(sum_cents)
                             : static_cast<wide_int>(sum_cents);
  // select_div_scale(sum, n): the sum is numeric with scale 2, n an integer.
  int weight1 = 0;
  wide_int first1 = 0;
  if (s != 0) {
    wide_int whole = s / 100;
    if (whole > 0) {
      base10000(whole, weight1, first1);
    } else {
      weight1 = -1;
      first1 = (s % 100) * 100;
    }
  }
  int weight2 = 0;
  wide_int first2 = 0;
  base10000(static_cast<wide_int>(n), weight2, first2);
  int qweight = weight1 - weight2;
  if (first1 <= first2)
    --qweight;
  int rscale = 16 - qweight * 4;
  rscale = std::max(rscale, 2);
  rscale = std::min(rscale, 1000);
  // Beyond what 128 bits hold the average is far below any cent anyway;
  // keep the scale PostgreSQL would and the exact quotient digits we can.
  int usable = std::min(rscale, 30);
  wide_int num = s * pow10(usable - 2);
  wide_int den = static_cast<wide_int>(n);
  wide_int q = num / den;
  wide_int r = num % den;
  if (2 * r >= den)
    ++q;
  rounded_average out;
  out.scaled = sum_cents < 0 ? -q : q;
  out.scale = usable;
  return out;
}

} // namespace cdpd::actors::segments::engine
