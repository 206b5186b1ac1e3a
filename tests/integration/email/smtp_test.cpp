#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "config/settings.hpp"
#include "net/email/errc.hpp"
#include "net/email/provider.hpp"
#include "tests/integration/email/email_test_support.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"

namespace {

using namespace cdpd::net::email;
using cdpd::config::email_settings;
using namespace std::chrono_literals;
using cdpd::test::child_process;
using cdpd::test::parse_mail;
using cdpd::test::parsed_mail;
using cdpd::test::qp_decode;
using cdpd::test::sample_message;
using cdpd::test::temp_dir;
using cdpd::test::wait_until;
namespace fs = std::filesystem;

/// Debian's python3-aiosmtpd runs under the system interpreter.
constexpr const char* python = "/usr/bin/python3";

/// Largest message the test server accepts (RFC 1870 SIZE).
constexpr std::size_t server_size_limit = 100'000;

/// A real SMTP server (aiosmtpd) on loopback that stores every message it
/// accepts in a maildir.
class EmailSmtp : public ::testing::Test {
protected:
  void SetUp() override {
    port = cdpd::test::free_port();
    maildir = dir.path() + "/maildir";
    server = std::make_unique<child_process>(
        std::vector<std::string>{python, "-m", "aiosmtpd", "-n", "-l",
                                 "127.0.0.1:" + std::to_string(port), "-s",
                                 std::to_string(server_size_limit), "-c",
                                 "aiosmtpd.handlers.Mailbox", maildir});
    ASSERT_TRUE(wait_until([&] { return cdpd::test::port_accepts(port); }, 20s))
        << "aiosmtpd did not listen: " << server->output();
    settings.provider = "smtp";
    settings.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
    settings.timeout = 10s;
    auto made = make_provider(settings);
    ASSERT_TRUE(made) << describe(made.error());
    provider = std::move(*made);
  }

  void TearDown() override {
    if (server) {
      server->signal(SIGTERM);
      server->wait(5s);
    }
  }

  /// Messages in the maildir by Message-ID.
  std::map<std::string, parsed_mail> received() const {
    std::map<std::string, parsed_mail> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator{maildir + "/new", ec}) {
      std::ifstream in{entry.path(), std::ios::binary};
      std::ostringstream text;
      text << in.rdbuf();
      auto mail = parse_mail(text.str());
      found.emplace(mail.header("message-id"), std::move(mail));
    }
    return found;
  }

  temp_dir dir;
  uint16_t port = 0;
  std::string maildir;
  std::unique_ptr<child_process> server;
  email_settings settings;
  std::unique_ptr<email_provider> provider;
};

TEST_F(EmailSmtp, DeliversThreeMessagesWithHeadersAndBodies) {
  auto plain = sample_message("s1");
  auto html = sample_message("s2", "Zoë <zoe@example.org>");
  html.subject = "Grüße, Zoë";
  html.html_body = "<p>Hallo <b>Zoë</b></p>";
  auto extra = sample_message("s3", "carl@example.org");
  extra.unsubscribe_mailto = "unsubscribe@shop.example";
  extra.headers = {{"X-Campaign-ID", "42"}};
  extra.text_body = ".starts with a dot\n..and two\nend\n";
  std::vector<email_message> sent{plain, html, extra};
  for (const auto& msg : sent) {
    auto receipt = provider->send(msg);
    ASSERT_TRUE(receipt) << describe(receipt.error());
    EXPECT_EQ(receipt->provider, "smtp");
    EXPECT_EQ(receipt->message_id, *effective_message_id(msg));
    EXPECT_EQ(receipt->detail, "reply 250");
  }
  ASSERT_TRUE(wait_until([&] { return received().size() == 3; }, 10s))
      << received().size() << " messages stored; " << server->output();
  auto mails = received();
  for (const auto& msg : sent) {
    auto id = *effective_message_id(msg);
    ASSERT_EQ(mails.count(id), 1u) << id;
    const auto& mail = mails.at(id);
    auto recipient = *parse_mailbox(msg.to);
    EXPECT_EQ(mail.header("x-mailfrom"), "news@shop.example");
    EXPECT_EQ(mail.header("x-rcptto"), recipient.address);
    EXPECT_EQ(cdpd::test::decode_words(mail.header("subject")), msg.subject);
    EXPECT_EQ(mail.header("list-unsubscribe-post"),
              "List-Unsubscribe=One-Click");
    EXPECT_EQ(mail.header("list-unsubscribe"), list_unsubscribe_value(msg));
    EXPECT_EQ(mail.header("mime-version"), "1.0");
    EXPECT_FALSE(mail.header("date").empty());
  }
  const auto& first = mails.at(*effective_message_id(plain));
  EXPECT_EQ(qp_decode(first.body), "Hi there,\r\nthis is message s1.\r\n");
  const auto& second = mails.at(*effective_message_id(html));
  auto boundary = cdpd::test::boundary_of(second.header("content-type"));
  auto parts = cdpd::test::split_parts(second.body, boundary);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(qp_decode(parts[1].body), *html.html_body);
  const auto& third = mails.at(*effective_message_id(extra));
  EXPECT_EQ(third.header("x-campaign-id"), "42");
  EXPECT_EQ(qp_decode(third.body),
            ".starts with a dot\r\n..and two\r\nend\r\n");
}

TEST_F(EmailSmtp, OversizedMessageIsPermanent) {
  auto msg = sample_message("big");
  msg.text_body = std::string(2 * server_size_limit, 'x');
  auto receipt = provider->send(msg);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error(), errc::permanent);
  EXPECT_EQ(classify(receipt.error()), failure::permanent);
  EXPECT_NE(describe(receipt.error()).find("552"), std::string::npos)
      << describe(receipt.error());
}

/// An SMTP server that demands AUTH as user "mailer", password "s3cr:t"
/// (smtp_auth_server.py, aiosmtpd without TLS).
class EmailSmtpAuth : public ::testing::Test {
protected:
  void SetUp() override {
    port = cdpd::test::free_port();
    maildir = dir.path() + "/maildir";
    server = std::make_unique<child_process>(std::vector<std::string>{
        python, std::string{CDPD_EMAIL_TEST_DIR} + "/smtp_auth_server.py",
        std::to_string(port), "mailer", "s3cr:t", maildir});
    ASSERT_TRUE(wait_until([&] { return cdpd::test::port_accepts(port); }, 20s))
        << "smtp_auth_server.py did not listen: " << server->output();
  }

  void TearDown() override {
    if (server) {
      server->signal(SIGTERM);
      server->wait(5s);
    }
  }

  /// Sends one message through `smtp://<userinfo>127.0.0.1:port`.
  caf::expected<send_receipt> send_as(const std::string& userinfo) {
    email_settings settings;
    settings.provider = "smtp";
    settings.smtp_url =
        "smtp://" + userinfo + "127.0.0.1:" + std::to_string(port);
    auto provider = make_provider(settings);
    if (!provider)
      return provider.error();
    return (*provider)->send(sample_message("auth"));
  }

  std::size_t stored() const {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = fs::directory_iterator{maildir + "/new", ec};
         !ec && it != fs::directory_iterator{}; ++it)
      ++n;
    return n;
  }

  temp_dir dir;
  uint16_t port = 0;
  std::string maildir;
  std::unique_ptr<child_process> server;
};

TEST_F(EmailSmtpAuth, CredentialsFromTheUrlLogIn) {
  // ':' in the password is percent-encoded in the URL.
  auto receipt = send_as("mailer:s3cr%3At@");
  ASSERT_TRUE(receipt) << describe(receipt.error());
  EXPECT_TRUE(wait_until([&] { return stored() == 1; }, 10s));
}

TEST_F(EmailSmtpAuth, WrongPasswordIsPermanentAndNeverShown) {
  auto receipt = send_as("mailer:not-the-password@");
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::permanent);
  auto text = describe(receipt.error());
  EXPECT_NE(text.find("535"), std::string::npos) << text;
  EXPECT_EQ(text.find("not-the-password"), std::string::npos) << text;
  EXPECT_EQ(stored(), 0u);
}

TEST_F(EmailSmtpAuth, MissingCredentialsArePermanent) {
  auto receipt = send_as("");
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::permanent);
  EXPECT_NE(describe(receipt.error()).find("530"), std::string::npos)
      << describe(receipt.error());
}

TEST(EmailSmtpFailures, RefusedConnectionIsRetryableAndHidesThePassword) {
  email_settings settings;
  settings.provider = "smtp";
  // Nothing listens on a port that was just free.
  settings.smtp_url = "smtp://mailer:hunter2@127.0.0.1:" +
                      std::to_string(cdpd::test::free_port());
  auto provider = make_provider(settings);
  ASSERT_TRUE(provider);
  auto receipt = (*provider)->send(sample_message("refused"));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::retryable);
  auto text = describe(receipt.error());
  EXPECT_NE(text.find("127.0.0.1"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
}

TEST(EmailSmtpFailures, SilentServerTimesOutRetryable) {
  // A listening socket that never accepts: the TCP handshake completes in
  // the kernel, but no SMTP greeting ever comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  email_settings settings;
  settings.provider = "smtp";
  settings.smtp_url =
      "smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  settings.timeout = 300ms;
  auto provider = make_provider(settings);
  ASSERT_TRUE(provider);
  auto receipt = (*provider)->send(sample_message("silent"));
  ::close(fd);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::retryable)
      << describe(receipt.error());
}

} // namespace
