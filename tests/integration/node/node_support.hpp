#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "storage/embedded_postgres.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http_client.hpp"

/// Running the cdpd daemon from tests.
namespace cdpd::test {

/// Write times of the messages (.eml files) the outbox provider left in
/// `dir`; none when it does not exist.
std::vector<std::filesystem::file_time_type>
outbox_write_times(const std::string& dir);

/// Path of the cdpd binary in the build tree.
std::string cdpd_binary();

/// A fresh directory under /tmp that the postgres user can reach; removed
/// (with everything in it) by the destructor.
class temp_state_dir {
public:
  temp_state_dir();
  ~temp_state_dir();
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

/// Starts cdpd with `args` plus `--http.port=<port>`, and, unless `args`
/// set them, `--auth.anonymous-role=admin --ratelimit.enabled=false`.
std::unique_ptr<child_process> start_cdpd(uint16_t port,
                                          std::vector<std::string> args,
                                          std::vector<std::string> env = {});

/// Status of GET /health/ready, or 0 when nothing answers.
int ready_status(uint16_t port);

/// A private PostgreSQL with its data under `dir` (port: its socket number),
/// or null when it cannot start.
std::unique_ptr<storage::embedded_postgres>
start_postgres(const std::string& dir, uint16_t port = 0);

/// A private redis-server on 127.0.0.1:`port`, without persistence.
std::unique_ptr<child_process> start_redis(uint16_t port);

/// Waits until /health/ready answers `status`.
bool wait_ready_status(uint16_t port, int status,
                       std::chrono::milliseconds timeout);

} // namespace cdpd::test
