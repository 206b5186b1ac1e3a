#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "net/http/http_message.hpp"

/// A built single-page app held in memory and served for `http.static-dir`:
/// index.html for client routes, content types by extension, long-lived
/// caching for hashed build assets, strong ETags and 304s.
namespace cdpd::net {

class static_site {
public:
  /// Most bytes a site may hold; it is kept in memory whole.
  static constexpr std::size_t max_total_bytes = std::size_t{256} << 20;

  /// Value of Cache-Control for hashed build assets.
  static constexpr std::string_view immutable_cache =
      "public, max-age=31536000, immutable";

  /// Value of Cache-Control for every other file, index.html included.
  static constexpr std::string_view revalidate_cache = "no-cache";

  /// Content-Security-Policy of HTML pages: the app's own scripts, styles,
  /// images and API only. Inline styles stay allowed because component
  /// libraries set them; inline scripts do not.
  static constexpr std::string_view page_security_policy =
      "default-src 'self'; script-src 'self'; style-src 'self' "
      "'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
      "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
      "form-action 'self'; object-src 'none'";

  /// Reads every regular file below `dir` into memory. Files and folders
  /// whose name starts with '.' are skipped, and so are symbolic links that
  /// lead out of `dir` or to a folder. Fails (with a message naming
  /// `http.static-dir`, see describe()) when `dir` does not exist or is not
  /// a folder, holds no index.html, holds more than max_total_bytes or a
  /// file cannot be read.
  static caf::expected<std::shared_ptr<const static_site>>
  load(const std::string& dir);

  /// The one-line explanation carried by an error of load().
  static std::string describe(const caf::error& err);

  /// Answers a GET or HEAD request whose path matched no route (the server
  /// leaves out the body of HEAD): a file's bytes, index.html for a path
  /// without a file extension (a client route), 304 when If-None-Match
  /// names the file's ETag, and the server's JSON 404 for a missing file,
  /// a path under a server prefix (/api, /admin, /health, /metrics, /u,
  /// /t), a ".." segment or a NUL byte.
  http_response serve(const http_request& request) const;

  /// Number of files held.
  std::size_t file_count() const { return files_.size(); }

  /// Bytes held, summed over all files.
  std::size_t total_bytes() const { return total_bytes_; }

  /// Content type for a file name by its extension (case-insensitive);
  /// "application/octet-stream" for an unknown one.
  static std::string_view content_type_for(std::string_view name);

  /// True for a hashed build asset name such as "index-B3x9_kQz.js": a '-'
  /// followed by 8 or more of [A-Za-z0-9_-] right before the extension.
  static bool is_hashed_asset(std::string_view name);

private:
  struct file {
    std::string body;
    std::string_view content_type;
    std::string etag; ///< quoted, strong
    bool immutable = false;
  };

  static_site() = default;

  const file* find(const std::string& key) const;
  http_response respond(const file& f, const http_request& request) const;

  std::unordered_map<std::string, file> files_;
  std::size_t total_bytes_ = 0;
};

/// A handler for router::set_fallback that answers with site->serve().
handler static_site_handler(std::shared_ptr<const static_site> site);

} // namespace cdpd::net
