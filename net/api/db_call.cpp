#include "net/api/db_call.hpp"

namespace cdpd::net::api {

const char* db_actor_name(db_role role) {
  return role == db_role::write ? "pg-write" : "pg-read";
}

} // namespace cdpd::net::api
