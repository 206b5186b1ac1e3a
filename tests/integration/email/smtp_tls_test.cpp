// A man in the middle who strips the STARTTLS offer must not get the SMTP
// credentials or the messages: off loopback, smtp:// requires TLS.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "config/settings.hpp"
#include "net/email/errc.hpp"
#include "net/email/provider.hpp"
#include "tests/integration/email/email_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace cdpd::net::email;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

/// The first IPv4 address of this host that is not loopback, or empty.
std::string non_loopback_ipv4() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0)
    return {};
  std::string found;
  for (auto* a = all; a && found.empty(); a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
      continue;
    auto addr = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr;
    if ((ntohl(addr.s_addr) >> 24) == 127)
      continue;
    char text[INET_ADDRSTRLEN];
    found = ::inet_ntop(AF_INET, &addr, text, sizeof text);
  }
  ::freeifaddrs(all);
  return found;
}

bool accepts(const std::string& ip, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

TEST(EmailSmtpTls, AServerWithoutStarttlsOffLoopbackGetsNothing) {
  auto ip = non_loopback_ipv4();
  if (ip.empty())
    GTEST_SKIP() << "this host has no address besides loopback";
  cdpd::test::temp_dir dir;
  auto port = cdpd::test::free_port();
  auto maildir = dir.path() + "/maildir";
  // aiosmtpd offers no STARTTLS: what a downgrading attacker shows.
  cdpd::test::child_process server{
      std::vector<std::string>{"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l",
                               ip + ":" + std::to_string(port), "-c",
                               "aiosmtpd.handlers.Mailbox", maildir}};
  ASSERT_TRUE(cdpd::test::wait_until([&] { return accepts(ip, port); }, 20s))
      << server.output();
  cdpd::config::email_settings settings;
  settings.provider = "smtp";
  settings.smtp_url =
      "smtp://mailer:hunter2@" + ip + ":" + std::to_string(port);
  settings.timeout = 10s;
  auto provider = make_provider(settings);
  ASSERT_TRUE(provider) << describe(provider.error());
  auto refused = (*provider)->send(cdpd::test::sample_message("tls"));
  ASSERT_FALSE(refused) << "sent in clear text to " << ip;
  EXPECT_TRUE(refused.error() == errc::retryable);
  auto text = describe(refused.error());
  EXPECT_NE(text.find("STARTTLS"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(maildir + "/new", ec) || ec) << "a message arrived";

  settings.smtp_url = "smtp://" + ip + ":" + std::to_string(port);
  settings.smtp_allow_plaintext = true;
  auto allowed = make_provider(settings);
  ASSERT_TRUE(allowed);
  auto sent = (*allowed)->send(cdpd::test::sample_message("clear"));
  EXPECT_TRUE(sent) << describe(sent.error());
  server.signal(SIGTERM);
  server.wait(5s);
}

} // namespace
