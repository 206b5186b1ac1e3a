#include "actors/supervision/errc.hpp"

#include <caf/actor_system_config.hpp>

namespace cdpd::actors {

const char* to_string(errc code) {
  switch (code) {
  case errc::circuit_open:
    return "circuit_open";
  case errc::child_unavailable:
    return "child_unavailable";
  case errc::escalated:
    return "escalated";
  case errc::no_breaker:
    return "no_breaker";
  }
  return "unknown";
}

void add_error_renderer(caf::actor_system_config& cfg) {
  cfg.add_error_category(caf::atom("actors"), [](uint8_t code, caf::atom_value,
                                                 const caf::message& context) {
    std::string out = "actors: ";
    out += to_string(static_cast<errc>(code));
    if (context.match_element<std::string>(0))
      out += " (" + context.get_as<std::string>(0) + ")";
    return out;
  });
}

} // namespace cdpd::actors
