#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace cdpd::actors {

/// The "actors" logger, or the default one when the daemon has not set up
/// logging (tests).
inline std::shared_ptr<spdlog::logger> log() {
  auto named = spdlog::get("actors");
  return named ? named : spdlog::default_logger();
}

} // namespace cdpd::actors
