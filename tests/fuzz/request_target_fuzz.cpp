// Request targets as they arrive: split into path and query, decoded, and
// matched against routes shaped like the API's.
#include <memory>
#include <string>
#include <string_view>

#include "net/http/http_message.hpp"
#include "net/http/router.hpp"
#include "net/http/uri.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {

const cdpd::net::router& routes() {
  static const auto table = [] {
    auto r = std::make_unique<cdpd::net::router>();
    auto answer = [](cdpd::net::http_request, cdpd::net::responder reply) {
      reply(cdpd::net::http_response{});
    };
    for (const char* pattern :
         {"/", "/health", "/api/users", "/api/users/{id}",
          "/api/segments/{id}/members", "/api/segments/{id}/users",
          "/api/segments/preview", "/api/campaigns/{id}/status",
          "/api/flows/{flow_id}/steps/{step_id}", "/u/{token}", "/t/c/{token}"})
      r->add("GET", pattern, cdpd::net::access::anyone, answer);
    return r;
  }();
  return *table;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view target{reinterpret_cast<const char*>(data), size};
  auto parts = cdpd::net::split_target(target);
  (void)cdpd::net::percent_decode(parts.path, false);
  (void)cdpd::net::percent_decode(parts.query, true);
  if (auto query = cdpd::net::parse_query(parts.query))
    for (const auto& [name, value] : *query)
      (void)cdpd::net::percent_encode(name + value);
  for (const char* method : {"GET", "HEAD", "POST"})
    (void)routes().match(method, parts.path);
  return 0;
}
