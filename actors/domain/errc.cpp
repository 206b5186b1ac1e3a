#include "actors/domain/errc.hpp"

namespace cdpd::actors::domain {

const char* to_string(errc code) {
  switch (code) {
  case errc::not_found:
    return "not_found";
  case errc::rejected:
    return "rejected";
  case errc::conflict:
    return "conflict";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  const auto& context = err.context();
  if (context.match_elements<std::string>())
    return context.get_as<std::string>(0);
  if (err.category() == caf::atom("domain"))
    return to_string(static_cast<errc>(err.code()));
  return caf::to_string(err);
}

} // namespace cdpd::actors::domain
