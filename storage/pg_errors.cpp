#include "storage/pg_errors.hpp"

#include <pqxx/except>

#include "storage/errc.hpp"
#include "storage/pg_conninfo.hpp"

namespace cdpd::storage::internal {

namespace {

constexpr std::size_t max_query_chars = 200;

bool is_connection_sqlstate(const std::string& state) {
  return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
         state == "57P03";
}

std::string query_excerpt(const std::string& query) {
  auto text = one_line(query);
  if (text.size() > max_query_chars)
    text = text.substr(0, max_query_chars) + "...";
  return text;
}

} // namespace

std::string one_line(std::string text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

pg_failure translate_pg_exception(std::exception_ptr ex) {
  try {
    std::rethrow_exception(ex);
  } catch (const pqxx::broken_connection& e) {
    return {make_error(errc::connection_lost,
                       "lost the PostgreSQL connection: " + one_line(e.what())),
            true};
  } catch (const pqxx::in_doubt_error& e) {
    return {make_error(errc::connection_lost,
                       "lost the PostgreSQL connection while committing; the "
                       "transaction may or may not have been applied: " +
                           one_line(e.what())),
            true};
  } catch (const pqxx::sql_error& e) {
    const auto& state = e.sqlstate();
    if (state == "57014")
      return {
          make_error(errc::statement_timeout,
                     "PostgreSQL cancelled the statement (SQLSTATE 57014): " +
                         one_line(e.what())),
          false};
    if (is_connection_sqlstate(state))
      return {make_error(errc::connection_lost,
                         "lost the PostgreSQL connection (SQLSTATE " + state +
                             "): " + one_line(e.what())),
              true};
    std::string text = "query failed";
    if (!state.empty())
      text += " (SQLSTATE " + state + ")";
    text += ": " + one_line(e.what());
    if (!e.query().empty())
      text += " [query: " + query_excerpt(e.query()) + "]";
    return {make_error(errc::query_failed, std::move(text)), false};
  } catch (const std::exception& e) {
    return {make_error(errc::query_failed,
                       std::string{"query failed: "} + one_line(e.what())),
            false};
  } catch (...) {
    return {make_error(errc::query_failed,
                       "query failed with an unknown exception"),
            false};
  }
}

caf::error translate_connect_exception(std::exception_ptr ex,
                                       const std::string& conninfo) {
  std::string reason;
  try {
    std::rethrow_exception(ex);
  } catch (const std::exception& e) {
    reason = one_line(e.what());
  } catch (...) {
    reason = "unknown error";
  }
  return make_error(errc::connection_failed,
                    "cannot connect to PostgreSQL at " +
                        describe_pg_target(conninfo) + ": " + reason +
                        "; check postgres.url");
}

} // namespace cdpd::storage::internal
