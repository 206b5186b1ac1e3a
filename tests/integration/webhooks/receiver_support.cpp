#include "tests/integration/webhooks/receiver_support.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace cdpd::test {

namespace {

using namespace std::chrono_literals;

std::string receiver_script() {
  return std::string{CDPD_SOURCE_DIR} +
         "/tests/integration/webhooks/webhook_receiver.py";
}

} // namespace

std::vector<receipt> read_receipts(const std::string& journal) {
  std::vector<receipt> out;
  std::ifstream in{journal};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words{line};
    receipt r;
    words >> r.event >> r.path >> r.id >> r.timestamp >> r.received_at >>
        r.signature;
    if (!r.event.empty())
      out.push_back(std::move(r));
  }
  return out;
}

webhook_receiver::webhook_receiver(uint16_t port, std::string dir,
                                   std::vector<std::string> args)
    : port_(port), journal_(dir + "/journal-" + std::to_string(port)),
      secrets_(dir + "/secrets-" + std::to_string(port)),
      args_(std::move(args)) {
  std::ofstream{secrets_, std::ios::app};
}

webhook_receiver::~webhook_receiver() {
  stop();
}

void webhook_receiver::start() {
  std::vector<std::string> argv{
      "/usr/bin/python3", receiver_script(), "--port=" + std::to_string(port_),
      "--journal=" + journal_, "--secrets=" + secrets_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  process_ = std::make_unique<child_process>(argv);
  if (!wait_until([&] { return listening(port_); }, 20s))
    throw std::runtime_error("the receiver did not listen: " +
                             process_->output());
}

void webhook_receiver::stop() {
  if (!process_)
    return;
  process_->signal(SIGKILL);
  process_->wait(10s);
  process_.reset();
}

void webhook_receiver::add_secret(const std::string& path,
                                  const std::string& secret) {
  std::ofstream out{secrets_, std::ios::app};
  out << path << ' ' << secret << '\n';
}

std::string webhook_receiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

scratch_dir::scratch_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "cdpd-hooks-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool listening(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

} // namespace cdpd::test
