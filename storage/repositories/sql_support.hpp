#pragma once

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <caf/expected.hpp>
#include <pqxx/connection>
#include <pqxx/field>
#include <pqxx/transaction>

#include "storage/pg_errors.hpp"
#include "storage/repositories/outcome.hpp"
#include "storage/segments/values.hpp"

/// Helpers the repositories share: statement preparation, parameter and
/// column conversions, and running a function in one transaction with
/// driver errors translated.
namespace cdpd::storage::internal {

/// Registers a named statement on the connection (a no-op when it is
/// already registered with the same text); libpqxx prepares it on the
/// server at first use and again after a reconnect.
void prepare(pqxx::connection& conn, const char* name, const char* sql);

/// A PostgreSQL array literal ("{a,b}") of `f(item)` for each item that
/// `keep` accepts; the items must already be validated (nothing is quoted).
template <class Range, class F, class Keep>
std::string array_literal(const Range& items, F f, Keep keep) {
  std::string out = "{";
  for (const auto& item : items) {
    if (!keep(item))
      continue;
    if (out.size() > 1)
      out += ',';
    out += f(item);
  }
  return out + "}";
}

/// The same for every item.
template <class Range, class F>
std::string array_literal(const Range& items, F f) {
  return array_literal(items, f, [](const auto&) { return true; });
}

/// A parameter that is NULL when the optional is empty.
inline const char* param(const std::optional<std::string>& value) {
  return value ? value->c_str() : nullptr;
}

/// "1" or "0" for a boolean parameter (cast with ::boolean in SQL).
inline const char* param(bool value) {
  return value ? "true" : "false";
}

/// `sql` with every `name` (a placeholder such as "$C") replaced by `$n`,
/// for statements whose parameters are numbered as they are added.
std::string bind_name(std::string sql, const std::string& name, size_t n);

/// True when `text` is a UUID in its canonical 8-4-4-4-12 hex form; ids
/// that are not never match a row, so callers skip the query for them.
using segments::is_uuid;

/// A timestamp column (PostgreSQL text form "YYYY-MM-DD HH:MM:SS[.f]") as
/// the API's naive ISO form "YYYY-MM-DDTHH:MM:SS[.ffffff]"; the fraction is
/// left out when it is zero and padded to six digits otherwise.
std::string iso_timestamp(std::string_view pg_text);

/// A nullable text column.
std::optional<std::string> optional_text(const pqxx::field& f);

/// A nullable timestamp column in ISO form.
std::optional<std::string> optional_timestamp(const pqxx::field& f);

/// Runs `fn(pqxx::work&)` in one transaction and commits it. Every
/// exception becomes the matching storage error (see pg_errors.hpp).
template <class F>
auto in_transaction(pqxx::connection& conn, const char* name, F&& fn)
    -> caf::expected<std::invoke_result_t<F&, pqxx::work&>> {
  try {
    pqxx::work tx{conn, name};
    auto result = fn(tx);
    tx.commit();
    return result;
  } catch (...) {
    return translate_pg_exception(std::current_exception()).error;
  }
}

} // namespace cdpd::storage::internal
