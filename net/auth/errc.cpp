#include "net/auth/errc.hpp"

namespace cdpd::net::auth {

const char* to_string(errc code) {
  switch (code) {
  case errc::token_malformed:
    return "token_malformed";
  case errc::token_alg_none:
    return "token_alg_none";
  case errc::token_wrong_algorithm:
    return "token_wrong_algorithm";
  case errc::token_bad_signature:
    return "token_bad_signature";
  case errc::token_expired:
    return "token_expired";
  case errc::token_not_yet_valid:
    return "token_not_yet_valid";
  case errc::token_wrong_issuer:
    return "token_wrong_issuer";
  case errc::key_missing:
    return "key_missing";
  case errc::key_too_short:
    return "key_too_short";
  case errc::crypto_failed:
    return "crypto_failed";
  }
  return "unknown";
}

std::string describe(const caf::error& err) {
  if (err.category() == caf::atom("auth") &&
      err.context().match_element<std::string>(0))
    return err.context().get_as<std::string>(0);
  if (err.category() == caf::atom("auth"))
    return to_string(static_cast<errc>(err.code()));
  return "error " + std::to_string(err.code());
}

} // namespace cdpd::net::auth
