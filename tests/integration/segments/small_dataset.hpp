#pragma once

#include <memory>
#include <string>

#include "tests/integration/segments/segment_test_db.hpp"

namespace cdpd::test {

/// Five customers a..e with edge values (see small_dataset.cpp) and their
/// orders, shared read-only by every test of a suite.
struct small_dataset {
  /// Reference time of the dataset: 2024-06-15 12:00:00 UTC.
  static storage::segments::timestamp now();

  /// Builds the database and its rows.
  small_dataset();

  /// The letters (a..e, sorted) of the customers that `definition_json`
  /// selects at now(); "<error>" when it fails.
  std::string match(const std::string& definition_json);

  segment_test_db db;
  std::string electronics, books, toys; ///< product ids
  std::string a, b, c, d, e;            ///< customer ids
};

} // namespace cdpd::test
