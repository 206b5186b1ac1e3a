#include "tests/support/test_env.hpp"

#include <cstdlib>

namespace cdpd::test {

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

} // namespace

std::string pg_conninfo() {
  return env_or("CDPD_TEST_PG", CDPD_TEST_PG_DEFAULT);
}

int redis_port() {
  return std::atoi(
      env_or("CDPD_TEST_REDIS_PORT", CDPD_TEST_REDIS_PORT_DEFAULT).c_str());
}

std::string binary_dir() {
  return CDPD_BINARY_DIR;
}

} // namespace cdpd::test
