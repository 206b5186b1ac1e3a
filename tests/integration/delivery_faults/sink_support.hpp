#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/support/child_process.hpp"

/// flaky_sink.py (an email API on loopback that honours Idempotency-Key and
/// journals every arrival) for tests that send through cdpd's `http`
/// provider.
namespace cdpd::test {

/// What the sink's journal says, per idempotency key.
struct sink_journal {
  std::map<std::string, int> delivered; ///< deliveries per key (sink dedupes)
  std::map<std::string, std::set<std::string>> message_ids; ///< per key
  int duplicates = 0; ///< retries of a key the sink had already delivered
  int failures = 0;   ///< injected 500s
  int stalls = 0;     ///< deliveries whose answer came after the timeout
  size_t total_delivered() const { return delivered.size(); }
};

sink_journal read_sink_journal(const std::string& path);

/// The sink as a child process; stopping and starting it again keeps its
/// journal (and so its deduplication).
class email_sink {
public:
  /// `args` go to flaky_sink.py (--fail, --slow, --delay, ...).
  email_sink(uint16_t port, std::string journal_path,
             std::vector<std::string> args);

  /// Starts it and waits until it listens; fails the test when it does not.
  void start();

  void stop();

  /// The send endpoint, for --email.http-url.
  std::string url() const;

  sink_journal read() const { return read_sink_journal(journal_); }

private:
  uint16_t port_;
  std::string journal_;
  std::vector<std::string> args_;
  std::unique_ptr<child_process> process_;
};

} // namespace cdpd::test
