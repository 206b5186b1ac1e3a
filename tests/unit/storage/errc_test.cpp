#include "storage/errc.hpp"

#include <set>
#include <string>

#include <caf/sec.hpp>
#include <gtest/gtest.h>

namespace cdpd::storage {
namespace {

TEST(StorageErrc, EveryCodeHasADistinctName) {
  std::set<std::string> names;
  for (int code = static_cast<int>(errc::pool_exhausted);
       code <= static_cast<int>(errc::migration_invalid); ++code) {
    std::string name = to_string(static_cast<errc>(code));
    EXPECT_NE(name, "unknown") << "code " << code;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_STREQ(to_string(errc::pool_exhausted), "pool_exhausted");
  EXPECT_STREQ(to_string(errc::statement_timeout), "statement_timeout");
  EXPECT_STREQ(to_string(errc::closed), "closed");
}

TEST(StorageErrc, MakeErrorCarriesCodeCategoryAndExplanation) {
  auto err = make_error(errc::query_failed, "SQLSTATE 42601: syntax error");
  EXPECT_TRUE(err == errc::query_failed);
  EXPECT_FALSE(err == errc::connection_lost);
  EXPECT_EQ(err.category(), caf::atom("storage"));
  EXPECT_EQ(describe(err), "SQLSTATE 42601: syntax error");
}

TEST(StorageErrc, DescribeRendersForeignErrors) {
  caf::error foreign = caf::sec::request_timeout;
  EXPECT_NE(describe(foreign).find("request_timeout"), std::string::npos)
      << describe(foreign);
  EXPECT_EQ(describe(caf::error{}), "no error");
}

} // namespace
} // namespace cdpd::storage
