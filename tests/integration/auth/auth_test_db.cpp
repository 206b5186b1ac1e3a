#include "tests/integration/auth/auth_test_db.hpp"

#include <gtest/gtest.h>

#include "storage/errc.hpp"
#include "storage/migrations.hpp"

namespace cdpd::test {

auth_test_db::auth_test_db() : conn_{db_.conninfo()} {
  auto report = storage::migrate(conn_, storage::embedded_migrations());
  if (!report)
    ADD_FAILURE() << "migrate: " << storage::describe(report.error());
}

} // namespace cdpd::test
