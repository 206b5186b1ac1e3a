#include "net/email/errc.hpp"

namespace cdpd::net::email {

const char* to_string(errc code) {
  switch (code) {
  case errc::retryable:
    return "retryable";
  case errc::permanent:
    return "permanent";
  case errc::invalid_template:
    return "invalid_template";
  case errc::invalid_message:
    return "invalid_message";
  case errc::invalid_settings:
    return "invalid_settings";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (err.category() == caf::atom("email") &&
      err.context().match_element<std::string>(0))
    return err.context().get_as<std::string>(0);
  if (err.category() == caf::atom("email"))
    return to_string(static_cast<errc>(err.code()));
  return "error " + std::to_string(err.code());
}

failure classify(const caf::error& err) {
  if (err.category() == caf::atom("email") &&
      err.code() == static_cast<uint8_t>(errc::retryable))
    return failure::retryable;
  return failure::permanent;
}

} // namespace cdpd::net::email
