#include "apps/cdpd/json_log.hpp"

#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace cdpd::app {

namespace {

class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto since_epoch = msg.time.time_since_epoch();
    auto secs = duration_cast<seconds>(since_epoch);
    auto ms = duration_cast<milliseconds>(since_epoch - secs).count();
    std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[32];
    auto n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", static_cast<int>(ms));
    nlohmann::ordered_json line{
        {"ts", ts},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    // Invalid UTF-8 in a message must not throw out of the logger.
    auto text = line.dump(-1, ' ', false,
                          nlohmann::ordered_json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

} // namespace

void setup_json_logging(const std::string& level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::make_unique<json_formatter>());
  auto lvl = spdlog::level::from_str(level);
  for (const char* name : {"cdpd", "http", "storage", "actors"}) {
    spdlog::drop(name);
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::info);
    spdlog::register_logger(logger);
    if (std::string_view{name} == "cdpd")
      spdlog::set_default_logger(logger);
  }
  spdlog::set_level(lvl);
}

} // namespace cdpd::app
