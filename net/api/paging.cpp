#include "net/api/paging.hpp"

#include <algorithm>

#include "net/api/datetime_text.hpp"
#include "storage/segments/values.hpp"

namespace cdpd::net::api {

storage::page_request read_page(const http_request& request, issues& found) {
  storage::page_request page;
  if (auto skip = query_int(request, "skip", found))
    page.skip = std::max<int64_t>(*skip, 0);
  if (auto limit = query_int(request, "limit", found))
    page.limit =
        *limit < 0 ? max_page_limit : std::min<int64_t>(*limit, max_page_limit);
  if (auto cursor = query_string(request, "cursor");
      cursor && !cursor->empty()) {
    page.after = decode_cursor(*cursor);
    if (!page.after)
      found.add(nlohmann::json::array({"query", "cursor"}),
                "not a cursor returned in X-Next-Cursor", "value_error.cursor");
  }
  return page;
}

std::string encode_cursor(const storage::page_cursor& cursor) {
  return cursor.created_at + "~" + cursor.id;
}

std::optional<storage::page_cursor> decode_cursor(const std::string& text) {
  auto tilde = text.find('~');
  if (tilde == std::string::npos)
    return std::nullopt;
  auto created = parse_datetime(text.substr(0, tilde));
  auto id = text.substr(tilde + 1);
  if (!created || !storage::segments::is_uuid(id))
    return std::nullopt;
  return storage::page_cursor{*created, id};
}

} // namespace cdpd::net::api
