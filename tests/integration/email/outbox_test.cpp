#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "config/settings.hpp"
#include "net/email/errc.hpp"
#include "net/email/outbox_provider.hpp"
#include "net/email/provider.hpp"
#include "tests/integration/email/email_test_support.hpp"

namespace {

using namespace cdpd::net::email;
using cdpd::config::email_settings;
using cdpd::test::parse_mail;
using cdpd::test::sample_message;
using cdpd::test::temp_dir;
namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> files_in(const std::string& dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator{dir})
    found.push_back(entry.path());
  return found;
}

class EmailOutbox : public ::testing::Test {
protected:
  EmailOutbox() {
    settings.provider = "outbox";
    settings.outbox_dir = dir.path() + "/outbox/nested";
    auto made = make_provider(settings);
    if (!made)
      throw std::runtime_error(describe(made.error()));
    provider = std::move(*made);
  }

  temp_dir dir;
  email_settings settings;
  std::unique_ptr<email_provider> provider;
};

TEST_F(EmailOutbox, WritesOneEmlFileNamedByMessageId) {
  auto first = sample_message("o1");
  auto second = sample_message("o2", "bob@example.org");
  second.html_body = "<p>Hi Bob</p>";
  auto r1 = provider->send(first);
  auto r2 = provider->send(second);
  ASSERT_TRUE(r1) << describe(r1.error());
  ASSERT_TRUE(r2) << describe(r2.error());
  EXPECT_EQ(provider->name(), "outbox");
  EXPECT_EQ(r1->provider, "outbox");
  EXPECT_TRUE(r1->first_delivery);
  auto id1 = *effective_message_id(first);
  EXPECT_EQ(r1->message_id, id1);
  auto path =
      fs::path{settings.outbox_dir} / (id1.substr(1, id1.size() - 2) + ".eml");
  EXPECT_EQ(r1->detail, path.string());
  ASSERT_TRUE(fs::exists(path));
  auto mail = parse_mail(read_file(path));
  EXPECT_EQ(mail.header("message-id"), id1);
  EXPECT_EQ(mail.header("to"), "Ada Lovelace <ada@example.org>");
  EXPECT_EQ(mail.header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  auto files = files_in(settings.outbox_dir);
  EXPECT_EQ(files.size(), 2u) << "no temporary files may remain";
  for (const auto& f : files)
    EXPECT_EQ(f.extension(), ".eml") << f;
}

TEST_F(EmailOutbox, SendingTheSameMessageTwiceWritesItOnce) {
  auto msg = sample_message("again");
  auto first = provider->send(msg);
  ASSERT_TRUE(first);
  auto before = read_file(first->detail);
  auto second = provider->send(msg);
  ASSERT_TRUE(second) << describe(second.error());
  EXPECT_FALSE(second->first_delivery);
  EXPECT_EQ(second->detail, first->detail);
  EXPECT_EQ(read_file(first->detail), before);
  EXPECT_EQ(files_in(settings.outbox_dir).size(), 1u);
}

TEST_F(EmailOutbox, ConcurrentSendsOfOneMessagePlaceExactlyOneFile) {
  auto msg = sample_message("race");
  std::atomic<int> first_deliveries{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto receipt = provider->send(msg);
      if (!receipt)
        ++failures;
      else if (receipt->first_delivery)
        ++first_deliveries;
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(first_deliveries.load(), 1);
  EXPECT_EQ(files_in(settings.outbox_dir).size(), 1u);
}

TEST_F(EmailOutbox, InvalidMessagesWriteNothing) {
  auto msg = sample_message("bad");
  msg.subject = "x\r\nBcc: victim@example.org";
  auto receipt = provider->send(msg);
  ASSERT_FALSE(receipt);
  EXPECT_EQ(receipt.error(), errc::invalid_message);
  EXPECT_EQ(classify(receipt.error()), failure::permanent);
  EXPECT_TRUE(files_in(settings.outbox_dir).empty());
}

TEST_F(EmailOutbox, UnwritableFolderIsRetryable) {
  outbox_provider broken{dir.path() + "/missing"};
  auto receipt = broken.send(sample_message("nowhere"));
  ASSERT_FALSE(receipt);
  EXPECT_EQ(classify(receipt.error()), failure::retryable);
  EXPECT_NE(describe(receipt.error()).find("missing"), std::string::npos);
}

} // namespace
