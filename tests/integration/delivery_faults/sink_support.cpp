#include "tests/integration/delivery_faults/sink_support.hpp"

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/integration/email/email_test_support.hpp"

namespace cdpd::test {

namespace {

using namespace std::chrono_literals;

/// Debian's python3 runs the sink; the script sits next to this file.
constexpr const char* python = "/usr/bin/python3";

std::string sink_script() {
  return std::string{CDPD_SOURCE_DIR} +
         "/tests/integration/delivery_faults/flaky_sink.py";
}

} // namespace

sink_journal read_sink_journal(const std::string& path) {
  sink_journal j;
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words{line};
    std::string event, key, to, message_id;
    words >> event >> key >> to >> message_id;
    j.message_ids[key].insert(message_id);
    if (event == "deliver")
      ++j.delivered[key];
    else if (event == "dup")
      ++j.duplicates;
    else if (event == "fail")
      ++j.failures;
    else if (event == "stall")
      ++j.stalls;
  }
  return j;
}

email_sink::email_sink(uint16_t port, std::string journal_path,
                       std::vector<std::string> args)
    : port_(port), journal_(std::move(journal_path)), args_(std::move(args)) {}

void email_sink::start() {
  std::vector<std::string> argv{python, sink_script(),
                                "--port=" + std::to_string(port_),
                                "--journal=" + journal_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  process_ = std::make_unique<child_process>(argv);
  ASSERT_TRUE(wait_until([&] { return port_accepts(port_); }, 20s))
      << "the sink did not listen: " << process_->output();
}

void email_sink::stop() {
  if (!process_)
    return;
  process_->signal(SIGKILL);
  process_->wait(10s);
  process_.reset();
}

std::string email_sink::url() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v3/mail/send";
}

} // namespace cdpd::test
