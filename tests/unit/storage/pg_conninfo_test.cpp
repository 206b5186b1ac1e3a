#include "storage/pg_conninfo.hpp"

#include <gtest/gtest.h>

#include "storage/errc.hpp"

namespace cdpd::storage {
namespace {

TEST(PgConninfo, ParsesUrls) {
  auto t = parse_pg_target("postgresql://app:secret@db.internal:6432/cdpd");
  ASSERT_TRUE(t) << describe(t.error());
  EXPECT_EQ(t->host, "db.internal");
  EXPECT_EQ(t->port, "6432");
  EXPECT_EQ(t->dbname, "cdpd");
  EXPECT_EQ(t->user, "app");
}

TEST(PgConninfo, ParsesKeywordLists) {
  auto t = parse_pg_target("host=127.0.0.1 port=25432 user=postgres");
  ASSERT_TRUE(t) << describe(t.error());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, "25432");
  EXPECT_EQ(t->dbname, "");
}

TEST(PgConninfo, RejectsGarbage) {
  auto t = parse_pg_target("host=");
  EXPECT_TRUE(t) << "an empty value is legal libpq";
  auto bad = parse_pg_target("postgresql://h/db?nosuchoption=1");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error() == errc::invalid_url);
  EXPECT_FALSE(parse_pg_target("nonsense without equals"));
}

TEST(PgConninfo, DescriptionNeverShowsThePassword) {
  auto text = describe_pg_target("postgresql://app:secret@db:6432/cdpd");
  EXPECT_EQ(text, "host db port 6432 database cdpd");
  EXPECT_EQ(text.find("secret"), std::string::npos);
  EXPECT_EQ(describe_pg_target("dbname=x"),
            "host (local socket) port 5432 database x");
}

TEST(PgConninfo, AddsParametersToUrlsAndKeywordLists) {
  EXPECT_EQ(with_pg_param("postgresql://h/db", "connect_timeout", "5"),
            "postgresql://h/db?connect_timeout=5");
  EXPECT_EQ(with_pg_param("postgresql://h/db?sslmode=disable",
                          "connect_timeout", "5"),
            "postgresql://h/db?sslmode=disable&connect_timeout=5");
  EXPECT_EQ(with_pg_param("host=h dbname=db", "connect_timeout", "5"),
            "host=h dbname=db connect_timeout=5");
  EXPECT_EQ(with_pg_param("", "connect_timeout", "5"), "connect_timeout=5");
  auto with = with_pg_param("postgresql://h/db", "connect_timeout", "5");
  auto t = parse_pg_target(with);
  ASSERT_TRUE(t) << describe(t.error());
  EXPECT_EQ(t->dbname, "db");
}

TEST(PgConninfo, KeepsParametersTheUserSet) {
  EXPECT_EQ(with_pg_param("host=h connect_timeout=9", "connect_timeout", "5"),
            "host=h connect_timeout=9");
  EXPECT_EQ(with_pg_param("postgresql://h/db?connect_timeout=9",
                          "connect_timeout", "5"),
            "postgresql://h/db?connect_timeout=9");
}

} // namespace
} // namespace cdpd::storage
