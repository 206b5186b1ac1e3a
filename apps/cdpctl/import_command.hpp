#pragma once

#include <string>

/// `cdpctl import`: uploads an NDJSON file to /api/import/<kind>.
namespace cdpd::ctl {

/// Where and how to reach cdpd.
struct connection_options {
  std::string url;   ///< base URL, e.g. http://127.0.0.1:8000
  std::string token; ///< bearer token; empty sends none
};

/// Uploads `path` ("-" for standard input) as `kind` ("customers" or
/// "orders"), showing progress on standard error and the server's summary
/// on standard output. Returns the exit code: 0 when every line was
/// imported, 3 when some lines were refused (they are listed), 1 when the
/// upload failed.
int run_import(const connection_options& to, const std::string& kind,
               const std::string& path);

} // namespace cdpd::ctl
