#pragma once

#include <string>

/// What integration tests need from their environment. Each value can be
/// overridden by an environment variable of the same name; the defaults are
/// the services that deploy/services.sh starts.
namespace cdpd::test {

/// libpq conninfo of a PostgreSQL where tests may create databases
/// (CDPD_TEST_PG).
std::string pg_conninfo();

/// Port of the shared test Redis (CDPD_TEST_REDIS_PORT).
int redis_port();

/// The build tree, to find the cdpd binary (`binary_dir() +
/// "/apps/cdpd/cdpd"`).
std::string binary_dir();

} // namespace cdpd::test
