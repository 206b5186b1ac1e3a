#include "net/http/problem.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "actors/domain/errc.hpp"
#include "actors/supervision/errc.hpp"
#include "net/http/reason_phrase.hpp"
#include "storage/errc.hpp"

namespace cdpd::net {

namespace {

using ordered_json = nlohmann::ordered_json;

template <class Json> std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct storage_mapping {
  storage::errc code;
  int status;
  const char* slug;
};

constexpr storage_mapping storage_mappings[] = {
    {storage::errc::pool_exhausted, 503, "storage-pool-exhausted"},
    {storage::errc::connection_failed, 503, "storage-connection-failed"},
    {storage::errc::connection_lost, 503, "storage-connection-lost"},
    {storage::errc::statement_timeout, 504, "storage-statement-timeout"},
    {storage::errc::query_failed, 500, "storage-query-failed"},
    {storage::errc::migration_failed, 500, "storage-migration-failed"},
    {storage::errc::migration_changed, 500, "storage-migration-changed"},
    {storage::errc::redis_unavailable, 503, "storage-redis-unavailable"},
    {storage::errc::redis_error, 500, "storage-redis-error"},
    {storage::errc::embedded_failed, 500, "storage-embedded-failed"},
    {storage::errc::closed, 503, "storage-closed"},
    {storage::errc::invalid_url, 500, "storage-invalid-url"},
    {storage::errc::migration_invalid, 500, "storage-migration-invalid"},
    {storage::errc::not_empty, 409, "storage-not-empty"},
    {storage::errc::invalid_argument, 400, "storage-invalid-argument"},
};

// What storage::describe returns, without linking storage/: the text
// storage::make_error stored, else CAF's rendering of the context.
std::string storage_detail(const caf::error& err, const char* slug) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  if (context.empty())
    return slug;
  return caf::to_string(context);
}

/// A server-side failure's answer: a generic detail for the client, the
/// real one for the log.
http_response hidden_problem(int status, std::string internal,
                             const char* slug) {
  auto response = problem(status,
                          status == 503   ? "a service cdpd needs is "
                                            "unavailable; try again shortly"
                          : status == 504 ? "an internal operation timed out"
                                          : "internal error; the server log "
                                            "has the details under this "
                                            "request_id",
                          slug);
  response.internal_detail = std::move(internal);
  return response;
}

http_response storage_problem(const caf::error& err) {
  for (const auto& mapping : storage_mappings) {
    if (static_cast<uint8_t>(mapping.code) != err.code())
      continue;
    auto detail = storage_detail(err, mapping.slug);
    auto response =
        mapping.status >= 500
            ? hidden_problem(mapping.status, std::move(detail), mapping.slug)
            : problem(mapping.status, detail, mapping.slug);
    if (mapping.code == storage::errc::pool_exhausted)
      response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  return hidden_problem(500, "storage error: " + caf::to_string(err),
                        "storage-error");
}

// Supervision errors: a breaker that fails fast or a child that restarts
// both mean "try again later"; Retry-After says when.
http_response actors_problem(const caf::error& err) {
  const auto& context = err.context();
  std::string detail = context.match_element<std::string>(0)
                           ? context.get_as<std::string>(0)
                           : caf::to_string(err);
  int64_t retry_after_ms = context.match_elements<std::string, int64_t>()
                               ? context.get_as<int64_t>(1)
                               : 0;
  auto seconds =
      std::to_string(std::max<int64_t>(1, (retry_after_ms + 999) / 1000));
  switch (static_cast<actors::errc>(err.code())) {
  case actors::errc::circuit_open: {
    auto response = problem(503, detail, "circuit-open");
    response.headers.emplace_back("Retry-After", seconds);
    return response;
  }
  case actors::errc::child_unavailable: {
    auto response = problem(503, detail, "service-restarting");
    response.headers.emplace_back("Retry-After", seconds);
    return response;
  }
  case actors::errc::no_breaker:
    return problem(404, detail, "no-breaker");
  case actors::errc::escalated:
    break;
  }
  return hidden_problem(500, "internal error: " + detail, "internal-error");
}

bool is_problem(const http_response& response) {
  return response.content_type.compare(0, problem_content_type.size(),
                                       problem_content_type) == 0;
}

/// Domain refusals keep the prototype's `{"detail"}` text.
http_response domain_problem(const caf::error& err) {
  using actors::domain::errc;
  auto detail = actors::domain::describe(err);
  switch (static_cast<errc>(err.code())) {
  case errc::not_found:
    return problem(404, detail, "not-found");
  case errc::rejected:
    return problem(400, detail, "rejected");
  case errc::conflict:
    return problem(409, detail, "conflict");
  }
  return problem(500, detail, "internal-error");
}

} // namespace

http_response problem(int status, std::string detail, std::string type_slug,
                      std::string title) {
  ordered_json body;
  body["type"] = type_slug.empty()
                     ? std::string{"about:blank"}
                     : std::string{problem_type_prefix} + type_slug;
  body["title"] =
      title.empty() ? std::string{reason_phrase(status)} : std::move(title);
  body["status"] = status;
  body["detail"] = std::move(detail);
  http_response response;
  response.status = status;
  response.content_type = std::string{problem_content_type};
  response.body = dump(body);
  return response;
}

http_response problem_from_error(const caf::error& err) {
  if (!err)
    return problem(500, "internal error without an error code",
                   "internal-error");
  if (err.category() == caf::atom("domain"))
    return domain_problem(err);
  if (err.category() == caf::atom("storage"))
    return storage_problem(err);
  if (err.category() == caf::atom("actors"))
    return actors_problem(err);
  if (err == caf::sec::request_timeout)
    return problem(504, "an internal request timed out", "request-timeout");
  if (err == caf::sec::request_receiver_down)
    return problem(503, "an internal service is not running",
                   "service-unavailable");
  return hidden_problem(500, "internal error: " + caf::to_string(err),
                        "internal-error");
}

http_response json_response(int status, const nlohmann::json& body) {
  http_response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = dump(body);
  return response;
}

void stamp_request_id(http_response& response, std::string_view request_id) {
  if (!is_problem(response))
    return;
  auto body = ordered_json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.contains("request_id"))
    return;
  body["request_id"] = std::string{request_id};
  response.body = dump(body);
}

} // namespace cdpd::net
