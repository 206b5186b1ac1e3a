#pragma once

#include <string>

namespace cdpd::test {

/// A fresh, empty database with a unique name on the test PostgreSQL
/// (cdpd::test::pg_conninfo()), dropped with all its connections when the
/// object goes away. Construction throws std::runtime_error when the test
/// server cannot be reached, which fails the test that needed it.
class pg_test_db {
public:
  /// Creates database cdpd_test_<pid>_<n>_<random>.
  pg_test_db();

  /// DROP DATABASE ... WITH (FORCE); errors are printed, never thrown.
  ~pg_test_db();

  pg_test_db(const pg_test_db&) = delete;
  pg_test_db& operator=(const pg_test_db&) = delete;

  /// The database's name.
  const std::string& name() const noexcept { return name_; }

  /// A keyword conninfo for the database ("host=... dbname=<name>").
  const std::string& conninfo() const noexcept { return conninfo_; }

  /// The same as a URL: postgresql://user@host:port/<name>.
  const std::string& url() const noexcept { return url_; }

private:
  std::string name_;
  std::string conninfo_;
  std::string url_;
};

} // namespace cdpd::test
