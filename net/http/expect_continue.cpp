#include "net/http/expect_continue.hpp"

#include <cassert>
#include <cctype>

namespace cdpd::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

} // namespace

void expect_continue::reset() {
  assert(stage_ != stage::writing);
  stage_ = stage::not_expected;
}

void expect_continue::on_header(unsigned version, std::string_view expect) {
  assert(stage_ == stage::not_expected);
  stage_ = version >= 11 && iequals(expect, "100-continue")
               ? stage::expected
               : stage::not_expected;
}

std::string_view expect_continue::begin_write() {
  assert(stage_ == stage::expected);
  stage_ = stage::writing;
  return response;
}

void expect_continue::end_write() {
  assert(stage_ == stage::writing);
  stage_ = stage::sent;
}

} // namespace cdpd::net
