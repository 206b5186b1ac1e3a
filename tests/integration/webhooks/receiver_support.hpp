#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

/// webhook_receiver.py (a receiver on loopback that checks every signature
/// with Python's hmac and journals each arrival) for the webhook tests and
/// benchmark.
namespace cdpd::test {

/// One journal line.
struct receipt {
  std::string event; ///< deliver, stall, fail, bad, status, overlap
  std::string path;
  std::string id; ///< webhook-id
  std::string timestamp;
  double received_at = 0; ///< seconds since the epoch
  std::string signature;
};

/// The journal as written so far.
std::vector<receipt> read_receipts(const std::string& journal);

/// The receiver as a child process on `port`; secrets are read from
/// secrets_path() ("<path> <secret>" lines) on every request.
class webhook_receiver {
public:
  webhook_receiver(uint16_t port, std::string dir,
                   std::vector<std::string> args = {});
  ~webhook_receiver();

  /// Starts it and waits until it listens; throws when it does not.
  void start();
  void stop();

  /// Adds the secret of the endpoint at `path`.
  void add_secret(const std::string& path, const std::string& secret);

  std::string url(const std::string& path) const;
  uint16_t port() const { return port_; }
  const std::string& journal() const { return journal_; }
  std::vector<receipt> receipts() const { return read_receipts(journal_); }

private:
  uint16_t port_;
  std::string journal_;
  std::string secrets_;
  std::vector<std::string> args_;
  std::unique_ptr<child_process> process_;
};

/// A fresh temporary directory, removed with its files.
class scratch_dir {
public:
  scratch_dir();
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

/// True when something accepts TCP connections on 127.0.0.1:`port`.
bool listening(uint16_t port);

} // namespace cdpd::test
