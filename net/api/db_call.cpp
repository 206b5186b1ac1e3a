#include "net/api/db_call.hpp"

#include "actors/domain/errc.hpp"

namespace cdpd::net::api {

http_response error_response(const caf::error& err) {
  using actors::domain::errc;
  if (err.category() != caf::atom("domain"))
    return problem_from_error(err);
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

const char* db_actor_name(db_role role) {
  return role == db_role::write ? "pg-write" : "pg-read";
}

} // namespace cdpd::net::api
