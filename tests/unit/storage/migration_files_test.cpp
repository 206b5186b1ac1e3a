#include "storage/migrations.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "storage/errc.hpp"

namespace cdpd::storage {
namespace {

namespace fs = std::filesystem;

/// A private folder of migration files, removed afterwards.
class MigrationFolder : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cdpd-migrations-" + std::to_string(::getpid()) + "-" +
            std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }

  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream{dir_ / name} << text;
  }

  fs::path dir_;
};

TEST(MigrationFileName, SplitsVersionAndName) {
  auto m = parse_migration_file_name("0042_add_orders_index.sql");
  ASSERT_TRUE(m) << describe(m.error());
  EXPECT_EQ(m->version, 42);
  EXPECT_EQ(m->name, "add_orders_index");
  EXPECT_EQ(file_name(*m), "0042_add_orders_index.sql");
}

TEST(MigrationFileName, RejectsBadNames) {
  for (const char* bad :
       {"1_x.sql", "001_x.sql", "00001_x.sql", "0001x.sql", "0001_.sql",
        "0001_Orders.sql", "0001_a-b.sql", "0001_x.SQL", "0001_x.sql.bak",
        "abcd_x.sql", "0000_x.sql", "0001 x.sql"}) {
    auto m = parse_migration_file_name(bad);
    ASSERT_FALSE(m) << "accepted " << bad;
    EXPECT_TRUE(m.error() == errc::migration_invalid) << bad;
    EXPECT_NE(describe(m.error()).find(bad), std::string::npos)
        << describe(m.error());
  }
}

TEST_F(MigrationFolder, LoadsSqlFilesSortedByVersion) {
  write("0002_second.sql", "SELECT 2;");
  write("0001_first.sql", "SELECT 1;");
  write("0010_tenth.sql", "SELECT 10;");
  write("README.md", "not a migration");
  auto set = load_migrations(dir_);
  ASSERT_TRUE(set) << describe(set.error());
  ASSERT_EQ(set->size(), 3u);
  EXPECT_EQ((*set)[0].version, 1);
  EXPECT_EQ((*set)[0].name, "first");
  EXPECT_EQ((*set)[0].sql, "SELECT 1;");
  EXPECT_EQ((*set)[1].version, 2);
  EXPECT_EQ((*set)[2].version, 10);
}

TEST_F(MigrationFolder, BadlyNamedSqlFileIsAnError) {
  write("0001_first.sql", "SELECT 1;");
  write("2_second.sql", "SELECT 2;");
  auto set = load_migrations(dir_);
  ASSERT_FALSE(set);
  EXPECT_TRUE(set.error() == errc::migration_invalid);
  EXPECT_NE(describe(set.error()).find("2_second.sql"), std::string::npos)
      << describe(set.error());
}

TEST_F(MigrationFolder, UppercaseExtensionIsReportedNotSkipped) {
  write("0001_first.SQL", "SELECT 1;");
  auto set = load_migrations(dir_);
  ASSERT_FALSE(set);
  EXPECT_TRUE(set.error() == errc::migration_invalid);
}

TEST_F(MigrationFolder, DuplicateVersionIsAnError) {
  write("0001_first.sql", "SELECT 1;");
  write("0001_again.sql", "SELECT 1;");
  auto set = load_migrations(dir_);
  ASSERT_FALSE(set);
  EXPECT_TRUE(set.error() == errc::migration_invalid);
  EXPECT_NE(describe(set.error()).find("version 1"), std::string::npos)
      << describe(set.error());
}

TEST_F(MigrationFolder, MissingFolderIsAnError) {
  auto set = load_migrations(dir_ / "nope");
  ASSERT_FALSE(set);
  EXPECT_TRUE(set.error() == errc::migration_invalid);
}

TEST(EmbeddedMigrations, ContainTheNodesTableFirst) {
  auto set = embedded_migrations();
  ASSERT_FALSE(set.empty());
  EXPECT_EQ(set.front().version, 1);
  EXPECT_EQ(set.front().name, "nodes");
  EXPECT_NE(set.front().sql.find("CREATE TABLE nodes"), std::string::npos);
  for (std::size_t i = 1; i < set.size(); ++i)
    EXPECT_LT(set[i - 1].version, set[i].version);
}

TEST(EmbeddedMigrations, MatchTheSourceFiles) {
  auto from_disk =
      load_migrations(fs::path{CDPD_SOURCE_DIR} / "storage" / "migrations");
  ASSERT_TRUE(from_disk) << describe(from_disk.error());
  auto embedded = embedded_migrations();
  ASSERT_EQ(from_disk->size(), embedded.size());
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    EXPECT_EQ(embedded[i].version, (*from_disk)[i].version);
    EXPECT_EQ(embedded[i].name, (*from_disk)[i].name);
    EXPECT_EQ(sql_checksum(embedded[i].sql), sql_checksum((*from_disk)[i].sql))
        << file_name(embedded[i]) << " changed since the last configure";
  }
}

TEST(SqlChecksum, IsLowercaseHexSha256) {
  EXPECT_EQ(sql_checksum("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sql_checksum("").size(), 64u);
}

} // namespace
} // namespace cdpd::storage
