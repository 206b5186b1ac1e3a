#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "storage/segments/definition.hpp"
#include "storage/segments/values.hpp"

// Generated customers, orders and segment definitions for the differential
// tests (the engine's and the shards'), and the SQL back end's answers to
// compare them with. One seed gives the same data and definitions.
namespace cdpd::test::generated {

/// Customers fill() makes unless told otherwise.
inline constexpr int customer_total = 10000;

/// The seed of this run: CDPD_ENGINE_SEED or 20261126.
std::uint64_t seed();

/// How many definitions to generate: CDPD_ENGINE_DEFINITIONS or `fallback`.
int definition_count(int fallback);

/// The instant the data is generated around (2026-06-15 12:34:56.789012
/// UTC): relative dates near it sit on the boundaries of relative cut-offs.
storage::segments::timestamp now_ts();

/// Seeded random choices.
class generator {
public:
  /// Draws from a std::mt19937_64 seeded with `seed`.
  explicit generator(std::uint64_t seed) : rng_(seed) {}

  /// A number in [lo, hi].
  int uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>{lo, hi}(rng_);
  }

  /// True with probability `p`.
  bool chance(double p) { return std::bernoulli_distribution{p}(rng_); }

  /// One element of a non-empty `v`.
  template <class T> const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(
        uniform(0, static_cast<int>(v.size()) - 1))];
  }

  /// A random lower-case UUID text.
  std::string uuid();

  /// A time (microseconds since the epoch) near now_ts(): on a boundary of
  /// a relative cut-off, in the future, at midnight, or spread over about
  /// two years before.
  std::int64_t time_near_now();

private:
  std::mt19937_64 rng_;
};

/// What fill() made that definitions draw their values from.
struct dataset {
  std::vector<std::string> product_ids;
  std::vector<std::string> emails, phones;
};

/// Writes 40 products and `customers` customers with up to 8 orders each
/// (nulls, empty strings, mixed case and non-ASCII text, boundary amounts
/// and times near now_ts()) into the migrated database of `conn`, in one
/// transaction, then ANALYZEs. Throws pqxx exceptions on failure.
dataset fill(pqxx::connection& conn, generator& g,
             int customers = customer_total);

/// Random definitions over a dataset: empty ones, the legacy flat form and
/// groups nested up to four deep with every operator, event conditions,
/// type mismatches and edge values (some the parser rejects).
class definition_maker {
public:
  /// Draws from `g`; values come from `d` (both must outlive the maker).
  definition_maker(generator& g, const dataset& d) : g_(g), d_(d) {}

  /// The next definition as JSON.
  nlohmann::json definition();

private:
  nlohmann::json group(int depth);
  nlohmann::json legacy();
  std::string mixed_case(std::string s);
  nlohmann::json string_value();
  nlohmann::json number_value();
  nlohmann::json date_value();
  nlohmann::json value_for(const std::string& type);
  nlohmann::json condition();
  nlohmann::json one_or_list(const std::vector<std::string>& pool);
  nlohmann::json event();

  generator& g_;
  const dataset& d_;
};

/// One question for sql_answers().
struct sql_question {
  const storage::segments::segment_definition* definition = nullptr;
  bool with_count = false; ///< also run count_members
};

/// The SQL back end's answer to one sql_question.
struct sql_answer {
  std::vector<std::string> ids; ///< every member, sorted
  std::int64_t count = -1;      ///< count_members, -1 when not asked
  std::string error;            ///< set when a query failed
  std::chrono::steady_clock::duration took{}; ///< of member_ids
};

/// Answers every question at `now` with member_ids (and count_members when
/// asked) over `connections` connections to `conninfo` at once (JIT and
/// parallel plans off: they slow thousands of short queries down and change
/// no answer). A failed query or connection sets the answer's error.
std::vector<sql_answer> sql_answers(const std::string& conninfo,
                                    const std::vector<sql_question>& questions,
                                    std::chrono::system_clock::time_point now,
                                    int connections = 4);

} // namespace cdpd::test::generated
