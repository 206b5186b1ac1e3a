#include "net/http/problem.hpp"

#include <ostream>
#include <string>

#include <caf/sec.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/supervision/errc.hpp"
#include "storage/errc.hpp"

namespace cdpd::net {
namespace {

using nlohmann::json;

json body_of(const http_response& response) {
  return json::parse(response.body);
}

std::string header_of(const http_response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name)
      return value;
  return {};
}

TEST(problem, has_the_problem_fields_and_content_type) {
  auto response = problem(404, "no route for GET /x");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  auto body = body_of(response);
  EXPECT_EQ(body["type"], "about:blank");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["detail"], "no route for GET /x");
  EXPECT_FALSE(body.contains("request_id"));
  EXPECT_EQ(body.size(), 4u);
}

TEST(problem, slug_becomes_a_cdpd_urn) {
  auto body = body_of(problem(413, "too big", "body-too-large"));
  EXPECT_EQ(body["type"], "urn:cdpd:problem:body-too-large");
  EXPECT_EQ(body["title"], "Content Too Large");
}

TEST(problem, explicit_title_wins) {
  auto body = body_of(problem(422, "bad email", "validation", "Invalid input"));
  EXPECT_EQ(body["title"], "Invalid input");
  EXPECT_EQ(body["status"], 422);
}

TEST(problem, members_come_in_reading_order) {
  auto response = problem(400, "x");
  EXPECT_LT(response.body.find("\"type\""), response.body.find("\"title\""));
  EXPECT_LT(response.body.find("\"title\""), response.body.find("\"status\""));
  EXPECT_LT(response.body.find("\"status\""), response.body.find("\"detail\""));
}

TEST(problem, invalid_utf8_in_detail_does_not_throw) {
  auto response = problem(404, "no route for GET /\xFF\xFE");
  EXPECT_NO_THROW(body_of(response));
}

TEST(problem, stamp_request_id_adds_it_once) {
  auto response = problem(500, "boom");
  stamp_request_id(response, "req-1");
  EXPECT_EQ(body_of(response)["request_id"], "req-1");
  stamp_request_id(response, "req-2");
  EXPECT_EQ(body_of(response)["request_id"], "req-1");
  EXPECT_GT(response.body.find("\"request_id\""),
            response.body.find("\"detail\""));
}

TEST(problem, stamp_request_id_leaves_other_bodies_alone) {
  auto plain = json_response(200, json{{"ok", true}});
  auto before = plain.body;
  stamp_request_id(plain, "req-1");
  EXPECT_EQ(plain.body, before);
  http_response broken;
  broken.content_type = "application/problem+json";
  broken.body = "not json";
  stamp_request_id(broken, "req-1");
  EXPECT_EQ(broken.body, "not json");
}

TEST(json_response, serializes_the_body) {
  auto response = json_response(201, json{{"id", 7}, {"name", "x"}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(body_of(response), (json{{"id", 7}, {"name", "x"}}));
}

struct storage_case {
  storage::errc code;
  int status;
  const char* slug;
};

void PrintTo(const storage_case& c, std::ostream* out) {
  *out << c.slug;
}

class storage_mapping : public ::testing::TestWithParam<storage_case> {};

TEST_P(storage_mapping, maps_code_to_status_and_keeps_the_server_side_out) {
  const auto& expected = GetParam();
  // What PostgreSQL says names tables, SQL and hosts: the log gets it, the
  // client a generic detail.
  std::string leak = "ERROR: relation \"accounts\" ... SELECT password_hash";
  auto response = problem_from_error(storage::make_error(expected.code, leak));
  EXPECT_EQ(response.status, expected.status);
  EXPECT_EQ(response.content_type, "application/problem+json");
  auto body = body_of(response);
  EXPECT_EQ(body["status"], expected.status);
  EXPECT_EQ(body["detail"].get<std::string>().find("password_hash"),
            std::string::npos)
      << body.dump();
  EXPECT_EQ(response.internal_detail, leak);
  EXPECT_EQ(body["type"], std::string{"urn:cdpd:problem:"} + expected.slug);
  bool retry = expected.code == storage::errc::pool_exhausted;
  EXPECT_EQ(header_of(response, "Retry-After"), retry ? "1" : "");
}

INSTANTIATE_TEST_SUITE_P(
    all_codes, storage_mapping,
    ::testing::Values(
        storage_case{storage::errc::pool_exhausted, 503,
                     "storage-pool-exhausted"},
        storage_case{storage::errc::connection_failed, 503,
                     "storage-connection-failed"},
        storage_case{storage::errc::connection_lost, 503,
                     "storage-connection-lost"},
        storage_case{storage::errc::redis_unavailable, 503,
                     "storage-redis-unavailable"},
        storage_case{storage::errc::closed, 503, "storage-closed"},
        storage_case{storage::errc::statement_timeout, 504,
                     "storage-statement-timeout"},
        storage_case{storage::errc::query_failed, 500, "storage-query-failed"},
        storage_case{storage::errc::migration_failed, 500,
                     "storage-migration-failed"},
        storage_case{storage::errc::migration_changed, 500,
                     "storage-migration-changed"},
        storage_case{storage::errc::redis_error, 500, "storage-redis-error"},
        storage_case{storage::errc::embedded_failed, 500,
                     "storage-embedded-failed"}),
    [](const ::testing::TestParamInfo<storage_case>& info) {
      std::string name = info.param.slug;
      for (auto& c : name)
        if (c == '-')
          c = '_';
      return name;
    });

TEST(problem_from_error, storage_error_without_text_still_explains) {
  caf::error bare{static_cast<uint8_t>(storage::errc::connection_lost),
                  caf::atom("storage")};
  auto response = problem_from_error(bare);
  EXPECT_EQ(response.status, 503);
  EXPECT_FALSE(body_of(response)["detail"].get<std::string>().empty());
}

TEST(problem_from_error, unknown_storage_code_is_500) {
  caf::error odd{uint8_t{250}, caf::atom("storage")};
  EXPECT_EQ(problem_from_error(odd).status, 500);
}

TEST(problem_from_error, request_timeout_is_504) {
  auto response =
      problem_from_error(caf::make_error(caf::sec::request_timeout));
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(body_of(response)["type"], "urn:cdpd:problem:request-timeout");
}

TEST(problem_from_error, receiver_down_is_503) {
  auto response =
      problem_from_error(caf::make_error(caf::sec::request_receiver_down));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(header_of(response, "Retry-After"), "");
}

TEST(problem_from_error, circuit_open_is_503_with_seconds_to_the_probe) {
  auto response = problem_from_error(actors::make_error(
      actors::errc::circuit_open, "circuit breaker of redis is open", 2300));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(header_of(response, "Retry-After"), "3");
  EXPECT_EQ(body_of(response)["type"], "urn:cdpd:problem:circuit-open");
  EXPECT_EQ(body_of(response)["detail"], "circuit breaker of redis is open");
  auto due = problem_from_error(
      actors::make_error(actors::errc::circuit_open, "open", 0));
  EXPECT_EQ(header_of(due, "Retry-After"), "1") << "never 0";
}

TEST(problem_from_error, child_unavailable_is_503_and_no_breaker_404) {
  auto restarting = problem_from_error(
      actors::make_error(actors::errc::child_unavailable, "redis restarting"));
  EXPECT_EQ(restarting.status, 503);
  EXPECT_EQ(header_of(restarting, "Retry-After"), "1");
  EXPECT_EQ(problem_from_error(
                actors::make_error(actors::errc::no_breaker, "no breaker"))
                .status,
            404);
  EXPECT_EQ(
      problem_from_error(actors::make_error(actors::errc::escalated, "gave up"))
          .status,
      500);
}

TEST(problem_from_error, anything_else_is_500) {
  EXPECT_EQ(problem_from_error(caf::make_error(caf::sec::runtime_error)).status,
            500);
  caf::error custom{uint8_t{3}, caf::atom("campaign")};
  auto response = problem_from_error(custom);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(body_of(response)["type"], "urn:cdpd:problem:internal-error");
  EXPECT_EQ(problem_from_error(caf::error{}).status, 500);
}

} // namespace
} // namespace cdpd::net
