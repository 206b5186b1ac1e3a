#include "net/http/expect_continue.hpp"

#include <gtest/gtest.h>

namespace cdpd::net {
namespace {

using stage = expect_continue::stage;

TEST(expect_continue, answers_http_1_1_clients_that_ask) {
  expect_continue c;
  EXPECT_FALSE(c.due());
  c.on_header(11, "100-continue");
  EXPECT_TRUE(c.due());
  EXPECT_EQ(c.begin_write(), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_TRUE(c.writing());
  EXPECT_FALSE(c.due());
  c.end_write();
  EXPECT_FALSE(c.writing());
  EXPECT_FALSE(c.due());
  EXPECT_EQ(c.current(), stage::sent);
}

TEST(expect_continue, the_expectation_is_case_insensitive) {
  expect_continue c;
  c.on_header(11, "100-Continue");
  EXPECT_TRUE(c.due());
}

TEST(expect_continue, ignores_http_1_0_and_other_expectations) {
  expect_continue c;
  c.on_header(10, "100-continue");
  EXPECT_FALSE(c.due());
  c.reset();
  c.on_header(11, "");
  EXPECT_FALSE(c.due());
  c.reset();
  c.on_header(11, "100-continued");
  EXPECT_FALSE(c.due());
  c.reset();
  c.on_header(11, "200-continue");
  EXPECT_FALSE(c.due());
}

TEST(expect_continue, is_sent_once_per_request) {
  expect_continue c;
  c.on_header(11, "100-continue");
  c.begin_write();
  c.end_write();
  EXPECT_FALSE(c.due());
  c.reset();
  EXPECT_EQ(c.current(), stage::not_expected);
  EXPECT_FALSE(c.due());
  c.on_header(11, "100-continue");
  EXPECT_TRUE(c.due());
}

} // namespace
} // namespace cdpd::net
