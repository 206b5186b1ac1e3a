#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

/// A fixed-size set of customer row indexes, one bit per row, used by the
/// in-memory segment engine to combine column kernels.
namespace cdpd::actors::segments::engine {

/// A plain bitset over rows [0, size).
class row_bitset {
public:
  row_bitset() = default;

  /// `size` rows, all clear.
  explicit row_bitset(std::size_t size)
      : words_((size + 63) / 64, 0), size_(size) {}

  /// The rows r in [0, size) for which pred(r) is true. Builds each word
  /// from 64 answers, without a branch per row.
  template <class Pred> static row_bitset where(std::size_t size, Pred pred) {
    row_bitset out{size};
    for (std::size_t wi = 0; wi < out.words_.size(); ++wi) {
      auto base = wi * 64;
      auto end = base + 64 < size ? 64 : size - base;
      uint64_t w = 0;
      for (std::size_t j = 0; j < end; ++j)
        w |= uint64_t{pred(base + j) ? 1U : 0U} << j;
      out.words_[wi] = w;
    }
    return out;
  }

  /// The number of rows the set ranges over.
  std::size_t size() const noexcept { return size_; }

  /// Adds row `i`.
  void set(std::size_t i) noexcept {
    words_[i / 64] |= uint64_t{1} << (i % 64);
  }

  /// True when row `i` is in the set.
  bool test(std::size_t i) const noexcept {
    return (words_[i / 64] >> (i % 64)) & 1U;
  }

  /// How many rows are in the set.
  std::size_t count() const noexcept {
    std::size_t n = 0;
    for (auto w : words_)
      n += static_cast<std::size_t>(std::popcount(w));
    return n;
  }

  /// Keeps the rows also in `other` (same size).
  row_bitset& operator&=(const row_bitset& other) noexcept {
    for (std::size_t i = 0; i < words_.size(); ++i)
      words_[i] &= other.words_[i];
    return *this;
  }

  /// Removes the rows that are in `other` (same size).
  row_bitset& and_not(const row_bitset& other) noexcept {
    for (std::size_t i = 0; i < words_.size(); ++i)
      words_[i] &= ~other.words_[i];
    return *this;
  }

  /// Adds the rows of `other` (same size).
  row_bitset& operator|=(const row_bitset& other) noexcept {
    for (std::size_t i = 0; i < words_.size(); ++i)
      words_[i] |= other.words_[i];
    return *this;
  }

  /// Replaces the set by its complement within [0, size).
  void flip() noexcept {
    for (auto& w : words_)
      w = ~w;
    if (size_ % 64 != 0 && !words_.empty())
      words_.back() &= (uint64_t{1} << (size_ % 64)) - 1;
  }

  /// Calls f(row) for every row in the set, in increasing order.
  template <class F> void for_each(F&& f) const {
    for (std::size_t wi = 0; wi < words_.size(); ++wi) {
      auto w = words_[wi];
      while (w != 0) {
        f(wi * 64 + static_cast<std::size_t>(std::countr_zero(w)));
        w &= w - 1;
      }
    }
  }

  /// The raw words (bit i of word i/64 is row i).
  const std::vector<uint64_t>& words() const noexcept { return words_; }

private:
  std::vector<uint64_t> words_;
  std::size_t size_ = 0;
};

} // namespace cdpd::actors::segments::engine
