#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "net/api/validation.hpp"
#include "net/http/http_message.hpp"
#include "storage/repositories/outcome.hpp"

/// List paging on the wire. Lists take `skip` (default 0) and `limit`
/// (default 100, at most max_page_limit; larger or negative values are
/// clamped to it) as the prototype does, and `cursor`, the X-Next-Cursor
/// value of a previous page, which continues after that page's last row
/// without an OFFSET scan (skip then applies after the cursor). Responses
/// carry X-Total-Count (rows matching the filter, exact) and, when more rows
/// follow, X-Next-Cursor.
namespace cdpd::net::api {

/// The largest page a list returns.
inline constexpr int64_t max_page_limit = 1000;

/// Reads skip, limit and cursor; problems go to `found` (422).
storage::page_request read_page(const http_request& request, issues& found);

/// A cursor as sent in X-Next-Cursor: "<created_at>~<id>".
std::string encode_cursor(const storage::page_cursor& cursor);

/// Parses a cursor; nullopt when it is not one.
std::optional<storage::page_cursor> decode_cursor(const std::string& text);

/// Adds X-Total-Count and X-Next-Cursor to a list response.
template <class Page>
void add_page_headers(http_response& response, const Page& page) {
  response.headers.emplace_back("X-Total-Count", std::to_string(page.total));
  if (page.next_cursor)
    response.headers.emplace_back("X-Next-Cursor",
                                  encode_cursor(*page.next_cursor));
}

} // namespace cdpd::net::api
