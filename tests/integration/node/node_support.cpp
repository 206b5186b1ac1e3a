#include "tests/integration/node/node_support.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>

#include "tests/support/test_env.hpp"

namespace cdpd::test {

std::vector<std::filesystem::file_time_type>
outbox_write_times(const std::string& dir) {
  std::vector<std::filesystem::file_time_type> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".eml")
      out.push_back(e.last_write_time());
  return out;
}

std::string cdpd_binary() {
  return binary_dir() + "/apps/cdpd/cdpd";
}

temp_state_dir::temp_state_dir() {
  char tmpl[] = "/tmp/cdpd-node-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  // mkdtemp makes 0700; the embedded PostgreSQL runs as postgres.
  ::chmod(tmpl, 0755);
  path_ = tmpl;
}

temp_state_dir::~temp_state_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<child_process> start_cdpd(uint16_t port,
                                          std::vector<std::string> args,
                                          std::vector<std::string> env) {
  std::vector<std::string> argv{cdpd_binary(),
                                "--http.port=" + std::to_string(port)};
  // Most node tests are about other things than access: open every route
  // and lift the limits unless the test sets them itself.
  auto sets = [&](std::string_view key) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
      return a.rfind(key, 0) == 0;
    });
  };
  if (!sets("--auth.anonymous-role"))
    argv.push_back("--auth.anonymous-role=admin");
  if (!sets("--ratelimit.enabled"))
    argv.push_back("--ratelimit.enabled=false");
  // A generated first password would go to the state directory's file.
  if (!sets("--auth.bootstrap-password"))
    argv.push_back("--auth.bootstrap-password=node-tests-password");
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<child_process>(std::move(argv), std::move(env));
}

std::unique_ptr<storage::embedded_postgres>
start_postgres(const std::string& dir, uint16_t port) {
  storage::embedded_postgres_options options;
  options.state_dir = dir;
  options.port = port;
  auto pg = storage::embedded_postgres::start(options);
  if (!pg)
    return nullptr;
  return std::move(*pg);
}

std::unique_ptr<child_process> start_redis(uint16_t port) {
  return std::make_unique<child_process>(std::vector<std::string>{
      "/usr/bin/redis-server", "--port", std::to_string(port), "--bind",
      "127.0.0.1", "--save", "", "--appendonly", "no"});
}

int ready_status(uint16_t port) {
  try {
    return http_call(port, "GET", "/health/ready", {}, {},
                     std::chrono::milliseconds{5000})
        .status;
  } catch (const std::exception&) {
    return 0;
  }
}

bool wait_ready_status(uint16_t port, int status,
                       std::chrono::milliseconds timeout) {
  return wait_until([&] { return ready_status(port) == status; }, timeout);
}

} // namespace cdpd::test
