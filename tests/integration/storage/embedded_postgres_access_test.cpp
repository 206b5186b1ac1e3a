// Attacks on the embedded PostgreSQL: a local process that scans loopback
// ports or finds the socket must get nothing without the password file, and
// cdpd's own role must not be able to do what only a superuser can.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <pqxx/pqxx>

#include "storage/embedded_postgres.hpp"
#include "storage/errc.hpp"
#include "storage/migrations.hpp"
#include "tests/support/free_port.hpp"

namespace cdpd::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class EmbeddedPostgresAccess : public ::testing::Test {
protected:
  void SetUp() override {
    state_dir_ = fs::path{"/tmp"} /
                 ("cdpd-embedded-access-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::random_device{}() % 1000000));
    ASSERT_EQ(::mkdir(state_dir_.c_str(), 0755), 0) << state_dir_;
    ASSERT_EQ(::chmod(state_dir_.c_str(), 0755), 0);
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(state_dir_, ec);
  }

  std::unique_ptr<embedded_postgres> start() {
    embedded_postgres_options opts;
    opts.state_dir = state_dir_;
    opts.port = port_;
    opts.start_timeout = 60s;
    auto server = embedded_postgres::start(opts);
    EXPECT_TRUE(server) << describe(server.error());
    return server ? std::move(*server) : nullptr;
  }

  /// What an attacker without the password file would try.
  void expect_no_way_in_without_password(const embedded_postgres& pg) {
    auto socket = "host=" + pg.data_dir().string() +
                  " port=" + std::to_string(pg.port()) +
                  " passfile=/nonexistent/pgpass connect_timeout=2";
    for (const char* user : {"postgres", "cdpd"}) {
      EXPECT_THROW(
          pqxx::connection(socket + " dbname=cdpd user=" + std::string{user}),
          pqxx::broken_connection)
          << user << " got in through the socket without a password";
      EXPECT_THROW(
          pqxx::connection(
              "host=127.0.0.1 port=" + std::to_string(pg.port()) +
              " dbname=cdpd connect_timeout=2 user=" + std::string{user}),
          pqxx::broken_connection)
          << user << " got in over TCP";
    }
  }

  fs::path state_dir_;
  uint16_t port_ = cdpd::test::free_port();
};

// One server for both, as each start costs an initdb.
TEST_F(EmbeddedPostgresAccess, NoTcpNoPasswordlessLoginAndNoSuperuserForCdpd) {
  auto pg = start();
  ASSERT_TRUE(pg);
  expect_no_way_in_without_password(*pg);
  struct stat st {};
  ASSERT_EQ(::stat((state_dir_ / "postgres.pgpass").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(pg->url().find("password="), std::string::npos) << pg->url();
  pqxx::connection conn{pg->url()};
  {
    pqxx::nontransaction tx{conn};
    EXPECT_EQ(tx.exec1("SHOW listen_addresses")[0].as<std::string>(), "");
    auto row = tx.exec1("SELECT current_user, r.rolsuper, "
                        "pg_get_userbyid(d.datdba) FROM pg_roles r, "
                        "pg_database d WHERE r.rolname = current_user "
                        "AND d.datname = current_database()");
    EXPECT_EQ(row[0].as<std::string>(), "cdpd");
    EXPECT_FALSE(row[1].as<bool>());
    EXPECT_EQ(row[2].as<std::string>(), "cdpd");
    // What a superuser could do with the database's account.
    EXPECT_THROW(tx.exec("COPY (SELECT 1) TO PROGRAM 'true'"),
                 pqxx::insufficient_privilege);
    EXPECT_THROW(tx.exec("SELECT pg_read_file('postgresql.conf')"),
                 pqxx::insufficient_privilege);
  }
  auto report = migrate(conn, embedded_migrations());
  ASSERT_TRUE(report) << describe(report.error());
  EXPECT_FALSE(report->applied.empty());
}

TEST_F(EmbeddedPostgresAccess, UpgradesATrustDataFolderInPlace) {
  auto pg = start();
  ASSERT_TRUE(pg);
  // Make the folder what earlier versions left: everything owned by the
  // passwordless superuser, no cdpd role, trust for everyone.
  {
    pqxx::connection conn{pg->superuser_url() + " dbname=cdpd"};
    ASSERT_TRUE(migrate(conn, embedded_migrations()));
    pqxx::nontransaction tx{conn};
    tx.exec("CREATE TABLE legacy (id serial PRIMARY KEY, v text)");
    tx.exec("INSERT INTO legacy (v) VALUES ('kept')");
    tx.exec("CREATE TYPE legacy_mood AS ENUM ('ok')");
    tx.exec("CREATE VIEW legacy_view AS SELECT v FROM legacy");
    tx.exec("REASSIGN OWNED BY cdpd TO postgres");
    tx.exec("DROP OWNED BY cdpd");
  }
  {
    pqxx::connection conn{pg->superuser_url()};
    pqxx::nontransaction tx{conn};
    tx.exec("DROP ROLE cdpd");
    tx.exec("ALTER ROLE postgres PASSWORD NULL");
  }
  pg->stop();
  fs::remove(state_dir_ / "postgres.pgpass");
  std::ofstream{pg->data_dir() / "pg_hba.conf", std::ios::trunc}
      << "local all all trust\nhost all all 127.0.0.1/32 trust\n";
  pg.reset();

  pg = start();
  ASSERT_TRUE(pg);
  expect_no_way_in_without_password(*pg);
  pqxx::connection conn{pg->url()};
  auto report = migrate(conn, embedded_migrations());
  ASSERT_TRUE(report) << describe(report.error());
  EXPECT_TRUE(report->applied.empty());
  pqxx::work tx{conn};
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                     "AND c.relowner <> 'cdpd'::regrole")[0]
                .as<int>(),
            0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_proc p JOIN pg_namespace n "
                     "ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
                     "AND p.proowner <> 'cdpd'::regrole")[0]
                .as<int>(),
            0);
  tx.exec("INSERT INTO legacy (v) VALUES ('new')");
  tx.exec("ALTER TABLE legacy ADD COLUMN later int");
  tx.exec("ALTER TYPE legacy_mood ADD VALUE 'fine'");
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM legacy_view")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT pg_get_userbyid(datdba) FROM pg_database "
                     "WHERE datname = 'cdpd'")[0]
                .as<std::string>(),
            "cdpd");
}

} // namespace
} // namespace cdpd::storage
