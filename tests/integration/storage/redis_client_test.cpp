#include "storage/redis_client.hpp"

#include <unistd.h>

#include <csignal>
#include <memory>

#include <gtest/gtest.h>

#include "storage/errc.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/test_env.hpp"

namespace cdpd::storage {
namespace {

using namespace std::chrono_literals;

constexpr auto client_timeout = 5000ms;
constexpr auto server_start_deadline = 10s;

/// Keys of this test process, deleted when the test ends.
class SharedRedis : public ::testing::Test {
protected:
  SharedRedis()
      : client_({"127.0.0.1", test::redis_port(), "", "", 0}, client_timeout) {}

  void TearDown() override {
    for (const auto& key : keys_)
      client_.command({"DEL", key});
  }

  std::string key(const std::string& suffix) {
    keys_.push_back("cdpd:test:" + std::to_string(::getpid()) + ":" + suffix);
    return keys_.back();
  }

  redis_client client_;
  std::vector<std::string> keys_;
};

/// A redis-server of our own on a free port, for failure tests.
class OwnRedis {
public:
  explicit OwnRedis(uint16_t port, std::vector<std::string> extra = {})
      : port_(port) {
    std::vector<std::string> argv{"/usr/bin/redis-server",
                                  "--port",
                                  std::to_string(port),
                                  "--bind",
                                  "127.0.0.1",
                                  "--save",
                                  "",
                                  "--appendonly",
                                  "no"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<test::child_process>(argv);
  }

  /// Kills the server (SIGKILL) and waits for it to be gone.
  void kill() {
    process_->signal(SIGKILL);
    ASSERT_TRUE(process_->wait(10s)) << "redis-server did not die";
  }

  std::string output() const { return process_->output(); }

private:
  uint16_t port_;
  std::unique_ptr<test::child_process> process_;
};

bool answers_ping(redis_client& client) {
  auto pong = client.ping();
  return pong && *pong == "PONG";
}

TEST_F(SharedRedis, PingAndBasicCommands) {
  auto pong = client_.ping();
  ASSERT_TRUE(pong) << describe(pong.error());
  EXPECT_EQ(*pong, "PONG");
  EXPECT_TRUE(client_.connected());
  auto k = key("value");
  auto set = client_.command({"SET", k, "hello"});
  ASSERT_TRUE(set) << describe(set.error());
  EXPECT_EQ(*set, redis_reply::status("OK"));
  auto get = client_.command({"GET", k});
  ASSERT_TRUE(get) << describe(get.error());
  EXPECT_EQ(*get, redis_reply::string("hello"));
  auto missing = client_.command({"GET", key("missing")});
  ASSERT_TRUE(missing);
  EXPECT_TRUE(missing->is_nil());
  auto counter = key("counter");
  auto incr = client_.command({"INCRBY", counter, "41"});
  ASSERT_TRUE(incr);
  EXPECT_EQ(*incr, redis_reply::number(41));
}

TEST_F(SharedRedis, ArgumentsAreBinarySafe) {
  auto k = key("binary");
  std::string value{"a\0b\r\n\xff", 6};
  ASSERT_TRUE(client_.command({"SET", k, value}));
  auto get = client_.command({"GET", k});
  ASSERT_TRUE(get) << describe(get.error());
  EXPECT_EQ(get->str, value);
  EXPECT_EQ(get->str.size(), 6u);
}

TEST_F(SharedRedis, ArraysAndErrorReplies) {
  auto list = key("list");
  ASSERT_TRUE(client_.command({"RPUSH", list, "a", "b", "c"}));
  auto range = client_.command({"LRANGE", list, "0", "-1"});
  ASSERT_TRUE(range) << describe(range.error());
  EXPECT_EQ(*range, redis_reply::array({redis_reply::string("a"),
                                        redis_reply::string("b"),
                                        redis_reply::string("c")}));
  auto wrong = client_.command({"INCR", list});
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error() == errc::redis_error);
  EXPECT_NE(describe(wrong.error()).find("WRONGTYPE"), std::string::npos)
      << describe(wrong.error());
  EXPECT_TRUE(client_.connected()) << "an error reply keeps the connection";
  EXPECT_TRUE(answers_ping(client_));
  auto empty = client_.command({});
  ASSERT_FALSE(empty);
  EXPECT_TRUE(empty.error() == errc::redis_error);
}

TEST(RedisClient, UnreachableServerFailsFastWithinTheBackOff) {
  auto port = test::free_port();
  redis_client client{{"127.0.0.1", port, "", "", 0}, client_timeout};
  auto first = client.ping();
  ASSERT_FALSE(first);
  EXPECT_TRUE(first.error() == errc::redis_unavailable);
  EXPECT_NE(describe(first.error()).find("127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << describe(first.error());
  EXPECT_FALSE(client.connected());
  auto second = client.ping();
  ASSERT_FALSE(second);
  EXPECT_TRUE(second.error() == errc::redis_unavailable);
}

TEST(RedisClient, ReconnectsAfterTheServerComesBack) {
  auto port = test::free_port();
  redis_client client{{"127.0.0.1", port, "", "", 0}, client_timeout};
  {
    OwnRedis server{port};
    ASSERT_TRUE(test::wait_until([&] { return answers_ping(client); },
                                 server_start_deadline))
        << server.output();
    ASSERT_TRUE(client.connected());
    server.kill();
    auto start = std::chrono::steady_clock::now();
    auto down = client.ping();
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(down);
    EXPECT_TRUE(down.error() == errc::redis_unavailable)
        << describe(down.error());
    EXPECT_LT(elapsed, client_timeout) << "a dead server must not cost the "
                                          "full timeout";
    EXPECT_FALSE(client.connected());
  }
  OwnRedis restarted{port};
  ASSERT_TRUE(test::wait_until([&] { return answers_ping(client); },
                               server_start_deadline))
      << restarted.output();
  EXPECT_TRUE(client.connected());
}

TEST(RedisClient, AuthenticatesAndSelectsTheDatabase) {
  auto port = test::free_port();
  OwnRedis server{port, {"--requirepass", "s3cret"}};
  redis_client client{{"127.0.0.1", port, "", "s3cret", 3}, client_timeout};
  ASSERT_TRUE(test::wait_until([&] { return answers_ping(client); },
                               server_start_deadline))
      << server.output();
  ASSERT_TRUE(client.command({"SET", "where", "db3"}));
  redis_client db0{{"127.0.0.1", port, "", "s3cret", 0}, client_timeout};
  auto in_db0 = db0.command({"GET", "where"});
  ASSERT_TRUE(in_db0) << describe(in_db0.error());
  EXPECT_TRUE(in_db0->is_nil());
  auto in_db3 = client.command({"GET", "where"});
  ASSERT_TRUE(in_db3);
  EXPECT_EQ(in_db3->str, "db3");

  redis_client wrong{{"127.0.0.1", port, "", "nope", 0}, client_timeout};
  auto refused = wrong.ping();
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error() == errc::redis_error)
      << describe(refused.error());
  EXPECT_NE(describe(refused.error()).find("AUTH refused"), std::string::npos)
      << describe(refused.error());
  EXPECT_FALSE(wrong.connected());
}

} // namespace
} // namespace cdpd::storage
