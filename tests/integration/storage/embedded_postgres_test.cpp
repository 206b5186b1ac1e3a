#include "storage/embedded_postgres.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/errc.hpp"

namespace cdpd::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A state folder directly under /tmp with mode 0755, so the `postgres`
/// user can reach it when the tests run as root; removed afterwards.
class EmbeddedPostgres : public ::testing::Test {
protected:
  void SetUp() override {
    state_dir_ = fs::path{"/tmp"} /
                 ("cdpd-embedded-test-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::random_device{}() % 1000000));
    ASSERT_EQ(::mkdir(state_dir_.c_str(), 0755), 0) << state_dir_;
    ASSERT_EQ(::chmod(state_dir_.c_str(), 0755), 0);
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(state_dir_, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  embedded_postgres_options options() const {
    embedded_postgres_options opts;
    opts.state_dir = state_dir_;
    opts.start_timeout = 60s;
    return opts;
  }

  fs::path state_dir_;
};

TEST_F(EmbeddedPostgres, KeepsDataAcrossRestarts) {
  pid_t first_pid = 0;
  {
    auto server = embedded_postgres::start(options());
    ASSERT_TRUE(server) << describe(server.error());
    auto& pg = **server;
    EXPECT_EQ(pg.data_dir(), state_dir_ / "postgres");
    EXPECT_EQ(pg.port(), 5432);
    EXPECT_TRUE(fs::exists(pg.data_dir() / ".s.PGSQL.5432"));
    EXPECT_TRUE(pg.running());
    pqxx::connection conn{pg.url()};
    pqxx::work tx{conn};
    tx.exec("CREATE TABLE survivors (name text)");
    tx.exec("INSERT INTO survivors VALUES ('row from the first run')");
    tx.commit();
    conn.disconnect();
    first_pid = pg.pid();
    EXPECT_TRUE(fs::exists(pg.data_dir() / "postmaster.pid"));
    pg.stop();
    EXPECT_FALSE(pg.running());
    errno = 0;
    EXPECT_EQ(::kill(first_pid, 0), -1) << "the postmaster must be gone";
    EXPECT_EQ(errno, ESRCH);
    EXPECT_FALSE(fs::exists(pg.data_dir() / "postmaster.pid"));
    EXPECT_TRUE(fs::exists(pg.data_dir() / "server.log"));
  }
  auto again = embedded_postgres::start(options());
  ASSERT_TRUE(again) << describe(again.error());
  EXPECT_NE((*again)->pid(), first_pid);
  {
    pqxx::connection conn{(*again)->url()};
    pqxx::work tx{conn};
    auto row = tx.exec1("SELECT name FROM survivors");
    EXPECT_EQ(row[0].as<std::string>(), "row from the first run");
  }
  auto pid = (*again)->pid();
  again->reset(); // the destructor stops the server too
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_FALSE(fs::exists(state_dir_ / "postgres" / "postmaster.pid"));
}

TEST_F(EmbeddedPostgres, UsesTheRequestedSocketNumber) {
  auto opts = options();
  opts.port = 25999;
  auto server = embedded_postgres::start(opts);
  ASSERT_TRUE(server) << describe(server.error());
  EXPECT_EQ((*server)->port(), 25999);
  EXPECT_TRUE(fs::exists((*server)->data_dir() / ".s.PGSQL.25999"));
  pqxx::connection conn{(*server)->url()};
  EXPECT_TRUE(conn.is_open());
}

TEST_F(EmbeddedPostgres, RefusesASecondServerOnTheSameData) {
  auto first = embedded_postgres::start(options());
  ASSERT_TRUE(first) << describe(first.error());
  auto second = embedded_postgres::start(options());
  ASSERT_FALSE(second) << "two servers on one data folder";
  EXPECT_TRUE(second.error() == errc::embedded_failed);
  EXPECT_NE(describe(second.error()).find("another PostgreSQL already runs"),
            std::string::npos)
      << describe(second.error());
  EXPECT_TRUE((*first)->running()) << "the first server must be unharmed";
  pqxx::connection conn{(*first)->url()};
  EXPECT_TRUE(conn.is_open());
}

TEST_F(EmbeddedPostgres, ExplainsAnUnreachableStateFolderWhenRoot) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "only root switches to the postgres user";
  auto locked = state_dir_ / "locked";
  ASSERT_EQ(::mkdir(locked.c_str(), 0700), 0);
  auto opts = options();
  opts.state_dir = locked / "state";
  ASSERT_EQ(::mkdir(opts.state_dir.c_str(), 0755), 0);
  auto server = embedded_postgres::start(opts);
  ASSERT_FALSE(server);
  EXPECT_TRUE(server.error() == errc::embedded_failed);
  auto text = describe(server.error());
  EXPECT_NE(text.find("postgres user cannot reach"), std::string::npos) << text;
  EXPECT_NE(text.find("state.dir=/var/lib/cdpd"), std::string::npos) << text;
}

TEST(EmbeddedPostgresOptions, NeedsAStateFolder) {
  auto server = embedded_postgres::start({});
  ASSERT_FALSE(server);
  EXPECT_TRUE(server.error() == errc::embedded_failed);
}

} // namespace
} // namespace cdpd::storage
