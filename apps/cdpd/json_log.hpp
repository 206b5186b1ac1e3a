#pragma once

#include <string>

/// Logging for the daemon: one JSON object per line on stderr,
/// `{"ts":"2026-01-01T00:00:00.000Z","level":"info","logger":"cdpd","msg":"..."}`.
namespace cdpd::app {

/// Installs the JSON sink for the loggers "cdpd" (default), "http",
/// "storage" and "actors" at `level` (trace|debug|info|warn|error|off).
void setup_json_logging(const std::string& level);

} // namespace cdpd::app
